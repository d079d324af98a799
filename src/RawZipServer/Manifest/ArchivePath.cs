using System.Text;

namespace RawZipServer.Manifest;

/// <summary>The rules an archive path must follow (SPEC §4 "Paths", ZIP-FORMAT.md §4 item 10).</summary>
internal static class ArchivePath
{
    public const int MaxBytes = 65535; // the 16-bit name length of the ZIP headers

    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The problem with <paramref name="path"/>, or null. A directory path ends with <c>/</c>.</summary>
    public static string? Check(string path, bool isDirectory)
    {
        if (path.Length == 0)
        {
            return "path is empty";
        }

        if (path.Contains('\\'))
        {
            return "path contains a backslash ('\\' is not a separator; use '/')";
        }

        if (path[0] == '/')
        {
            return "path is absolute";
        }

        if (path.Length >= 2 && char.IsAsciiLetter(path[0]) && path[1] == ':')
        {
            return "path starts with a drive letter";
        }

        foreach (char c in path)
        {
            if (char.IsControl(c))
            {
                return "path contains a control character";
            }
        }

        int byteCount;
        try
        {
            byteCount = s_strictUtf8.GetByteCount(path);
        }
        catch (EncoderFallbackException)
        {
            return "path is not valid Unicode";
        }

        if (byteCount > MaxBytes)
        {
            return $"path is longer than {MaxBytes} bytes";
        }

        var segments = isDirectory ? path.AsSpan(0, path.Length - 1) : path.AsSpan();
        foreach (var range in segments.Split('/'))
        {
            var segment = segments[range];
            if (segment.IsEmpty)
            {
                return "path has an empty segment";
            }

            if (segment is "." or "..")
            {
                return "path has a '.' or '..' segment";
            }
        }

        return null;
    }

    /// <summary>
    /// <c>dir/name.ext</c> → <c>dir/name (n).ext</c>. The extension is the last one, or a whole
    /// <c>.tar.*</c> double extension; a leading dot (<c>.bashrc</c>) starts no extension.
    /// </summary>
    public static string WithNumber(string path, int n)
    {
        int nameStart = path.LastIndexOf('/') + 1;
        var name = path.AsSpan(nameStart);
        int dot = name.LastIndexOf('.');
        if (dot > 0)
        {
            int tar = name[..dot].LastIndexOf(".tar", StringComparison.OrdinalIgnoreCase);
            if (tar > 0 && tar + 4 == dot)
            {
                dot = tar;
            }
        }

        int extensionStart = dot > 0 ? nameStart + dot : path.Length;
        return $"{path.AsSpan(0, extensionStart)} ({n}){path.AsSpan(extensionStart)}";
    }
}
