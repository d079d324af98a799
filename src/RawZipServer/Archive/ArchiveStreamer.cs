using System.Runtime.CompilerServices;
using System.IO.Pipelines;
using RawZipServer.Manifest;
using RawZipServer.Metrics;
using RawZipServer.Origin;

namespace RawZipServer.Archive;

/// <summary>
/// What every archive format shares: opening origin files, the client idle timer and the pump that
/// moves origin bytes into the response (<c>ArchiveStreamer.Pump.cs</c>). A format adds its records
/// around the entries' data in <see cref="WriteEntriesAsync"/>.
/// </summary>
internal abstract partial class ArchiveStreamer
{
    private readonly OriginRegistry _origins;
    private readonly TimeSpan _clientIdleTimeout;
    private readonly CancellationTokenSource _idle = new();

    protected ArchiveStreamer(OriginRegistry origins, int readSize, TimeSpan clientIdleTimeout, ArchiveManifest manifest, DateTimeOffset requestTime)
    {
        _origins = origins;
        ReadSize = readSize;
        _clientIdleTimeout = clientIdleTimeout;
        Manifest = manifest;
        RequestTime = requestTime;
    }

    /// <summary>
    /// Set when the archive has validators: every origin version opened and every CRC computed is recorded
    /// under <see cref="ArchiveETag"/>, so a later range can complete this download (SPEC §3, case 3).
    /// </summary>
    public ICrcStore? CrcStore { get; set; }
    public string? ArchiveETag { get; set; }

    protected OriginRegistry Origins => _origins;

    protected ArchiveManifest Manifest { get; }
    protected DateTimeOffset RequestTime { get; }

    /// <summary>Where bytes and origin requests are counted; null (benchmarks, unit tests) counts nothing.</summary>
    public ServerMetrics? Metrics { get; set; }

    /// <summary><c>Upstream:Retries</c>: how often one entry's origin requests are repeated after transient failures (opens and resumes together).</summary>
    public int Retries { get; set; }

    /// <summary><c>Upstream:Prefetch</c>: how many files are opened ahead of the one being streamed (<see cref="OriginPrefetch"/>).</summary>
    public int Prefetch { get; set; }

    /// <summary>Where retries are logged; null logs nothing.</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; set; }

    /// <summary>The archive's id, for log lines.</summary>
    public string? ArchiveId { get; set; }

    /// <summary>
    /// Counts retry <paramref name="used"/> + 1 of entry <paramref name="index"/> and waits a little before it (100 ms,
    /// doubling, at most 2 s); false when the entry has used up <see cref="Retries"/>. The count travels with the
    /// entry's <see cref="OriginFile"/>, not with the streamer: prefetched entries retry their opens concurrently.
    /// </summary>
    private async ValueTask<bool> TryRetryAsync(int index, int used, string retryReason, string why, CancellationToken cancellationToken)
    {
        if (used >= Retries)
        {
            return false;
        }

        Metrics?.OriginRetries.Add(1, new KeyValuePair<string, object?>("reason", retryReason));
        if (Logger is { } logger)
        {
            Connection.Log.OriginRetry(logger, ArchiveId, index, used + 1, Retries, retryReason, why);
        }

        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 100 << Math.Min(used, 5))), cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Bytes this archive's flushes have handed to the connection so far (response head and chunk framing included).</summary>
    public long BytesSent { get; private set; }

    /// <summary>Bytes asked of the output per origin read.</summary>
    protected int ReadSize { get; }

    /// <summary>The archive's length when it is known before the first byte, else -1.</summary>
    public abstract long Length { get; }

    /// <summary>The response's <c>Content-Type</c>.</summary>
    public abstract ReadOnlySpan<byte> ContentType { get; }

    /// <summary>
    /// True when an entry's size must be known before its header (tar): an origin that cannot say
    /// it is then an <see cref="OriginException"/> — a 502 for the first file, an abort later.
    /// </summary>
    protected virtual bool NeedsSizeBeforeHeader => false;

    /// <summary>Index of the first entry with data, or -1: its origin is opened before the response head, so its failure is still a 502.</summary>
    public int FirstFileIndex => Array.FindIndex(Manifest.Entries, e => !e.IsDirectory);

    /// <summary>Opens the origin file of entry <paramref name="index"/> and checks its size against the manifest.</summary>
    /// <exception cref="OriginException">The origin failed or disagrees with the manifest.</exception>
    public async ValueTask<OriginFile> OpenAsync(int index, CancellationToken cancellationToken)
    {
        var m = Manifest.Entries[index];
        var origin = _origins.Find(m.Origin) ?? throw new OriginException($"origin '{m.Origin}' is not configured");
        Metrics?.OriginRequests.Add(1, new KeyValuePair<string, object?>("origin", origin.Name));
        // A manifest etag pins every read (SPEC §4): the archive's ETag promises that version.
        OriginFile file;
        int retries = 0;
        while (true)
        {
            try
            {
                file = await origin.OpenAsync(m.Source!, 0, -1, m.ETag, cancellationToken).ConfigureAwait(false);
                file.RetriesUsed = retries;
                break;
            }
            catch (OriginException ex) when (ex.Transient)
            {
                if (!await TryRetryAsync(index, retries++, RetryReason.Open, ex.Message, cancellationToken).ConfigureAwait(false))
                {
                    throw;
                }

                Metrics?.OriginRequests.Add(1, new KeyValuePair<string, object?>("origin", origin.Name));
            }
        }

        string? problem = null;
        if (m.Size >= 0 && file.Length >= 0 && file.Length != m.Size)
        {
            problem = $"origin '{origin.Name}' has {file.Length} bytes for '{m.Source}', the manifest says {m.Size}";
        }
        else if (NeedsSizeBeforeHeader && m.Size < 0 && file.Length < 0)
        {
            problem = $"origin '{origin.Name}' does not say the size of '{m.Source}' and the manifest has none; tar needs it before the entry's header";
        }

        if (problem is not null)
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw new OriginException(problem);
        }

        if (ArchiveETag is not null && file.Validator is { } validator)
        {
            CrcStore?.RecordVersion(ArchiveETag, index, validator, file.Length);
        }

        return file;
    }

    /// <summary>Writes the whole archive to <paramref name="output"/>, flushing as it goes.</summary>
    /// <param name="first">The already opened origin file of <see cref="FirstFileIndex"/>, owned from here on.</param>
    /// <exception cref="ArchiveAbortedException">An origin failed or its bytes contradict the manifest.</exception>
    /// <exception cref="ClientDisconnectedException">The client went away.</exception>
    public async Task WriteAsync(PipeWriter output, OriginFile? first, CancellationToken cancellationToken)
    {
        try
        {
            // One token for origin reads and flushes: the connection closing, or the client idle timer firing.
            using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _idle);
            await WriteEntriesAsync(output, first, _idle.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ClientDisconnectedException($"client made no progress for {_clientIdleTimeout}");
        }
        finally
        {
            _idle.Dispose();
        }
    }

    /// <summary>The format's part: every entry's records and data, then the trailer.</summary>
    protected abstract Task WriteEntriesAsync(PipeWriter output, OriginFile? first, CancellationToken cancellationToken);

    // Pooled builder: a flush that waits on the client suspends once per chunk, and must not allocate a box each time.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    protected async ValueTask FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
        // Counted per flush (one per origin read, 64 KiB by default), never per byte; a plain field and one
        // interlocked add in the metrics listener.
        long pending = output.CanGetUnflushedBytes ? output.UnflushedBytes : 0;
        var flush = output.FlushAsync(cancellationToken);
        FlushResult result;
        if (flush.IsCompletedSuccessfully)
        {
            result = flush.Result;
        }
        else
        {
            // Only a flush that waits on the client arms the idle timer, so the fast path touches no timer.
            _idle.CancelAfter(_clientIdleTimeout);
            result = await flush.ConfigureAwait(false);
            _idle.CancelAfter(Timeout.InfiniteTimeSpan);
            PaceClient(BytesSent + pending);
        }

        if (result.IsCompleted || result.IsCanceled)
        {
            throw new ClientDisconnectedException("client disconnected");
        }

        BytesSent += pending;
        Metrics?.ResponseBytes.Add(pending);
    }
}
