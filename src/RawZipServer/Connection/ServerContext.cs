using RawZipServer.Auth;
using RawZipServer.Hosting;
using RawZipServer.Manifest;
using RawZipServer.Metrics;
using RawZipServer.Origin;

namespace RawZipServer.Connection;

/// <summary>What every connection shares: options, manifests, origins, metrics and the archive counter.</summary>
internal sealed class ServerContext(ServerOptions options, ManifestStore manifests, OriginRegistry origins, ServerMetrics metrics)
{
    private int _activeArchives;

    public ServerOptions Options { get; } = options;
    public ManifestStore Manifests { get; } = manifests;
    public OriginRegistry Origins { get; } = origins;
    public ServerMetrics Metrics { get; } = metrics;
    /// <summary>Renders <see cref="Metrics"/> for <c>GET /metrics</c>; disposed by the host.</summary>
    public PrometheusExporter Exporter { get; } = new(metrics.Meter);
    /// <summary>The client address of access-log lines (X-Forwarded-For believed from <c>Logging:TrustedProxies</c> only).</summary>
    public ClientAddress ClientAddresses { get; } = new(options.Logging.TrustedProxies);
    public ApiKeys ApiKeys { get; } = new(options.Auth.ApiKeys);
    public LinkSignature? Signature { get; } = options.Auth.SigningSecret is { } secret ? new LinkSignature(secret) : null;

    /// <summary>Forwarded headers the parser keeps beyond Authorization and Cookie, which it always keeps.</summary>
    public string[] ExtraForwardHeaders { get; } = options.Backend is { } backend
        ? [.. backend.ForwardHeaders.Where(h => !h.Equals("Authorization", StringComparison.OrdinalIgnoreCase) && !h.Equals("Cookie", StringComparison.OrdinalIgnoreCase))]
        : [];

    public byte[]? CacheControl { get; } = options.CacheControl is null ? null : System.Text.Encoding.ASCII.GetBytes(options.CacheControl);

    /// <summary>Origin versions and CRC-32s seen while streaming, for ranges that resume a download (SPEC §3).</summary>
    public Archive.ICrcStore CrcStore { get; } = new Archive.MemoryCrcStore(options.CrcStoreMaxEntries);

    public int ActiveArchives => Volatile.Read(ref _activeArchives);

    private volatile bool _draining;

    /// <summary>Set on SIGTERM: <c>/healthz</c> answers 503 and new archives are refused with 503 while the in-flight ones finish.</summary>
    public bool Draining => _draining;

    public void BeginDrain() => _draining = true;

    /// <summary>Counts an archive in, unless <c>Limits:MaxConcurrentArchives</c> are already streaming.</summary>
    public bool TryEnterArchive()
    {
        if (Interlocked.Increment(ref _activeArchives) > Options.Limits.MaxConcurrentArchives)
        {
            Interlocked.Decrement(ref _activeArchives);
            return false;
        }

        return true;
    }

    public void ExitArchive() => Interlocked.Decrement(ref _activeArchives);
}
