namespace RawZipServer.Manifest;

/// <summary>A validated manifest: the download name and the entries, in archive order.</summary>
internal sealed class ArchiveManifest
{
    public required string FileName { get; init; }
    public ArchiveFormat Format { get; init; } = ArchiveFormat.Zip;
    public required ManifestEntry[] Entries { get; init; }

    /// <summary>Every size is in the manifest, so the archive's length is known before the first byte.</summary>
    public bool AllSizesKnown
    {
        get
        {
            foreach (var e in Entries)
            {
                if (e.Size < 0)
                {
                    return false;
                }
            }

            return true;
        }
    }
}

/// <summary>One validated file or directory of a manifest.</summary>
internal sealed class ManifestEntry
{
    /// <summary>Index in the manifest's <c>files</c> list, for error messages.</summary>
    public required int Index { get; init; }
    /// <summary>The archive path after renaming duplicates; directories end with <c>/</c>.</summary>
    public required string Path { get; init; }
    public required byte[] PathUtf8 { get; init; }
    public bool IsDirectory { get; init; }
    public string? Origin { get; init; }
    public string? Source { get; init; }
    /// <summary>-1 when the manifest does not say.</summary>
    public long Size { get; init; } = -1;
    public uint? Crc32 { get; init; }
    public DateTimeOffset? Modified { get; init; }
    public string? ETag { get; init; }
    /// <summary>The entry's data is to be deflated (zip only): its own <c>compression</c>, else the archive's, with <c>auto</c> resolved by extension.</summary>
    public bool Deflate { get; init; }
}

internal enum ArchiveFormat
{
    Zip,
    /// <summary>POSIX pax (SPEC §6).</summary>
    Tar,
}
