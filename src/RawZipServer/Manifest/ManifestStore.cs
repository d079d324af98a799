using System.Buffers;

namespace RawZipServer.Manifest;

/// <summary>
/// Finds manifest <c>{id}</c> in <c>Manifests:Directory</c> (<c>{id}.json</c>, else the mod_zip text <c>{id}.txt</c>) per request, so files added while the
/// server runs are served; an id not found there is asked of the backend (<c>Manifests:BackendUrl</c>), when
/// there is one. The id pattern (SPEC §3) keeps the lookup inside the folder and the backend URL.
/// </summary>
internal sealed class ManifestStore(string? directory, ManifestReader reader, long maxManifestBytes, BackendManifestSource? backend = null)
{
    public ManifestReader Reader => reader;

    public long MaxManifestBytes => maxManifestBytes;

    public static bool IsValidId(ReadOnlySpan<char> id)
    {
        if (id.Length is 0 or > 200)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <exception cref="ManifestException">404 when there is no such manifest, 413 when it is too large, 400 when invalid.</exception>
    public ValueTask<ArchiveManifest> LoadAsync(string id, CancellationToken cancellationToken) => LoadAsync(id, BackendRequest.None, cancellationToken);

    /// <exception cref="ManifestException">As above; from the backend also its 401/403/404/410, and 502 when it fails.</exception>
    public async ValueTask<ArchiveManifest> LoadAsync(string id, BackendRequest request, CancellationToken cancellationToken)
    {
        bool modZip = false;
        string? path = directory is null ? null : Path.Join(directory, id + ".json");
        if (path is not null && !File.Exists(path))
        {
            path = Path.Join(directory, id + ".txt");
            modZip = true;
        }

        if (path is null || !File.Exists(path))
        {
            if (backend is not null)
            {
                return await backend.LoadAsync(id, request, cancellationToken).ConfigureAwait(false);
            }

            throw new ManifestException(404, $"no manifest '{id}'");
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        long length = RandomAccess.GetLength(handle);
        if (length > maxManifestBytes)
        {
            throw new ManifestException(413, $"manifest '{id}' is {length} bytes, more than Limits:MaxManifestBytes ({maxManifestBytes})");
        }

        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            int read = 0;
            while (read < length)
            {
                int n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(read, (int)length - read), read, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            var bytes = buffer.AsSpan(0, read);
            return modZip ? reader.ReadModZip(bytes, id) : reader.Read(bytes, id);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
