using System.Globalization;
using System.Text;

namespace RawZipServer.UnitTests.Infrastructure;

/// <summary>
/// An independent tar reader for tests, written from the POSIX pax description rather than from
/// the server's code: checks every header's magic and checksum, applies pax records, and returns
/// the members with their data.
/// </summary>
internal static class TarInspector
{
    internal sealed record Member(string Path, char Type, long Size, int Mode, decimal Mtime, byte[] Data, IReadOnlyDictionary<string, string> Pax);

    public static List<Member> Read(byte[] archive, bool withData = true)
    {
        var members = new List<Member>();
        Dictionary<string, string>? pax = null;
        int position = 0;
        while (true)
        {
            Assert.True(position + 512 <= archive.Length, $"archive ends inside a header at {position}");
            var header = archive.AsSpan(position, 512);
            if (header.IndexOfAnyExcept((byte)0) < 0)
            {
                var next = archive.AsSpan(position + 512, 512);
                Assert.True(next.IndexOfAnyExcept((byte)0) < 0, "a lone zero block");
                Assert.Equal(archive.Length, position + 1024);
                Assert.Null(pax);
                return members;
            }

            Assert.Equal("ustar\0"u8.ToArray(), header.Slice(257, 6).ToArray());
            Assert.Equal("00"u8.ToArray(), header.Slice(263, 2).ToArray());
            long sum = 0;
            for (int i = 0; i < 512; i++)
            {
                sum += i is >= 148 and < 156 ? ' ' : header[i];
            }

            Assert.Equal(sum, Octal(header.Slice(148, 8)));
            char type = (char)header[156];
            long size = Octal(header.Slice(124, 12));
            int mode = (int)Octal(header.Slice(100, 8));
            decimal mtime = Octal(header.Slice(136, 12));
            string name = Text(header[..100]);
            string prefix = Text(header.Slice(345, 155));
            string path = prefix.Length > 0 ? prefix + "/" + name : name;
            position += 512;

            if (type == 'x')
            {
                Assert.Null(pax);
                pax = ParsePax(archive.AsSpan(position, (int)size));
                position += Padded(size);
                continue;
            }

            if (pax is not null)
            {
                if (pax.TryGetValue("path", out var p)) path = p;
                if (pax.TryGetValue("size", out var s)) size = long.Parse(s, CultureInfo.InvariantCulture);
                if (pax.TryGetValue("mtime", out var t)) mtime = decimal.Parse(t, CultureInfo.InvariantCulture);
            }

            byte[] data = withData ? archive.AsSpan(position, (int)size).ToArray() : [];
            var padding = withData ? archive.AsSpan(position + (int)size, Padded(size) - (int)size) : default;
            Assert.True(padding.IndexOfAnyExcept((byte)0) < 0, "padding must be zeros");
            members.Add(new Member(path, type, size, mode, mtime, data, pax ?? new Dictionary<string, string>()));
            pax = null;
            position += withData ? Padded(size) : 0;
            if (!withData)
            {
                return members;
            }
        }
    }

    /// <summary>Parses "len key=value\n" records, checking each length counts the whole record.</summary>
    public static Dictionary<string, string> ParsePax(ReadOnlySpan<byte> data)
    {
        var result = new Dictionary<string, string>();
        while (!data.IsEmpty)
        {
            int space = data.IndexOf((byte)' ');
            int length = int.Parse(Encoding.ASCII.GetString(data[..space]), CultureInfo.InvariantCulture);
            var record = data[..length];
            Assert.Equal((byte)'\n', record[^1]);
            var kv = record[(space + 1)..^1];
            int eq = kv.IndexOf((byte)'=');
            result[Encoding.UTF8.GetString(kv[..eq])] = Encoding.UTF8.GetString(kv[(eq + 1)..]);
            data = data[length..];
        }

        return result;
    }

    private static long Octal(ReadOnlySpan<byte> field)
    {
        long value = 0;
        foreach (byte b in field)
        {
            if (b is 0 or (byte)' ')
            {
                break;
            }

            Assert.InRange(b, (byte)'0', (byte)'7');
            value = (value * 8) + (b - '0');
        }

        return value;
    }

    private static string Text(ReadOnlySpan<byte> field)
    {
        int end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }

    private static int Padded(long size) => (int)((size + 511) & ~511L);
}
