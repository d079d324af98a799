namespace RawZipServer.Zip;

/// <summary>Signatures, versions, flags and record sizes of PKWARE APPNOTE 6.3.10, by name.</summary>
internal static class ZipConstants
{
    // Record signatures (APPNOTE 4.3.7, 4.3.9.3, 4.3.12, 4.3.14, 4.3.15, 4.3.16).
    public const uint LocalFileHeaderSignature = 0x04034B50;          // PK\3\4
    public const uint DataDescriptorSignature = 0x08074B50;           // PK\7\8
    public const uint CentralDirectoryHeaderSignature = 0x02014B50;   // PK\1\2
    public const uint Zip64EndOfCentralDirectorySignature = 0x06064B50; // PK\6\6
    public const uint Zip64EndOfCentralDirectoryLocatorSignature = 0x07064B50; // PK\6\7
    public const uint EndOfCentralDirectorySignature = 0x06054B50;    // PK\5\6

    // Sentinels: a 16/32-bit slot holding these means "see the ZIP64 record" (APPNOTE 4.4.1.4).
    public const ushort Mask16 = 0xFFFF;
    public const uint Mask32 = 0xFFFFFFFF;

    // Version needed to extract (APPNOTE 4.4.3.2): 2.0 covers stored, deflate and directories.
    public const ushort VersionNeededDefault = 20;
    public const ushort VersionNeededZip64 = 45;
    // Version made by: host 3 (UNIX) so the external attributes carry st_mode; spec version 6.3.
    public const ushort VersionMadeBy = (3 << 8) | 63;

    // General purpose flags (APPNOTE 4.4.4).
    public const ushort FlagDataDescriptor = 1 << 3;
    public const ushort FlagUtf8 = 1 << 11;

    public const ushort MethodStored = 0;
    public const ushort MethodDeflate = 8;

    /// <summary>
    /// ZIP-FORMAT.md §4 item 4: deflate can expand incompressible data a little (zlib's bound is
    /// about n/4096 + a few bytes), so a deflated entry decides ZIP64 on <c>size + slack</c>.
    /// </summary>
    public static long DeflateSlack(long size) => (size / 1000) + (64 * 1024);

    // Extra field ids: ZIP64 (APPNOTE 4.5.3) and Info-ZIP extended timestamp (extrafld.txt).
    public const ushort Zip64ExtraId = 0x0001;
    public const ushort ExtendedTimestampId = 0x5455;
    public const byte ExtendedTimestampModifiedFlag = 0x01;

    // Fixed record lengths, before variable name/extra fields.
    public const int LocalFileHeaderLength = 30;
    public const int CentralDirectoryHeaderLength = 46;
    public const int DataDescriptorLength = 16;        // signature + crc + 2 x 4-byte size
    public const int Zip64DataDescriptorLength = 24;   // signature + crc + 2 x 8-byte size
    public const int Zip64EndOfCentralDirectoryLength = 56;
    public const int Zip64EndOfCentralDirectoryLocatorLength = 20;
    public const int EndOfCentralDirectoryLength = 22;

    // Extra field lengths, header (id + size) included.
    public const int ExtendedTimestampFieldLength = 4 + 5;  // flags(1) + mtime(4): mtime only, in both headers
    public const int LocalZip64ExtraLength = 4 + 16;        // APPNOTE 4.5.3: the local copy holds both sizes

    // Unix st_mode in the high 16 bits; MS-DOS attributes in the low byte (0x10 = directory).
    public const uint FileExternalAttributes = 0x81A4u << 16;          // S_IFREG | 0644
    public const uint DirectoryExternalAttributes = (0x41EDu << 16) | 0x10; // S_IFDIR | 0755
}
