using System.Buffers.Binary;
using static RawZipServer.Zip.ZipConstants;

namespace RawZipServer.Zip;

/// <summary>
/// The end records: ZIP64 end of central directory (APPNOTE 4.3.14), its locator (4.3.15) and the
/// classic end record (4.3.16), following ZIP-FORMAT.md §4 items 21–25.
/// </summary>
internal static class EndOfCentralDirectory
{
    /// <summary>Item 21: the ZIP64 records are written when any count, size or offset needs them, or any entry used ZIP64.</summary>
    public static bool NeedsZip64(long entryCount, long directorySize, long directoryOffset, bool anyZip64Entry) =>
        entryCount >= Mask16 || directorySize >= Mask32 || directoryOffset >= Mask32 || anyZip64Entry;

    public static int Length(bool zip64) =>
        (zip64 ? Zip64EndOfCentralDirectoryLength + Zip64EndOfCentralDirectoryLocatorLength : 0) + EndOfCentralDirectoryLength;

    public static int Write(Span<byte> destination, long entryCount, long directorySize, long directoryOffset, bool zip64)
    {
        var b = destination;
        if (zip64)
        {
            long zip64EndOffset = directoryOffset + directorySize;
            BinaryPrimitives.WriteUInt32LittleEndian(b, Zip64EndOfCentralDirectorySignature);
            BinaryPrimitives.WriteUInt64LittleEndian(b[4..], Zip64EndOfCentralDirectoryLength - 12); // size of the rest
            BinaryPrimitives.WriteUInt16LittleEndian(b[12..], VersionMadeBy);
            BinaryPrimitives.WriteUInt16LittleEndian(b[14..], VersionNeededZip64);
            BinaryPrimitives.WriteUInt32LittleEndian(b[16..], 0); // this disk
            BinaryPrimitives.WriteUInt32LittleEndian(b[20..], 0); // disk with the central directory
            BinaryPrimitives.WriteUInt64LittleEndian(b[24..], (ulong)entryCount); // on this disk
            BinaryPrimitives.WriteUInt64LittleEndian(b[32..], (ulong)entryCount); // in total
            BinaryPrimitives.WriteUInt64LittleEndian(b[40..], (ulong)directorySize);
            BinaryPrimitives.WriteUInt64LittleEndian(b[48..], (ulong)directoryOffset);
            b = b[Zip64EndOfCentralDirectoryLength..];

            BinaryPrimitives.WriteUInt32LittleEndian(b, Zip64EndOfCentralDirectoryLocatorSignature);
            BinaryPrimitives.WriteUInt32LittleEndian(b[4..], 0); // disk with the ZIP64 end record
            BinaryPrimitives.WriteUInt64LittleEndian(b[8..], (ulong)zip64EndOffset);
            BinaryPrimitives.WriteUInt32LittleEndian(b[16..], 1); // total disks: 0 breaks Go and unzip
            b = b[Zip64EndOfCentralDirectoryLocatorLength..];
        }

        // With ZIP64 records every field holds its sentinel: Go and .NET look for ZIP64 only when they see one,
        // and a truncated count (n & 0xFFFF) is refused by .NET and Java.
        BinaryPrimitives.WriteUInt32LittleEndian(b, EndOfCentralDirectorySignature);
        BinaryPrimitives.WriteUInt16LittleEndian(b[4..], 0); // this disk
        BinaryPrimitives.WriteUInt16LittleEndian(b[6..], 0); // disk with the central directory
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], zip64 ? Mask16 : (ushort)entryCount);
        BinaryPrimitives.WriteUInt16LittleEndian(b[10..], zip64 ? Mask16 : (ushort)entryCount);
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], zip64 ? Mask32 : (uint)directorySize);
        BinaryPrimitives.WriteUInt32LittleEndian(b[16..], zip64 ? Mask32 : (uint)directoryOffset);
        BinaryPrimitives.WriteUInt16LittleEndian(b[20..], 0); // comment length
        return Length(zip64);
    }
}
