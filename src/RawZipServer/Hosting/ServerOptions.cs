namespace RawZipServer.Hosting;

/// <summary>The server's configuration (SPEC §2), bound and checked at startup so bad values fail there, not under load.</summary>
internal sealed class ServerOptions
{
    public required IReadOnlyList<Uri> Listen { get; init; }
    public required IReadOnlyList<OriginOptions> Origins { get; init; }
    public string? DefaultOrigin { get; init; }
    public string? ManifestsDirectory { get; init; }
    public BackendOptions? Backend { get; init; }
    public AuthOptions Auth { get; init; } = new();
    public LimitsOptions Limits { get; init; } = new();
    public UpstreamOptions Upstream { get; init; } = new();
    /// <summary><c>Shutdown:DrainTimeout</c>: after SIGTERM/SIGINT, how long in-flight archives may go on before the rest are aborted.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public LoggingOptions Logging { get; init; } = new();
    /// <summary><c>Tls:*</c>, required when a <c>Listen</c> address is https.</summary>
    public TlsOptions? Tls { get; init; }
    public string? CacheControl { get; init; }
    /// <summary><c>Ranges:MaxCrcReadBytes</c>: origin bytes a range may read to compute missing CRC-32s before answering the full 200 instead.</summary>
    public long MaxCrcReadBytes { get; init; } = 4L << 30;
    /// <summary><c>CrcStore:MaxEntries</c>: files the in-memory CRC store remembers (least recently used go first).</summary>
    public int CrcStoreMaxEntries { get; init; } = 1_000_000;
    /// <summary><c>Compression:Level</c> for deflated entries; Fastest because the server is usually CPU-bound per core long before the network is.</summary>
    public System.IO.Compression.CompressionLevel CompressionLevel { get; init; } = System.IO.Compression.CompressionLevel.Fastest;

    /// <summary>
    /// Bytes asked of the response pipe per origin read: one read, one CRC pass and one flush per
    /// block. 64 KiB matches Kestrel's default write-buffer threshold; issue 6 measures other sizes.
    /// Only while the client keeps up: an archive's first 8 MiB and clients slower than 1 MiB/s are asked
    /// one transport pool block at a time (<c>ArchiveStreamer.Pump.cs</c>, perf/README.md § make slow).
    /// </summary>
    public int ReadBufferBytes { get; init; } = 64 * 1024;
}

internal sealed class OriginOptions
{
    public required string Name { get; init; }
    public Uri? BaseUrl { get; init; }
    public string? Directory { get; init; }
    public bool Synthetic { get; init; }
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    public bool Immutable { get; init; }
}

/// <summary>Defaults as SPEC §2 gives them.</summary>
internal sealed class LimitsOptions
{
    public int MaxConcurrentArchives { get; init; } = 10000;
    /// <summary>Open client connections, idle keep-alive ones included; past it Kestrel closes new connections at once. Null: no limit.</summary>
    public long? MaxConcurrentConnections { get; init; }
    public int MaxEntries { get; init; } = 1_000_000;
    public long MaxManifestBytes { get; init; } = 64L * 1024 * 1024;
    /// <summary>Request line plus headers; Kestrel's default is the same 32 KiB.</summary>
    public int MaxRequestHeadersBytes { get; init; } = 32 * 1024;
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan ClientIdleTimeout { get; init; } = TimeSpan.FromMinutes(1);
}

internal sealed class UpstreamOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int Retries { get; init; } = 3;
    public int Prefetch { get; init; } = 4;
}

/// <summary><c>Manifests:BackendUrl</c> and friends (SPEC §3 "Backend manifests").</summary>
internal sealed class BackendOptions
{
    public required Uri Url { get; init; }
    /// <summary>Request headers passed on to the backend, as configured (<c>Manifests:ForwardHeaders</c>).</summary>
    public IReadOnlyList<string> ForwardHeaders { get; init; } = ["Authorization", "Cookie"];
    /// <summary>Bounds the whole backend exchange, headers and body (<c>Manifests:BackendTimeout</c>).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary><c>Auth:*</c>: bearer keys for <c>POST /archive</c> and the secret of signed links.</summary>
internal sealed class AuthOptions
{
    public IReadOnlyList<string> ApiKeys { get; init; } = [];
    public string? SigningSecret { get; init; }
}

/// <summary>The server's own <c>Logging:*</c> keys (the rest of <c>Logging</c> configures Microsoft.Extensions.Logging).</summary>
internal sealed class LoggingOptions
{
    /// <summary>Peers whose <c>X-Forwarded-For</c> the access log believes (<c>Logging:TrustedProxies</c>: addresses or CIDR networks).</summary>
    public IReadOnlyList<System.Net.IPNetwork> TrustedProxies { get; init; } = [];
}

/// <summary><c>Tls:CertificatePath</c> with <c>Tls:KeyPath</c> (PEM) or <c>Tls:CertificatePassword</c> (PFX), loaded at startup.</summary>
internal sealed class TlsOptions
{
    public required System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate { get; init; }
}
