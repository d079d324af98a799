using System.Buffers.Binary;
using static RawZipServer.Zip.ZipConstants;

namespace RawZipServer.Zip;

/// <summary>Local file header (APPNOTE 4.3.7) with its extra fields (ZIP-FORMAT.md §4 items 5–11).</summary>
internal static class LocalFileHeader
{
    /// <summary>Encodes the header of <paramref name="e"/> into <paramref name="destination"/>; returns the length.</summary>
    public static int Write(Span<byte> destination, in ZipEntry e)
    {
        int length = e.LocalHeaderLength;
        var b = destination[..length];

        uint crc = 0, size32 = 0;
        if (!e.HasDescriptor)
        {
            crc = e.Crc;
            size32 = e.Zip64 ? Mask32 : (uint)e.Size;
        }
        else if (e.Zip64)
        {
            // Bit 3 with a known size >= 4 GiB: sentinels here and zeros in the extra (macOS needs the extra).
            size32 = Mask32;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(b, LocalFileHeaderSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], e.Zip64 ? VersionNeededZip64 : VersionNeededDefault);
        BinaryPrimitives.WriteUInt16LittleEndian(b[6..], e.Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], e.Method);
        BinaryPrimitives.WriteUInt32LittleEndian(b[10..], e.DosDateTime);
        BinaryPrimitives.WriteUInt32LittleEndian(b[14..], crc);
        BinaryPrimitives.WriteUInt32LittleEndian(b[18..], size32); // compressed
        BinaryPrimitives.WriteUInt32LittleEndian(b[22..], size32); // uncompressed
        BinaryPrimitives.WriteUInt16LittleEndian(b[26..], (ushort)e.Name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(b[28..], (ushort)(length - LocalFileHeaderLength - e.Name.Length));
        e.Name.CopyTo(b[LocalFileHeaderLength..]);

        var extra = b[(LocalFileHeaderLength + e.Name.Length)..];
        if (e.Zip64)
        {
            // APPNOTE 4.5.3: "This entry in the Local header MUST include BOTH original and compressed file size fields."
            ulong size64 = e.HasDescriptor ? 0 : (ulong)e.Size;
            BinaryPrimitives.WriteUInt16LittleEndian(extra, Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], 16);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[4..], size64);
            BinaryPrimitives.WriteUInt64LittleEndian(extra[12..], size64);
            extra = extra[LocalZip64ExtraLength..];
        }

        ExtendedTimestamp.Write(extra, e.UnixTime);
        return length;
    }
}
