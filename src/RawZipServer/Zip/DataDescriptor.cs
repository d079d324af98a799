using System.Buffers.Binary;
using static RawZipServer.Zip.ZipConstants;

namespace RawZipServer.Zip;

/// <summary>
/// Data descriptor (APPNOTE 4.3.9), always with its signature: libarchive's streaming reader needs
/// PK\7\8 to find the end of stored data, and macOS Archive Utility needs it at all.
/// 24 bytes exactly when the local header carried the ZIP64 extra (ZIP-FORMAT.md §4 item 13).
/// </summary>
internal static class DataDescriptor
{
    public static int Write(Span<byte> destination, in ZipEntry e, uint crc, long size) => Write(destination, e, crc, size, size);

    public static int Write(Span<byte> destination, in ZipEntry e, uint crc, long compressedSize, long size)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(destination, DataDescriptorSignature);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], crc);
        if (e.Zip64)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], (ulong)compressedSize); // compressed
            BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], (ulong)size); // uncompressed
            return Zip64DataDescriptorLength;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], checked((uint)compressedSize));
        BinaryPrimitives.WriteUInt32LittleEndian(destination[12..], checked((uint)size));
        return DataDescriptorLength;
    }
}
