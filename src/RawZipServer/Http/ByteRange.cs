using System.Globalization;

namespace RawZipServer.Http;

internal enum ByteRangeKind
{
    /// <summary>No usable Range (absent, malformed, several ranges, or If-Range mismatch): the full 200.</summary>
    Full,
    /// <summary>One satisfiable range: 206.</summary>
    Partial,
    /// <summary>One well-formed range that starts past the end: 416.</summary>
    Unsatisfiable,
}

/// <summary>The one range of RFC 9110 §14 this server serves: <c>bytes=a-b</c>, <c>bytes=a-</c> or <c>bytes=-n</c>.</summary>
internal readonly record struct ByteRange(ByteRangeKind Kind, long Start, long End)
{
    /// <summary>Inclusive end, as Content-Range writes it.</summary>
    public long Length => End - Start + 1;

    public static readonly ByteRange Full = new(ByteRangeKind.Full, 0, -1);

    /// <summary>
    /// Evaluates <paramref name="range"/> against an archive of <paramref name="length"/> bytes. Several ranges
    /// get the full 200 (RFC 9110 allows ignoring Range; a multipart body would defeat resuming clients and
    /// CDNs alike), and so does anything malformed, as RFC 9110 §14.2 asks.
    /// </summary>
    public static ByteRange Parse(string? range, long length)
    {
        if (range is null)
        {
            return Full;
        }

        var s = range.AsSpan().Trim();
        if (!s.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return Full;
        }

        s = s[6..].Trim();
        if (s.Contains(',') || s.IndexOf('-') is not (>= 0 and var dash))
        {
            return Full;
        }

        var first = s[..dash].Trim();
        var last = s[(dash + 1)..].Trim();
        if (first.IsEmpty)
        {
            // Suffix: the last n bytes; "-0" asks for nothing, which no range can give.
            if (!TryNumber(last, out long suffix))
            {
                return Full;
            }

            return suffix == 0 || length == 0 ? new(ByteRangeKind.Unsatisfiable, 0, -1)
                : new(ByteRangeKind.Partial, Math.Max(0, length - suffix), length - 1);
        }

        if (!TryNumber(first, out long start))
        {
            return Full;
        }

        long end = length - 1;
        if (!last.IsEmpty)
        {
            if (!TryNumber(last, out end) || end < start)
            {
                return Full;
            }

            end = Math.Min(end, length - 1);
        }

        return start >= length ? new(ByteRangeKind.Unsatisfiable, 0, -1) : new(ByteRangeKind.Partial, start, end);
    }

    /// <summary>
    /// RFC 9110 §13.1.5: an entity tag matches by strong comparison (a weak one never does), a date only when it
    /// is exactly the Last-Modified sent.
    /// </summary>
    public static bool IfRangeMatches(string? ifRange, string etag, DateTimeOffset lastModified)
    {
        if (ifRange is null)
        {
            return true;
        }

        var value = ifRange.AsSpan().Trim();
        if (value.StartsWith("\"") || value.StartsWith("W/"))
        {
            return value.SequenceEqual(etag);
        }

        return DateTimeOffset.TryParseExact(value, "R", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            && date == lastModified;
    }

    private static bool TryNumber(ReadOnlySpan<char> text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
