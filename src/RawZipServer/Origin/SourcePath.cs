using System.Buffers;

namespace RawZipServer.Origin;

/// <summary>
/// Rules for a manifest <c>source</c> on HTTP and directory origins: a path (and, for HTTP, a query)
/// relative to the origin that can never leave it — no scheme, no authority, no <c>.</c>/<c>..</c>
/// segments even when percent-encoded, no backslashes, no encoded separators.
/// </summary>
internal static class SourcePath
{
    private static readonly SearchValues<char> s_forbidden = SearchValues.Create("\\#");

    /// <summary>The problem with <paramref name="source"/>, or null.</summary>
    public static string? Check(string source, bool allowQuery)
    {
        if (source.Length == 0)
        {
            return "source is empty";
        }

        int q = source.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0 && !allowQuery)
        {
            return "source of a directory origin has a query";
        }

        var path = q < 0 ? source.AsSpan() : source.AsSpan(0, q);
        foreach (char c in source)
        {
            if (char.IsControl(c))
            {
                return "control character in source";
            }
        }

        if (path.ContainsAny(s_forbidden))
        {
            return "source contains a backslash or '#'";
        }

        if (path.StartsWith("//"))
        {
            return "source starts with '//'";
        }

        int colon = path.IndexOf(':');
        int slash = path.IndexOf('/');
        if (colon >= 0 && (slash < 0 || colon < slash))
        {
            return "source looks like an absolute URL";
        }

        var segments = path.StartsWith('/') ? path[1..] : path;
        if (segments.IsEmpty)
        {
            return "source names no file";
        }

        foreach (var range in segments.Split('/'))
        {
            string segment;
            try
            {
                segment = Uri.UnescapeDataString(segments[range].ToString());
            }
            catch (UriFormatException)
            {
                return "source has a bad percent-escape";
            }

            if (segment.Length == 0)
            {
                return "source has an empty path segment";
            }

            if (segment is "." or ".." || segment.Contains('/') || segment.Contains('\\'))
            {
                return "source has a '.', '..' or encoded separator segment";
            }
        }

        return null;
    }

    /// <summary>The relative, percent-decoded segments of a checked source.</summary>
    public static string[] DecodedSegments(string source)
    {
        var path = source.StartsWith('/') ? source[1..] : source;
        string[] segments = path.Split('/');
        for (int i = 0; i < segments.Length; i++)
        {
            segments[i] = Uri.UnescapeDataString(segments[i]);
        }

        return segments;
    }
}
