using System.Diagnostics.Metrics;

namespace RawZipServer.Metrics;

/// <summary>
/// The server's instruments, on a <see cref="Meter"/> named "RawZipServer" (so <c>dotnet-counters monitor
/// -n rawzip --counters RawZipServer</c> sees them too). One instance per running server: tests start many
/// servers in one process, and <see cref="PrometheusExporter"/> listens to its own meter instance only.
/// Recording is a listener callback and an interlocked add: no lock, no allocation.
/// </summary>
internal sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "RawZipServer";

    /// <summary>
    /// The one tag of each tagged instrument, and the values whose series start at 0 so a rate() over them works
    /// from the first scrape. Instruments not named here are untagged, and their single series starts at 0.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string Tag, string[] Values)> KnownTags = new Dictionary<string, (string, string[])>
    {
        ["rawzip.archives.aborted"] = ("reason", [AbortReason.Origin, AbortReason.Client]),
        ["rawzip.archives.refused"] = ("status", []),
        ["rawzip.origin.requests"] = ("origin", []),
        ["rawzip.origin.retries"] = ("reason", [RetryReason.Open, RetryReason.Read]),
    };

    public ServerMetrics()
    {
        Meter = new Meter(MeterName);
        ArchivesStarted = Meter.CreateCounter<long>("rawzip.archives.started", "{archive}", "Archive responses whose head was sent with a body to follow");
        ArchivesCompleted = Meter.CreateCounter<long>("rawzip.archives.completed", "{archive}", "Archives sent in full");
        ArchivesAborted = Meter.CreateCounter<long>("rawzip.archives.aborted", "{archive}", "Archives cut short after their first byte, by reason (origin: an origin failed or contradicted the manifest; client: the client went away or stalled)");
        ArchivesRefused = Meter.CreateCounter<long>("rawzip.archives.refused", "{archive}", "Archive requests answered with an error status before any archive byte, by status");
        ResponseBytes = Meter.CreateCounter<long>("rawzip.response.bytes", "By", "Bytes written to clients for archive responses (head and chunk framing included), counted per flush");
        OriginBytes = Meter.CreateCounter<long>("rawzip.origin.bytes", "By", "Bytes read from origins into archives, counted per read");
        OriginRequests = Meter.CreateCounter<long>("rawzip.origin.requests", "{request}", "Files opened at origins, by origin name");
        OriginRetries = Meter.CreateCounter<long>("rawzip.origin.retries", "{retry}", "Origin requests repeated after a transient failure, by reason (open: the request failed before the body; read: the body broke and the rest was asked for, pinned to the first response's validator)");
        ActiveConnections = Meter.CreateUpDownCounter<long>("rawzip.connections.active", "{connection}", "Client connections open now");
        TimeToFirstByte = Meter.CreateHistogram<double>("rawzip.time_to_first_byte", "s", "From the request head to the archive response head (manifest loaded, first origin file opened)");
        ArchiveDuration = Meter.CreateHistogram<double>("rawzip.archive.duration", "s", "From the request head to the archive's last byte or abort");
    }

    public Meter Meter { get; }
    public Counter<long> ArchivesStarted { get; }
    public Counter<long> ArchivesCompleted { get; }
    public Counter<long> ArchivesAborted { get; }
    public Counter<long> ArchivesRefused { get; }
    public Counter<long> ResponseBytes { get; }
    public Counter<long> OriginBytes { get; }
    public Counter<long> OriginRequests { get; }
    public Counter<long> OriginRetries { get; }
    public UpDownCounter<long> ActiveConnections { get; }
    public Histogram<double> TimeToFirstByte { get; }
    public Histogram<double> ArchiveDuration { get; }

    /// <summary>Active archives are already counted by the server's admission counter; observed when scraped.</summary>
    public void ObserveActiveArchives(Func<int> read) =>
        Meter.CreateObservableGauge("rawzip.archives.active", read, "{archive}", "Archives being planned or streamed now");

    public void Dispose() => Meter.Dispose();
}

/// <summary>Values of the <c>reason</c> tag of <c>rawzip.archives.aborted</c>.</summary>
internal static class AbortReason
{
    public const string Origin = "origin";
    public const string Client = "client";
}

/// <summary>Values of the <c>reason</c> tag of <c>rawzip.origin.retries</c>.</summary>
internal static class RetryReason
{
    public const string Open = "open";
    public const string Read = "read";
}
