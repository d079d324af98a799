namespace RawZipServer.Origin;

/// <summary>A configured place files come from (SPEC §2 <c>Origins:{name}</c>).</summary>
internal abstract class Origin(string name)
{
    public string Name { get; } = name;

    /// <summary>Why <paramref name="source"/> can never be fetched from this origin, or null; checked when the manifest is read, so the answer is a 400.</summary>
    public abstract string? CheckSource(string source);

    /// <summary>Starts fetching <paramref name="source"/>: headers received, body not yet read.</summary>
    /// <exception cref="OriginException">The origin refused or failed.</exception>
    public abstract ValueTask<OriginFile> OpenAsync(string source, CancellationToken cancellationToken);
}

/// <summary>One file being fetched: its metadata, then its bytes, read straight into the caller's memory.</summary>
internal abstract class OriginFile : IAsyncDisposable
{
    /// <summary>Length announced by the origin before the body (Content-Length, file size), or -1.</summary>
    public long Length { get; protected init; } = -1;
    public DateTimeOffset? LastModified { get; protected init; }
    public string? ETag { get; protected init; }

    /// <summary>Reads the next bytes into <paramref name="destination"/>; 0 at the end.</summary>
    public abstract ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();
}

/// <summary>An origin could not deliver a file: before the first body byte a 502, after it an abort.</summary>
internal sealed class OriginException(string message, Exception? inner = null) : Exception(message, inner);
