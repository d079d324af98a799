using System.Buffers.Binary;
using static RawZipServer.Zip.ZipConstants;

namespace RawZipServer.Zip;

/// <summary>
/// Info-ZIP extended timestamp 0x5455 with the modification time only: then the local and central
/// copies are identical (extrafld.txt), and every local header gets a non-empty extra field.
/// </summary>
internal static class ExtendedTimestamp
{
    public static void Write(Span<byte> destination, int unixTime)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, ExtendedTimestampId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[2..], 5);
        destination[4] = ExtendedTimestampModifiedFlag;
        BinaryPrimitives.WriteInt32LittleEndian(destination[5..], unixTime);
    }
}
