using System.Buffers.Binary;
using static RawZipServer.Zip.ZipConstants;

namespace RawZipServer.Zip;

/// <summary>Central directory file header (APPNOTE 4.3.12; ZIP-FORMAT.md §4 items 15–20).</summary>
internal static class CentralDirectoryHeader
{
    /// <summary>
    /// Length of the ZIP64 extra: exactly the fields whose 32-bit slot holds the sentinel, in
    /// APPNOTE order (usize, csize, offset); Python, Go, .NET and Java misread any other shape.
    /// </summary>
    public static int Zip64ExtraLength(in ZipEntry e)
    {
        int fields = (IsBig(e.Size) ? 1 : 0) + (IsBig(e.DataLength) ? 1 : 0) + (IsBig(e.Offset) ? 1 : 0);
        return fields == 0 ? 0 : 4 + (8 * fields);
    }

    public static int Length(in ZipEntry e) =>
        CentralDirectoryHeaderLength + e.Name.Length + Zip64ExtraLength(e) + ExtendedTimestampFieldLength;

    /// <summary>True when the record carries a ZIP64 extra or the entry used ZIP64 locally.</summary>
    public static bool UsesZip64(in ZipEntry e) => e.Zip64 || Zip64ExtraLength(e) != 0;

    public static int Write(Span<byte> destination, in ZipEntry e)
    {
        int zip64Length = Zip64ExtraLength(e);
        int length = CentralDirectoryHeaderLength + e.Name.Length + zip64Length + ExtendedTimestampFieldLength;
        var b = destination[..length];
        long compressed = e.DataLength;
        bool bigSize = IsBig(e.Size), bigCompressed = IsBig(compressed), bigOffset = IsBig(e.Offset);

        BinaryPrimitives.WriteUInt32LittleEndian(b, CentralDirectoryHeaderSignature);
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], VersionMadeBy);
        BinaryPrimitives.WriteUInt16LittleEndian(b[6..], UsesZip64(e) ? VersionNeededZip64 : VersionNeededDefault);
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], e.Flags);
        BinaryPrimitives.WriteUInt16LittleEndian(b[10..], e.Method);
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], e.DosDateTime);
        BinaryPrimitives.WriteUInt32LittleEndian(b[16..], e.Crc);
        BinaryPrimitives.WriteUInt32LittleEndian(b[20..], bigCompressed ? Mask32 : (uint)compressed);
        BinaryPrimitives.WriteUInt32LittleEndian(b[24..], bigSize ? Mask32 : (uint)e.Size);
        BinaryPrimitives.WriteUInt16LittleEndian(b[28..], (ushort)e.Name.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(b[30..], (ushort)(zip64Length + ExtendedTimestampFieldLength));
        BinaryPrimitives.WriteUInt16LittleEndian(b[32..], 0); // comment length
        BinaryPrimitives.WriteUInt16LittleEndian(b[34..], 0); // disk number start: never the 0xFFFF sentinel
        BinaryPrimitives.WriteUInt16LittleEndian(b[36..], 0); // internal attributes
        BinaryPrimitives.WriteUInt32LittleEndian(b[38..], e.IsDirectory ? DirectoryExternalAttributes : FileExternalAttributes);
        BinaryPrimitives.WriteUInt32LittleEndian(b[42..], bigOffset ? Mask32 : (uint)e.Offset);
        e.Name.CopyTo(b[CentralDirectoryHeaderLength..]);

        var extra = b[(CentralDirectoryHeaderLength + e.Name.Length)..];
        if (zip64Length != 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(extra, Zip64ExtraId);
            BinaryPrimitives.WriteUInt16LittleEndian(extra[2..], (ushort)(zip64Length - 4));
            var field = extra[4..];
            // Item 18: each size independently, in APPNOTE order (uncompressed, compressed, offset).
            if (bigSize)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(field, (ulong)e.Size);
                field = field[8..];
            }

            if (bigCompressed)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(field, (ulong)compressed);
                field = field[8..];
            }

            if (bigOffset)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(field, (ulong)e.Offset);
            }

            extra = extra[zip64Length..];
        }

        ExtendedTimestamp.Write(extra, e.UnixTime);
        return length;
    }

    /// <summary>0xFFFFFFFF itself is ambiguous in the central directory, so it needs the ZIP64 field too.</summary>
    private static bool IsBig(long value) => value >= Mask32;
}
