namespace RawZipServer.Manifest;

/// <summary>
/// Makes archive paths unique the way zipstream-ng and browsers do: a later file whose path equals
/// an earlier one, ignoring case (Windows and macOS would overwrite it), becomes <c>name (2).ext</c>.
/// A file that is also a folder of another entry cannot be renamed into sense and is refused.
/// </summary>
internal static class DuplicateNames
{
    public static ManifestEntry[] Resolve(List<ManifestEntry> entries)
    {
        // Every folder some entry implies ("a" and "a/b" for "a/b/c.txt"), first entry that implies it.
        var folders = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in entries)
        {
            string path = e.IsDirectory ? e.Path[..^1] : e.Path;
            for (int slash = path.IndexOf('/'); ; slash = path.IndexOf('/', slash + 1))
            {
                string folder = slash < 0 ? path : path[..slash];
                if (slash >= 0 || e.IsDirectory)
                {
                    folders.TryAdd(folder, e.Index);
                }

                if (slash < 0)
                {
                    break;
                }
            }
        }

        var files = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var directories = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var result = new List<ManifestEntry>(entries.Count);
        foreach (var e in entries)
        {
            if (e.IsDirectory)
            {
                if (files.TryGetValue(e.Path[..^1], out int file))
                {
                    throw Clash(file, e);
                }

                if (directories.Add(e.Path))
                {
                    result.Add(e); // a repeated folder adds nothing, so it is dropped
                }

                continue;
            }

            if (folders.TryGetValue(e.Path, out int folderEntry))
            {
                throw Clash(e.Index, entries[folderEntry]);
            }

            string path = e.Path;
            for (int n = 2; files.ContainsKey(path) || folders.ContainsKey(path); n++)
            {
                path = ArchivePath.WithNumber(e.Path, n);
            }

            files.Add(path, e.Index);
            result.Add(path == e.Path ? e : Renamed(e, path));
        }

        return [.. result];
    }

    private static ManifestException Clash(int fileIndex, ManifestEntry folder) =>
        new(400, $"manifest entry {fileIndex}: its path is a file, but entry {folder.Index} ('{folder.Path}') uses it as a folder");

    private static ManifestEntry Renamed(ManifestEntry e, string path) => new()
    {
        Index = e.Index,
        Path = path,
        PathUtf8 = System.Text.Encoding.UTF8.GetBytes(path),
        Origin = e.Origin,
        Source = e.Source,
        Size = e.Size,
        Crc32 = e.Crc32,
        Modified = e.Modified,
        ETag = e.ETag,
        Deflate = e.Deflate,
    };
}
