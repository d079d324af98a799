using System.Text;

namespace RawZipServer.Manifest;

/// <summary>
/// nginx mod_zip's manifest format, so its users can switch without touching their application:
/// one file per line, <c>CRC32 SIZE LOCATION NAME</c> separated by spaces — CRC-32 as 8 hex digits
/// or <c>-</c>, LOCATION a URL-encoded path on the default origin, NAME the rest of the line.
/// Blank lines are skipped; a trailing CR is dropped.
/// </summary>
internal static class ModZipManifestParser
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static ManifestDocument Parse(ReadOnlySpan<byte> text)
    {
        string content;
        try
        {
            content = s_strictUtf8.GetString(text);
        }
        catch (DecoderFallbackException)
        {
            throw new ManifestException(400, "mod_zip manifest is not valid UTF-8");
        }

        var files = new List<ManifestFileDocument>();
        int lineNumber = 0;
        foreach (var range in content.AsSpan().Split('\n'))
        {
            lineNumber++;
            var line = content.AsSpan()[range].TrimEnd('\r');
            if (line.IsWhiteSpace())
            {
                continue;
            }

            files.Add(ParseLine(line, files.Count, lineNumber));
        }

        return new ManifestDocument { Files = files };
    }

    private static ManifestFileDocument ParseLine(ReadOnlySpan<char> line, int index, int lineNumber)
    {
        var crc = NextField(ref line);
        var size = NextField(ref line);
        var location = NextField(ref line);
        var name = line.TrimStart(' ');
        if (name.IsEmpty)
        {
            throw ManifestException.Entry(index, $"line {lineNumber} is not 'CRC32 SIZE LOCATION NAME'");
        }

        if (!long.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long length))
        {
            throw ManifestException.Entry(index, $"line {lineNumber}: size '{size}' is not a number");
        }

        return new ManifestFileDocument
        {
            Path = name.ToString(),
            Source = location.ToString(),
            Size = length,
            Crc32 = crc is "-" ? null : crc.ToString(),
        };
    }

    private static ReadOnlySpan<char> NextField(ref ReadOnlySpan<char> line)
    {
        line = line.TrimStart(' ');
        int space = line.IndexOf(' ');
        var field = space < 0 ? line : line[..space];
        line = space < 0 ? default : line[space..];
        return field;
    }
}
