namespace RawZipServer.Tar;

/// <summary>POSIX ustar header fields (IEEE 1003.1 "pax" format, ustar Interchange Format), by name.</summary>
internal static class TarConstants
{
    public const int BlockSize = 512;
    /// <summary>Two zero blocks end the archive; GNU tar warns "A lone zero block" with one.</summary>
    public const int TrailerLength = 2 * BlockSize;

    // Field offsets and lengths of the 512-byte ustar header.
    public const int NameOffset = 0, NameLength = 100;
    public const int ModeOffset = 100, ModeLength = 8;
    public const int UidOffset = 108, UidLength = 8;
    public const int GidOffset = 116, GidLength = 8;
    public const int SizeOffset = 124, SizeLength = 12;
    public const int MtimeOffset = 136, MtimeLength = 12;
    public const int ChecksumOffset = 148, ChecksumLength = 8;
    public const int TypeFlagOffset = 156;
    public const int MagicOffset = 257;   // "ustar\0" then version "00"
    public const int PrefixOffset = 345, PrefixLength = 155;

    public const byte TypeFile = (byte)'0';
    public const byte TypeDirectory = (byte)'5';
    /// <summary>pax extended header: records for the one entry that follows.</summary>
    public const byte TypePaxHeader = (byte)'x';

    public const int RegularFileMode = 0x1A4;       // 0644
    public const int DirectoryMode = 0x1ED;  // 0755

    /// <summary>The largest value 11 octal digits hold (077777777777 = 8 GiB - 1), for size and mtime.</summary>
    public const long MaxOctal11 = (1L << 33) - 1;

    public static ReadOnlySpan<byte> MagicAndVersion => "ustar\000"u8;
}
