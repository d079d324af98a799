using System.Diagnostics;
using static RawZipServer.Tar.TarConstants;

namespace RawZipServer.Tar;

/// <summary>
/// Encodes an entry's headers (ZIP-FORMAT.md §8): a pax <c>x</c> header and its records only when
/// needed, then the ustar header with <c>ustar\0</c> <c>00</c>, octal fields and the checksum.
/// Where a pax record carries the real value, the ustar field holds a best-effort one (a truncated
/// path, 0), as Python's tarfile does; pax readers override it.
/// </summary>
internal static class TarHeader
{
    /// <summary>Writes <see cref="TarEntry.HeaderLength"/> bytes into <paramref name="destination"/>.</summary>
    public static int Write(Span<byte> destination, in TarEntry e)
    {
        int length = e.HeaderLength;
        var b = destination[..length];
        b.Clear();
        long seconds = e.Seconds;
        long ustarTime = seconds < 0 ? 0 : Math.Min(seconds, MaxOctal11);
        if (e.PaxLength != 0)
        {
            WritePaxName(b[..BlockSize], e.Name);
            WriteFields(b[..BlockSize], TypePaxHeader, RegularFileMode, e.PaxLength, ustarTime);
            var records = b[BlockSize..];
            int n = 0;
            if (e.PaxPath)
            {
                n += PaxRecords.Write(records[n..], "path"u8, e.Name);
            }

            if (e.PaxSize)
            {
                n += PaxRecords.Write(records[n..], "size"u8, e.Size);
            }

            if (e.PaxMtime)
            {
                n += PaxRecords.WriteTime(records[n..], "mtime"u8, e.UnixTicks);
            }

            Debug.Assert(n == e.PaxLength);
            b = b[(BlockSize + TarEntry.Padded(e.PaxLength))..];
        }

        var header = b[..BlockSize];
        if (e.SplitAt >= 0)
        {
            e.Name.AsSpan(0, e.SplitAt).CopyTo(header[PrefixOffset..]);
            e.Name.AsSpan(e.SplitAt + 1).CopyTo(header[NameOffset..]);
        }
        else
        {
            e.Name.AsSpan(0, Math.Min(e.Name.Length, NameLength)).CopyTo(header[NameOffset..]);
        }

        WriteFields(header, e.IsDirectory ? TypeDirectory : TypeFile, e.IsDirectory ? DirectoryMode : RegularFileMode, e.PaxSize ? 0 : e.Size, ustarTime);
        return length;
    }

    /// <summary>Everything but the name: mode, ids, size, mtime, type, magic, then the checksum over the block.</summary>
    private static void WriteFields(Span<byte> header, byte type, int mode, long size, long mtime)
    {
        WriteOctal(header.Slice(ModeOffset, ModeLength), mode);
        WriteOctal(header.Slice(UidOffset, UidLength), 0);
        WriteOctal(header.Slice(GidOffset, GidLength), 0);
        WriteOctal(header.Slice(SizeOffset, SizeLength), size);
        WriteOctal(header.Slice(MtimeOffset, MtimeLength), mtime);
        header[TypeFlagOffset] = type;
        MagicAndVersion.CopyTo(header[MagicOffset..]);

        // The checksum is the sum of all bytes with the checksum field taken as eight spaces,
        // written as six octal digits, NUL, space (the form GNU tar and libarchive write).
        header.Slice(ChecksumOffset, ChecksumLength).Fill((byte)' ');
        int sum = 0;
        foreach (byte x in header)
        {
            sum += x;
        }

        WriteOctal(header.Slice(ChecksumOffset, 7), sum);
        header[ChecksumOffset + 7] = (byte)' ';
    }

    /// <summary>Zero-padded octal digits filling the field but its last byte, which is NUL.</summary>
    public static void WriteOctal(Span<byte> field, long value)
    {
        Debug.Assert(value >= 0);
        int i = field.Length - 1;
        field[i] = 0;
        while (--i >= 0)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }

        Debug.Assert(value == 0, "value too large for the field");
    }

    /// <summary>The <c>x</c> header's own name: <c>PaxHeaders/</c> + the entry's last segment in ASCII (readers show it only when they do not know pax).</summary>
    private static void WritePaxName(Span<byte> header, byte[] path)
    {
        "PaxHeaders/"u8.CopyTo(header);
        int end = path.Length;
        if (end > 0 && path[end - 1] == '/')
        {
            end--;
        }

        int start = Array.LastIndexOf(path, (byte)'/', Math.Max(end - 1, 0)) + 1;
        var field = header.Slice(11, NameLength - 11);
        int n = Math.Min(end - start, field.Length);
        for (int i = 0; i < n; i++)
        {
            byte c = path[start + i];
            field[i] = c is >= 0x20 and < 0x7F ? c : (byte)'_';
        }
    }

    /// <summary>The two zero blocks that end an archive.</summary>
    public static int WriteTrailer(Span<byte> destination)
    {
        destination[..TrailerLength].Clear();
        return TrailerLength;
    }
}
