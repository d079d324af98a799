namespace RawZipServer.Manifest;

/// <summary>
/// File types that are compressed already, by extension: <c>"compression": "auto"</c> stores them,
/// since deflating them again costs CPU and gains nothing (often a few bytes more).
/// </summary>
internal static class CompressedTypes
{
    private static readonly HashSet<string> s_extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        // images
        "jpg", "jpeg", "png", "gif", "webp", "heic", "avif",
        // video and audio
        "mp4", "mov", "mkv", "webm", "avi", "mp3", "aac", "m4a", "ogg", "opus", "flac",
        // archives and compressed streams
        "zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar",
        // documents that are ZIP or deflate inside
        "pdf", "docx", "xlsx", "pptx", "odt", "ods", "odp", "epub", "jar", "apk",
    };

    /// <summary>True when the last segment of <paramref name="path"/> has one of the extensions above.</summary>
    public static bool IsCompressed(string path)
    {
        int slash = path.LastIndexOf('/');
        int dot = path.LastIndexOf('.');
        return dot > slash + 1 && s_extensions.Contains(path[(dot + 1)..]);
    }
}
