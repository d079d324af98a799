using System.Buffers.Text;
using System.Diagnostics;

namespace RawZipServer.Tar;

/// <summary>
/// pax extended header records, <c>"%d %s=%s\n"</c> (POSIX pax, "pax Extended Header"): the
/// leading length counts the whole record, its own digits included. Values are UTF-8 by definition.
/// </summary>
internal static class PaxRecords
{
    /// <summary>Length of a record with the given key and value lengths.</summary>
    public static int Length(int keyLength, int valueLength)
    {
        int rest = 1 + keyLength + 1 + valueLength + 1; // ' ' key '=' value '\n'
        int length = rest + DecimalLength(rest);
        if (DecimalLength(length) != DecimalLength(rest))
        {
            // Counting the digits added one (rest 98: "100" is 3 digits, so the record is 101 long).
            length = rest + DecimalLength(length);
        }

        return length;
    }

    public static int DecimalLength(long value)
    {
        Debug.Assert(value >= 0);
        int digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }

        return digits;
    }

    /// <summary>Length of a time as pax writes it: seconds, and a fraction without trailing zeros when there is one.</summary>
    public static int TimeLength(long unixTicks)
    {
        Span<byte> scratch = stackalloc byte[32];
        return FormatTime(scratch, unixTicks);
    }

    /// <summary>Writes one record; returns its length.</summary>
    public static int Write(Span<byte> destination, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        int length = Length(key.Length, value.Length);
        bool ok = Utf8Formatter.TryFormat(length, destination, out int digits);
        Debug.Assert(ok);
        var rest = destination[digits..];
        rest[0] = (byte)' ';
        key.CopyTo(rest[1..]);
        rest[1 + key.Length] = (byte)'=';
        value.CopyTo(rest[(2 + key.Length)..]);
        rest[2 + key.Length + value.Length] = (byte)'\n';
        Debug.Assert(digits + 3 + key.Length + value.Length == length);
        return length;
    }

    public static int Write(Span<byte> destination, ReadOnlySpan<byte> key, long value)
    {
        Span<byte> text = stackalloc byte[20];
        Utf8Formatter.TryFormat(value, text, out int n);
        return Write(destination, key, text[..n]);
    }

    public static int WriteTime(Span<byte> destination, ReadOnlySpan<byte> key, long unixTicks)
    {
        Span<byte> text = stackalloc byte[32];
        int n = FormatTime(text, unixTicks);
        return Write(destination, key, text[..n]);
    }

    /// <summary>
    /// The exact decimal value of the time in seconds: <c>-1.5</c> is 1.5 s before 1970 (readers
    /// parse it as a decimal number, not as seconds plus a positive fraction).
    /// </summary>
    private static int FormatTime(Span<byte> destination, long unixTicks)
    {
        int n = 0;
        ulong magnitude = unixTicks < 0 ? (ulong)(-(unixTicks + 1)) + 1 : (ulong)unixTicks;
        if (unixTicks < 0)
        {
            destination[n++] = (byte)'-';
        }

        ulong seconds = magnitude / TimeSpan.TicksPerSecond, fraction = magnitude % TimeSpan.TicksPerSecond;
        Utf8Formatter.TryFormat(seconds, destination[n..], out int written);
        n += written;
        if (fraction != 0)
        {
            destination[n++] = (byte)'.';
            Utf8Formatter.TryFormat(fraction, destination[n..], out written, new System.Buffers.StandardFormat('D', 7));
            n += written;
            while (destination[n - 1] == '0')
            {
                n--;
            }
        }

        return n;
    }
}
