using System.Runtime.CompilerServices;
using Microsoft.Win32.SafeHandles;

namespace RawZipServer.Origin;

/// <summary>
/// Files under a local directory. A requested path is resolved like realpath(3), every symlink on
/// the way included, and must end under the root's real path: neither <c>..</c> nor a link leads out.
/// </summary>
internal sealed class DirectoryOrigin : Origin
{
    private readonly string _root;

    public DirectoryOrigin(string name, string directory) : base(name)
    {
        _root = Path.TrimEndingDirectorySeparator(RealPath(Path.GetFullPath(directory)) ?? throw new DirectoryNotFoundException(directory));
    }

    public override string? CheckSource(string source) => SourcePath.Check(source, allowQuery: false);

    public override ValueTask<OriginFile> OpenAsync(string source, long offset, long length, string? ifMatch, CancellationToken cancellationToken)
    {
        try
        {
            string path = Resolve(source) ?? throw new OriginException($"origin '{Name}' has no file '{source}'");
            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous | FileOptions.SequentialScan);
            var file = new LocalFile(handle, offset, length);
            // Checked on the open handle, so the bytes read are those of the version compared.
            string? problem = ifMatch is not null && ifMatch != file.Validator ? $"'{source}' is no longer {ifMatch}"
                : offset < 0 || file.Length < 0 ? $"bytes {offset}+{length} are outside '{source}' ({file.TotalLength} bytes)"
                : null;
            if (problem is not null)
            {
                handle.Dispose();
                throw new OriginException($"origin '{Name}': {problem}");
            }

            return ValueTask.FromResult<OriginFile>(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new OriginException($"origin '{Name}' cannot open '{source}': {ex.Message}", ex);
        }
    }

    /// <summary>The real path of a regular file under the root, or null.</summary>
    private string? Resolve(string source)
    {
        string? path = RealPath(Path.Join(_root, Path.Join(SourcePath.DecodedSegments(source))));
        return path is not null && IsUnderRoot(path) && File.Exists(path) ? path : null;
    }

    private bool IsUnderRoot(string path) =>
        path.Length > _root.Length && path.StartsWith(_root, StringComparison.Ordinal) && path[_root.Length] == Path.DirectorySeparatorChar;

    /// <summary>
    /// POSIX realpath(3) over an absolute path: each component in turn, every symlink replaced by its
    /// target (whose own components are resolved the same way), <c>..</c> applied to the resolved
    /// parent. Null on a loop (more than 40 links, Linux's limit).
    /// </summary>
    private static string? RealPath(string absolutePath)
    {
        const int MaxLinks = 40;
        var pending = new List<string>(absolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries));
        string current = "/";
        int links = 0;
        for (int i = 0; i < pending.Count; i++)
        {
            string segment = pending[i];
            if (segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? "/";
                continue;
            }

            string next = Path.Join(current, segment);
            string? target = new FileInfo(next).LinkTarget;
            if (target is null)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                return null;
            }

            // Restart from the link's target: absolute, or relative to the folder holding the link.
            var rest = pending.GetRange(i + 1, pending.Count - i - 1);
            pending = [.. target.Split('/', StringSplitOptions.RemoveEmptyEntries), .. rest];
            if (target.StartsWith('/'))
            {
                current = "/";
            }

            i = -1;
        }

        return current;
    }

    private sealed class LocalFile : OriginFile
    {
        private readonly SafeFileHandle _handle;
        private readonly long _end;
        private long _position;

        /// <summary>A negative <see cref="OriginFile.Length"/> tells the caller the slice is outside the file.</summary>
        public LocalFile(SafeFileHandle handle, long offset, long length)
        {
            _handle = handle;
            TotalLength = RandomAccess.GetLength(handle);
            Length = length < 0 ? TotalLength - offset : offset + length <= TotalLength ? length : -1;
            _position = offset;
            _end = offset + Math.Max(Length, 0);
            var modified = File.GetLastWriteTimeUtc(handle);
            LastModified = new DateTimeOffset(modified, TimeSpan.Zero);
            ETag = $"\"{modified.Ticks:x}-{TotalLength:x}\"";
        }

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            if (destination.Length > _end - _position)
            {
                destination = destination[..(int)(_end - _position)];
            }

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
