using Microsoft.Win32.SafeHandles;

namespace RawZipServer.Origin;

/// <summary>
/// Files under a local directory. Every path component is checked as it is walked, symlinks
/// resolved, so neither <c>..</c> nor a link can lead outside the root.
/// </summary>
internal sealed class DirectoryOrigin : Origin
{
    private readonly string _root;

    public DirectoryOrigin(string name, string directory) : base(name)
    {
        _root = Path.TrimEndingDirectorySeparator(RealPath(directory));
    }

    /// <summary>The path with every symlink on the way resolved, so the root compares with resolved targets.</summary>
    private static string RealPath(string path)
    {
        string current = Path.GetPathRoot(Path.GetFullPath(path))!;
        foreach (string segment in Path.GetFullPath(path)[current.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Join(current, segment);
            if (new FileInfo(current).ResolveLinkTarget(returnFinalTarget: true) is { } target)
            {
                current = target.FullName;
            }
        }

        return current;
    }

    public override string? CheckSource(string source) => SourcePath.Check(source, allowQuery: false);

    public override ValueTask<OriginFile> OpenAsync(string source, CancellationToken cancellationToken)
    {
        string path = Resolve(source) ?? throw new OriginException($"origin '{Name}' has no file '{source}'");
        try
        {
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.SequentialScan);
            return ValueTask.FromResult<OriginFile>(new LocalFile(handle));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OriginException($"origin '{Name}' cannot open '{source}': {ex.Message}", ex);
        }
    }

    /// <summary>The real path of a regular file under the root, or null.</summary>
    private string? Resolve(string source)
    {
        string current = _root;
        foreach (string segment in SourcePath.DecodedSegments(source))
        {
            current = Path.Join(current, segment);
            var info = new FileInfo(current);
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !target.Exists && !Directory.Exists(target.FullName))
                {
                    return null;
                }

                current = target.FullName;
            }

            if (!IsUnderRoot(current))
            {
                return null;
            }
        }

        return File.Exists(current) ? current : null;
    }

    private bool IsUnderRoot(string path) =>
        path.Length > _root.Length && path.StartsWith(_root, StringComparison.Ordinal) && path[_root.Length] == Path.DirectorySeparatorChar;

    private sealed class LocalFile : OriginFile
    {
        private readonly SafeFileHandle _handle;
        private long _position;

        public LocalFile(SafeFileHandle handle)
        {
            _handle = handle;
            Length = RandomAccess.GetLength(handle);
            var modified = File.GetLastWriteTimeUtc(handle);
            LastModified = new DateTimeOffset(modified, TimeSpan.Zero);
            ETag = $"\"{modified.Ticks:x}-{Length:x}\"";
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            int n = await RandomAccess.ReadAsync(_handle, destination, _position, cancellationToken).ConfigureAwait(false);
            _position += n;
            return n;
        }

        public override ValueTask DisposeAsync()
        {
            _handle.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
