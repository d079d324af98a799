using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.IO.Hashing;
using System.IO.Pipelines;
using RawZipServer.Metrics;
using RawZipServer.Origin;

namespace RawZipServer.Archive;

internal abstract partial class ArchiveStreamer
{
    /// <summary>
    /// Below this pace (1 MiB/s) a client is slow: <see cref="PumpAsync"/> then asks the output for
    /// <see cref="SlowReadHint"/> bytes per read instead of <see cref="ReadSize"/>.
    /// </summary>
    private const long SlowClientBytesPerSecond = 1 << 20;

    /// <summary>
    /// Until this many bytes (8 MiB) have been sent, every client is asked small (<see cref="SlowReadHint"/>): the kernel's
    /// socket buffers take the first few MiB of any connection at full speed (here up to 4 MiB, <c>net.ipv4.tcp_wmem</c>'s
    /// maximum, plus the client's receive buffer), so a slow client's pace shows only after them. A thousand slow clients
    /// starting together otherwise pushed those MiB through 64 KiB arrays: a burst of fresh arrays that left the GC heap
    /// committed about 150 MiB above what stayed live. For a fast client these are the first milliseconds.
    /// </summary>
    public const long DefaultSmallAsksFirstBytes = 8 << 20;

    /// <summary><see cref="DefaultSmallAsksFirstBytes"/>; tests set 0 to see the pacing alone.</summary>
    public long SmallAsksFirstBytes { get; init; } = DefaultSmallAsksFirstBytes;

    /// <summary>
    /// The size asked of the output per origin read while the client is slow: at most one block of the transport's
    /// memory pool (Kestrel's blocks are 4 KiB; <see cref="Http.ChunkedPipeWriter"/> adds 12 bytes of framing to the ask).
    /// </summary>
    /// <remarks>
    /// Why (issue 6, 1000 clients at 64 KiB/s, perf/slow-clients.sh): a <c>GetMemory</c> larger than the pool's block is
    /// served by the pipe from <c>ArrayPool&lt;byte&gt;.Shared</c>, whose few cached 64 KiB arrays run out when a thousand
    /// slow connections each hold one for a second, so fresh arrays are allocated, live long enough to be promoted and
    /// pile up until a full GC (an allocation trace of the steady state: 98 % of the bytes allocated were these arrays,
    /// rented by the pipe for the pump). Small asks are served from the transport's block pool, which keeps and reuses
    /// its blocks; the pipe then holds the same 32–64 KiB per connection, in 4 KiB blocks. A fast client keeps
    /// <see cref="ReadSize"/>: fewer, larger reads. A hint of half a block lets a partly filled block be filled up
    /// before a new one is taken.
    /// </remarks>
    public const int SlowReadHint = 2048;

    /// <summary>Set by <see cref="PaceClient"/>: whether the client's last measured pace was below <see cref="SlowClientBytesPerSecond"/>.</summary>
    private bool _clientSlow;

    /// <summary>Where the pace being measured started: the end of a flush that had to wait (0: none yet), and <see cref="BytesSent"/> then.</summary>
    private long _paceStart;
    private long _paceSent;

    /// <summary>
    /// Called after each flush that had to wait for the client, with the bytes handed on so far: once at least a second
    /// has passed since the measure started, the bytes flushed since then over that time is the client's pace.
    /// </summary>
    /// <remarks>
    /// Not one wait alone, nor the bytes between two waits: the kernel hands room in a socket's send buffer back in
    /// large steps, so a client reading 64 KiB/s makes a flush wait for tens of seconds, then takes a MiB or more at
    /// full speed through many short waits (traced on loopback: waits of 21.8 s, each followed by 1.4 MB in a few
    /// milliseconds, once the first 4.2 MB had filled the buffers). Measured per cycle, that looked fast just before
    /// every long wait, and the pipe held 64 KiB arrays through it (a 240 s run climbed from 160 to 315 MiB once the
    /// first 8 MiB were past). The first measure starts at the first wait, after the socket buffers have taken what
    /// they can at full speed.
    /// </remarks>
    private void PaceClient(long sent)
    {
        long now = Stopwatch.GetTimestamp();
        if (_paceStart == 0)
        {
            _paceStart = now;
            _paceSent = sent;
        }
        else if (now - _paceStart >= Stopwatch.Frequency)
        {
            _clientSlow = (sent - _paceSent) * Stopwatch.Frequency < SlowClientBytesPerSecond * (now - _paceStart);
            _paceStart = now;
            _paceSent = sent;
        }
    }

    /// <summary>
    /// Origin → output memory → CRC-32 → advance → flush, until the entry's bytes are all sent. With a
    /// <paramref name="deflater"/> the origin reads into its scratch buffer instead and the compressed
    /// bytes go into the output. Returns the number of origin (uncompressed) bytes.
    /// </summary>
    /// <remarks>
    /// A read that breaks (reset, <c>Upstream:IdleTimeout</c>, a body shorter than announced) is resumed up to
    /// <see cref="Retries"/> times at the first byte not yet sent, pinned to the first response's validator
    /// (<see cref="ResumeAsync"/>); bytes already handed on are never asked for twice, so the CRC and the
    /// deflater simply go on.
    /// </remarks>
    /// <param name="file">Owned by the caller; a resumed response that replaces it is owned (and disposed) here.</param>
    /// <param name="expected">The size promised by the header, or -1.</param>
    /// <param name="crc">Null when nothing needs the CRC (tar without a manifest CRC).</param>
    /// <param name="maxUnknownSize">An entry of unknown size aborts when it reaches this many bytes.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<long> PumpAsync(
        PipeWriter output, OriginFile file, int index, long expected, Crc32? crc, EntryDeflater? deflater, long maxUnknownSize, CancellationToken cancellationToken)
    {
        crc?.Reset();
        long remaining = expected >= 0 ? expected : long.MaxValue;
        long total = 0;
        var source = file;
        try
        {
            while (remaining > 0)
            {
                var memory = deflater is null ? output.GetMemory(_clientSlow || BytesSent < SmallAsksFirstBytes ? SlowReadHint : ReadSize) : deflater.Buffer;
                if (remaining < memory.Length)
                {
                    memory = memory[..(int)remaining];
                }

                int n;
                string? broke = null;
                Exception? error = null;
                try
                {
                    n = await source.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                    if (n == 0 && expected >= 0)
                    {
                        broke = $"origin ended after {total} of {expected} bytes";
                    }
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    n = 0;
                    broke = $"origin read failed after {total} bytes: {ex.Message}";
                    error = ex;
                }

                if (broke is not null)
                {
                    if (source != file)
                    {
                        await source.DisposeAsync().ConfigureAwait(false);
                        source = file;
                    }

                    source = await ResumeAsync(file, index, total, expected, broke, error, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (n == 0)
                {
                    break;
                }

                var data = memory.Span[..n];
                crc?.Append(data);
                if (deflater is null)
                {
                    output.Advance(n);
                }
                else
                {
                    deflater.Write(data);
                }

                total += n;
                remaining -= n;
                // Per read (one per flush), never per byte: one interlocked add in the metrics listener.
                Metrics?.OriginBytes.Add(n);
                if (expected < 0 && total >= maxUnknownSize)
                {
                    throw new ArchiveAbortedException(index, $"entry of unknown size reached {maxUnknownSize} bytes, more than its header allows");
                }

                await FlushAsync(output, cancellationToken).ConfigureAwait(false);
            }

            if (expected >= 0 && source.Length < 0 && await HasMoreAsync(output, source, cancellationToken).ConfigureAwait(false))
            {
                // Nothing bounded the origin to the manifest's size: a longer file must not be cut into a valid-looking entry.
                throw new ArchiveAbortedException(index, $"origin has more than the {expected} bytes the manifest says");
            }

            return total;
        }
        finally
        {
            if (source != file)
            {
                await source.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Asks the origin again for the rest of entry <paramref name="index"/> after <paramref name="done"/> bytes of
    /// <paramref name="first"/>: <c>Range</c> from the first missing byte, pinned (<c>If-Match</c>, or
    /// <c>If-Unmodified-Since</c> for a date) to <paramref name="first"/>'s validator. Transient failures of that request
    /// are retried too, while retries last; everything else aborts: retries used up, no validator to pin to, an
    /// origin that ignores the range, sends another slice, another version or another total length.
    /// </summary>
    /// <remarks>
    /// A file that broke before its first byte (typically a prefetched response whose idle connection the origin
    /// closed while earlier entries streamed) is simply asked for again whole: nothing of it was sent, so there is
    /// nothing to pin, only its length must stay the one its header was written with.
    /// </remarks>
    private async ValueTask<OriginFile> ResumeAsync(OriginFile first, int index, long done, long expected, string broke, Exception? error, CancellationToken cancellationToken)
    {
        var m = Manifest.Entries[index];
        string? validator = first.Validator;
        bool whole = done == 0 && first.Offset == 0;
        if (validator is null && !whole)
        {
            throw new ArchiveAbortedException(index, $"{broke}; not resumed: the origin gave no validator (strong ETag or Last-Modified) to pin the rest to", error);
        }

        long wholeLength = first.TotalLength >= 0 ? first.TotalLength : first.Offset == 0 ? first.Length : -1;
        while (true)
        {
            if (!await TryRetryAsync(index, first.RetriesUsed++, RetryReason.Read, broke, cancellationToken).ConfigureAwait(false))
            {
                throw new ArchiveAbortedException(index, Retries == 0 ? broke : $"{broke} (no retries left of {Retries})", error);
            }

            var origin = Origins.Find(m.Origin) ?? throw new ArchiveAbortedException(index, $"origin '{m.Origin}' is not configured");
            Metrics?.OriginRequests.Add(1, new KeyValuePair<string, object?>("origin", origin.Name));
            long offset = first.Offset + done;
            OriginFile next;
            try
            {
                next = whole
                    ? await origin.OpenAsync(m.Source!, 0, -1, validator ?? m.ETag, cancellationToken).ConfigureAwait(false)
                    : await origin.OpenAsync(m.Source!, offset, expected >= 0 ? expected - done : -1, validator, cancellationToken).ConfigureAwait(false);
            }
            catch (OriginException ex) when (ex.Transient)
            {
                broke = $"resuming at byte {offset} failed: {ex.Message}";
                error = ex;
                continue;
            }
            catch (OriginException ex)
            {
                throw new ArchiveAbortedException(index, $"{broke}; resuming at byte {offset} refused: {ex.Message}", ex);
            }

            string? problem = validator is not null && next.Validator != validator ? $"the origin now has version {next.Validator ?? "(none)"}, not {validator}"
                : wholeLength >= 0 && (whole ? next.Length : next.TotalLength) is var now && now >= 0 && now != wholeLength ? $"the file is now {now} bytes, was {wholeLength}"
                : !whole && expected >= 0 && next.Length >= 0 && next.Length != expected - done ? $"the origin sends {next.Length} bytes, {expected - done} are missing"
                : null;
            if (problem is not null)
            {
                await next.DisposeAsync().ConfigureAwait(false);
                throw new ArchiveAbortedException(index, $"{broke}; resuming at byte {offset}: {problem}");
            }

            return next;
        }
    }

    /// <summary>Reads one probe byte into scratch pipe memory (never advanced, so never sent).</summary>
    private static async ValueTask<bool> HasMoreAsync(PipeWriter output, OriginFile file, CancellationToken cancellationToken)
    {
        try
        {
            return await file.ReadAsync(output.GetMemory(1)[..1], cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return false; // the entry's bytes are complete and checked; a failure after them changes nothing
        }
    }
}
