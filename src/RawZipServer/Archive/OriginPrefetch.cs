using RawZipServer.Manifest;
using RawZipServer.Origin;

namespace RawZipServer.Archive;

/// <summary>
/// Opens origin files ahead of the entry being streamed (SPEC §2 <c>Upstream:Prefetch</c>), so an archive of many
/// small files pays the origin's latency once per window instead of once per file. Files are still handed out,
/// and so written, in manifest order; a prefetched open that fails surfaces only when its entry's turn comes.
/// </summary>
/// <remarks>
/// An opened file holds one origin response with its headers read; its first bytes wait in that connection's
/// socket buffer, so the window costs connections, not memory. To keep those connections from idling while a
/// big entry streams, an entry is opened ahead only when it starts within <see cref="WindowBytes"/> of the start
/// of the entry being streamed; an entry of unknown size ends the look-ahead. A prefetched response the origin
/// gave up on meanwhile is asked for again by the pump (nothing of it was sent).
/// </remarks>
internal sealed class OriginPrefetch : IAsyncDisposable
{
    /// <summary>How far ahead (in archive bytes) files are opened; at 1 GB/s this is 8 ms of streaming.</summary>
    public const long WindowBytes = 8 << 20;

    private readonly ArchiveStreamer _streamer;
    private readonly ArchiveManifest _manifest;
    // Slot i % length holds entry i's open; live entries are never more than `depth` apart, so slots never collide.
    private readonly Task<OriginFile>?[] _opens;
    private readonly CancellationTokenSource _cancel;
    private OriginFile? _first;
    private int _next;

    /// <param name="depth"><c>Upstream:Prefetch</c>: files opened ahead at most; 0 opens each file when its turn comes.</param>
    /// <param name="first">The first file entry's file, opened before the response head; owned from here on.</param>
    /// <param name="cancellationToken">The archive's token: it cancels the opens ahead too.</param>
    public OriginPrefetch(ArchiveStreamer streamer, ArchiveManifest manifest, int depth, OriginFile? first, CancellationToken cancellationToken)
    {
        _streamer = streamer;
        _manifest = manifest;
        _opens = new Task<OriginFile>?[depth + 1];
        _first = first;
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    /// <summary>
    /// Entry <paramref name="index"/>'s origin file, opened ahead or now, owned by the caller; the next files within
    /// the window are opened meanwhile. Call with increasing indexes, for file entries only.
    /// </summary>
    /// <exception cref="ArchiveAbortedException">The origin failed or disagrees with the manifest.</exception>
    public async ValueTask<OriginFile> TakeAsync(int index)
    {
        _next = Math.Max(_next, index + 1);
        if (_first is { } first)
        {
            _first = null;
            OpenAhead(index);
            return first;
        }

        try
        {
            if (_opens.Length == 1)
            {
                return await _streamer.OpenAsync(index, _cancel.Token).ConfigureAwait(false);
            }

            ref var slot = ref _opens[index % _opens.Length];
            var open = slot ?? _streamer.OpenAsync(index, _cancel.Token).AsTask();
            slot = null;
            OpenAhead(index);
            return await open.ConfigureAwait(false);
        }
        catch (OriginException ex)
        {
            throw new ArchiveAbortedException(index, ex.Message, ex);
        }
    }

    private void OpenAhead(int current)
    {
        var entries = _manifest.Entries;
        int last = Math.Min(entries.Length - 1, current + _opens.Length - 1);
        long distance = 0; // from the start of `current` to the start of `j`
        for (int j = current + 1; j <= last; j++)
        {
            long before = entries[j - 1].IsDirectory ? 0 : entries[j - 1].Size;
            distance += before;
            if (before < 0 || distance > WindowBytes)
            {
                return;
            }

            if (j >= _next)
            {
                _next = j + 1;
                if (!entries[j].IsDirectory)
                {
                    _opens[j % _opens.Length] = _streamer.OpenAsync(j, _cancel.Token).AsTask();
                }
            }
        }
    }

    /// <summary>Cancels the opens nobody took (the archive ended or broke) and closes what they opened.</summary>
    public async ValueTask DisposeAsync()
    {
        await _cancel.CancelAsync().ConfigureAwait(false);
        if (_first is { } first)
        {
            _first = null;
            await first.DisposeAsync().ConfigureAwait(false);
        }

        for (int i = 0; i < _opens.Length; i++)
        {
            if (_opens[i] is { } open)
            {
                _opens[i] = null;
                try
                {
                    await (await open.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
                }
                catch (Exception)
                {
                    // An open that failed or was cancelled holds nothing, and nobody waits for its reason any more.
                }
            }
        }

        _cancel.Dispose();
    }
}
