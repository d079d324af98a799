using System.Text;

namespace RawZipServer.Tar;

/// <summary>
/// One tar member as the writer sees it, and the header decisions taken from it (ZIP-FORMAT.md §8):
/// where the path splits into ustar prefix/name, and which pax records are needed.
/// One array of these per archive.
/// </summary>
internal struct TarEntry
{
    /// <summary>UTF-8 path, <c>/</c>-separated; ends with <c>/</c> for a directory.</summary>
    public byte[] Name;
    public bool IsDirectory;
    /// <summary>Size in bytes; must be known before <see cref="Decide"/>.</summary>
    public long Size;
    /// <summary>Modification time in 100 ns ticks since 1970-01-01T00:00:00Z (negative before).</summary>
    public long UnixTicks;

    // Set by Decide().
    /// <summary>Index of the '/' that splits the path into prefix and name, or -1 when the name field holds it all (or it does not fit).</summary>
    public int SplitAt;
    public bool PaxPath;
    public bool PaxSize;
    public bool PaxMtime;
    /// <summary>Bytes of pax records, 0 when no extended header is needed.</summary>
    public int PaxLength;

    // Learned while writing.
    public long Offset;

    public void Decide()
    {
        if (IsDirectory)
        {
            Size = 0;
        }

        SplitAt = -1;
        bool fits = Name.Length <= TarConstants.NameLength || TrySplit(Name, out SplitAt);
        PaxPath = !fits || !Ascii.IsValid(Name);
        PaxSize = Size > TarConstants.MaxOctal11;
        long seconds = Seconds;
        PaxMtime = seconds < 0 || seconds > TarConstants.MaxOctal11 || SubSecondTicks != 0;
        PaxLength = (PaxPath ? PaxRecords.Length("path"u8.Length, Name.Length) : 0)
            + (PaxSize ? PaxRecords.Length("size"u8.Length, PaxRecords.DecimalLength(Size)) : 0)
            + (PaxMtime ? PaxRecords.Length("mtime"u8.Length, PaxRecords.TimeLength(UnixTicks)) : 0);
    }

    /// <summary>Whole seconds, rounded down (also before 1970).</summary>
    public readonly long Seconds => (UnixTicks / TimeSpan.TicksPerSecond) - (UnixTicks % TimeSpan.TicksPerSecond < 0 ? 1 : 0);

    public readonly long SubSecondTicks => UnixTicks - (Seconds * TimeSpan.TicksPerSecond);

    /// <summary>The extended header (if any) and the ustar header.</summary>
    public readonly int HeaderLength => (PaxLength == 0 ? 0 : TarConstants.BlockSize + Padded(PaxLength)) + TarConstants.BlockSize;

    /// <summary>Header, data and the data's padding to a whole block.</summary>
    public readonly long TotalLength => HeaderLength + Padded(Size);

    public static long Padded(long length) => (length + TarConstants.BlockSize - 1) & ~(long)(TarConstants.BlockSize - 1);

    public static int Padded(int length) => (int)Padded((long)length);

    /// <summary>ustar: prefix (≤ 155 bytes) '/' name (1–100 bytes), split only at a '/'.</summary>
    private static bool TrySplit(byte[] path, out int splitAt)
    {
        // The name part must be non-empty, so a directory's trailing '/' is never the split.
        for (int i = Math.Max(1, path.Length - TarConstants.NameLength - 1); i <= TarConstants.PrefixLength && i < path.Length - 1; i++)
        {
            if (path[i] == '/')
            {
                splitAt = i;
                return true;
            }
        }

        splitAt = -1;
        return false;
    }
}
