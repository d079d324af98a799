using System.IO.Hashing;
using System.IO.Pipelines;
using RawZipServer.Manifest;
using RawZipServer.Origin;
using RawZipServer.Zip;

namespace RawZipServer.Archive;

/// <summary>
/// Streams one manifest as a ZIP archive: for each entry its local header, then its bytes read from
/// the origin straight into the output's memory and through the CRC-32, then its descriptor; then
/// the central directory. The output's flushes carry the client's back-pressure to the origin reads.
/// </summary>
internal sealed class ZipArchiveStreamer
{
    private readonly OriginRegistry _origins;
    private readonly int _readSize;
    private readonly ArchiveManifest _manifest;
    private readonly ZipEntry[] _entries;
    private readonly DateTimeOffset _requestTime;
    private readonly TimeSpan _clientIdleTimeout;
    private readonly CancellationTokenSource _idle = new();

    public ZipArchiveStreamer(OriginRegistry origins, int readSize, TimeSpan clientIdleTimeout, ArchiveManifest manifest, DateTimeOffset requestTime)
    {
        _clientIdleTimeout = clientIdleTimeout;
        _origins = origins;
        _readSize = readSize;
        _manifest = manifest;
        _requestTime = requestTime;
        _entries = new ZipEntry[manifest.Entries.Length];
        for (int i = 0; i < _entries.Length; i++)
        {
            var m = manifest.Entries[i];
            ref var e = ref _entries[i];
            e.Name = m.PathUtf8;
            e.IsDirectory = m.IsDirectory;
            e.Size = m.Size;
            e.CrcKnown = m.Crc32.HasValue;
            e.Crc = m.Crc32.GetValueOrDefault();
            SetTime(ref e, m.Modified ?? requestTime);
            e.Decide();
        }

        Length = ZipLayout.Plan(_entries);
    }

    /// <summary>The archive's length when every size is in the manifest, else -1.</summary>
    public long Length { get; }

    /// <summary>Index of the first entry with data, or -1: its origin is opened before the response head, so its failure is still a 502.</summary>
    public int FirstFileIndex => Array.FindIndex(_manifest.Entries, e => !e.IsDirectory);

    /// <summary>Opens the origin file of entry <paramref name="index"/> and checks its size against the manifest.</summary>
    /// <exception cref="OriginException">The origin failed or disagrees with the manifest.</exception>
    public async ValueTask<OriginFile> OpenAsync(int index, CancellationToken cancellationToken)
    {
        var m = _manifest.Entries[index];
        var origin = _origins.Find(m.Origin) ?? throw new OriginException($"origin '{m.Origin}' is not configured");
        var file = await origin.OpenAsync(m.Source!, cancellationToken).ConfigureAwait(false);
        if (m.Size >= 0 && file.Length >= 0 && file.Length != m.Size)
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw new OriginException($"origin '{origin.Name}' has {file.Length} bytes for '{m.Source}', the manifest says {m.Size}");
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
            await WriteEntriesAsync(output, first, cancellationToken).ConfigureAwait(false);
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

    private async Task WriteEntriesAsync(PipeWriter output, OriginFile? first, CancellationToken connectionClosed)
    {
        // One token for origin reads and flushes: the connection closing, or the client idle timer firing.
        var cancellationToken = _idle.Token;
        using var link = connectionClosed.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _idle);
        var zip = new ZipWriter(_entries);
        var crc = new Crc32();
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].IsDirectory)
            {
                zip.WriteLocalHeader(output, i);
                zip.CompleteEntry(output, i, 0, 0);
                continue;
            }

            var file = first ?? await OpenOrAbortAsync(i, cancellationToken).ConfigureAwait(false);
            first = null;
            await using (file.ConfigureAwait(false))
            {
                Prepare(i, file);
                zip.WriteLocalHeader(output, i);
                long size = await PumpAsync(output, file, i, crc, cancellationToken).ConfigureAwait(false);
                try
                {
                    zip.CompleteEntry(output, i, crc.GetCurrentHashAsUInt32(), size);
                }
                catch (ZipEntryMismatchException ex)
                {
                    throw new ArchiveAbortedException(i, ex.Message, ex);
                }
            }
        }

        for (int i = 0; i < _entries.Length; i++)
        {
            zip.WriteCentralDirectoryHeader(output, i);
            if (output.UnflushedBytes >= _readSize)
            {
                await FlushAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }

        zip.WriteEnd(output);
        if (Length >= 0 && zip.Position != Length)
        {
            // The plan and the writer share their length functions; this guards that they stay in step.
            throw new ArchiveAbortedException(_entries.Length, $"wrote {zip.Position} bytes, planned {Length}");
        }
    }

    private async ValueTask<OriginFile> OpenOrAbortAsync(int index, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(index, cancellationToken).ConfigureAwait(false);
        }
        catch (OriginException ex)
        {
            throw new ArchiveAbortedException(index, ex.Message, ex);
        }
    }

    /// <summary>Fills in what only the origin can tell: the size (when the manifest has none) and the time.</summary>
    private void Prepare(int index, OriginFile file)
    {
        ref var e = ref _entries[index];
        if (e.Size < 0 && file.Length >= 0)
        {
            e.Size = file.Length;
            e.Decide();
        }

        SetTime(ref e, _manifest.Entries[index].Modified ?? file.LastModified ?? _requestTime);
    }

    /// <summary>Origin → output memory → CRC-32 → advance → flush, until the entry's bytes are all sent.</summary>
    private async ValueTask<long> PumpAsync(PipeWriter output, OriginFile file, int index, Crc32 crc, CancellationToken cancellationToken)
    {
        crc.Reset();
        long expected = _entries[index].Size;
        long remaining = expected >= 0 ? expected : long.MaxValue;
        long total = 0;
        while (remaining > 0)
        {
            var memory = output.GetMemory(_readSize);
            if (remaining < memory.Length)
            {
                memory = memory[..(int)remaining];
            }

            int n;
            try
            {
                n = await file.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new ArchiveAbortedException(index, $"origin read failed after {total} bytes: {ex.Message}", ex);
            }

            if (n == 0)
            {
                if (expected >= 0)
                {
                    throw new ArchiveAbortedException(index, $"origin ended after {total} of {expected} bytes");
                }

                break;
            }

            crc.Append(memory.Span[..n]);
            output.Advance(n);
            total += n;
            remaining -= n;
            if (expected < 0 && total >= Zip.ZipConstants.Mask32)
            {
                throw new ArchiveAbortedException(index, "entry of unknown size reached 4 GiB without a ZIP64 header");
            }

            await FlushAsync(output, cancellationToken).ConfigureAwait(false);
        }

        if (expected >= 0 && file.Length < 0 && await HasMoreAsync(output, file, cancellationToken).ConfigureAwait(false))
        {
            // Nothing bounded the origin to the manifest's size: a longer file must not be cut into a valid-looking entry.
            throw new ArchiveAbortedException(index, $"origin has more than the {expected} bytes the manifest says");
        }

        return total;
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

    private async ValueTask FlushAsync(PipeWriter output, CancellationToken cancellationToken)
    {
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
        }

        if (result.IsCompleted || result.IsCanceled)
        {
            throw new ClientDisconnectedException("client disconnected");
        }
    }

    private static void SetTime(ref ZipEntry e, DateTimeOffset time)
    {
        e.DosDateTime = DosDateTime.From(time);
        e.UnixTime = DosDateTime.UnixSeconds(time);
    }
}
