namespace RawZipServer.Origin;

/// <summary>A configured place files come from (SPEC §2 <c>Origins:{name}</c>).</summary>
internal abstract class Origin(string name)
{
    public string Name { get; } = name;

    /// <summary>
    /// <c>Origins:{name}:Immutable</c>: a source always has the same bytes, so a CRC-32 computed once may
    /// complete a resumed download without pinning (SPEC §3 "CRCs the manifest does not give", case 2).
    /// </summary>
    public bool Immutable { get; init; }

    /// <summary>Why <paramref name="source"/> can never be fetched from this origin, or null; checked when the manifest is read, so the answer is a 400.</summary>
    public abstract string? CheckSource(string source);

    /// <summary>Starts fetching <paramref name="source"/>: headers received, body not yet read.</summary>
    /// <exception cref="OriginException">The origin refused or failed.</exception>
    public ValueTask<OriginFile> OpenAsync(string source, CancellationToken cancellationToken) =>
        OpenAsync(source, 0, -1, null, cancellationToken);

    /// <summary>
    /// Starts fetching <paramref name="length"/> bytes of <paramref name="source"/> from <paramref name="offset"/>
    /// (<paramref name="length"/> -1: the whole file, no range), pinned to <paramref name="ifMatch"/> when given:
    /// an origin that cannot prove it serves that version refuses. The file's <see cref="OriginFile.Length"/> is
    /// then the slice's length and <see cref="OriginFile.TotalLength"/> the whole file's.
    /// </summary>
    /// <exception cref="OriginException">The origin refused, failed, or sent another slice or version.</exception>
    public abstract ValueTask<OriginFile> OpenAsync(string source, long offset, long length, string? ifMatch, CancellationToken cancellationToken);
}

/// <summary>One file being fetched: its metadata, then its bytes, read straight into the caller's memory.</summary>
internal abstract class OriginFile : IAsyncDisposable
{
    /// <summary>Length announced by the origin before the body (Content-Length, file size), or -1.</summary>
    public long Length { get; protected init; } = -1;
    /// <summary>The whole file's length (differs from <see cref="Length"/> for a slice), or -1.</summary>
    public long TotalLength { get; protected init; } = -1;
    public DateTimeOffset? LastModified { get; protected init; }
    public string? ETag { get; protected init; }

    /// <summary>Where in the whole file this one's first byte is (0 unless opened as a slice); a resume continues from here plus the bytes read.</summary>
    public long Offset { get; set; }

    /// <summary>Retries (<c>Upstream:Retries</c>) the archive has spent on this file's entry so far: opens, then resumes.</summary>
    public int RetriesUsed { get; set; }

    /// <summary>
    /// What identifies this version of the file: its strong ETag, else its Last-Modified as an HTTP date, else null.
    /// Recorded in the CRC store and used to pin later reads (<c>If-Match</c>, or comparing after opening).
    /// </summary>
    public string? Validator => ETag is { } etag && !etag.StartsWith("W/", StringComparison.Ordinal) ? etag
        : LastModified is { } modified ? modified.ToString("R", System.Globalization.CultureInfo.InvariantCulture)
        : null;

    /// <summary>Reads the next bytes into <paramref name="destination"/>; 0 at the end.</summary>
    public abstract ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>An origin could not deliver a file: before the first body byte a 502, after it an abort.</summary>
/// <param name="transient">
/// The failure may pass (connection refused or reset, timeout, 5xx, 408, 429): the open is retried up to
/// <c>Upstream:Retries</c> times. Anything else (404, 412, another slice or version) is final.
/// </param>
internal sealed class OriginException(string message, Exception? inner = null, bool transient = false) : Exception(message, inner)
{
    public bool Transient { get; } = transient;
}
