using System.IO.Pipelines;
using RawZipServer.Http;
using RawZipServer.Origin;

namespace RawZipServer.Archive;

/// <summary>
/// What a byte range needs whatever the format: each origin read pinned to the version the client's earlier
/// bytes came from (SPEC §3), the first data slice opened before the response head, records clipped to the range.
/// </summary>
internal abstract partial class ArchiveStreamer
{
    /// <summary>Per entry, the origin version every read for this range is pinned to (manifest etag, else the store's, else the first read's).</summary>
    protected string?[]? Pins;

    /// <summary>Set by a successful <see cref="PrepareRangeAsync"/>: <see cref="WriteAsync"/> then writes only this range.</summary>
    protected ByteRange? Range;

    private OriginFile? _firstSlice;
    private int _firstSliceIndex = -1;

    /// <summary>
    /// Decides whether <paramref name="range"/> can be served and gets ready to; false: answer the full 200.
    /// The base serves no ranges.
    /// </summary>
    public virtual ValueTask<bool> PrepareRangeAsync(ByteRange range, long maxCrcReadBytes, CancellationToken cancellationToken) =>
        ValueTask.FromResult(false);

    /// <summary>Whether this format serves ranges at all (then <c>Accept-Ranges: bytes</c> when it has validators).</summary>
    public virtual bool ServesRanges => false;

    /// <summary>
    /// Sets <see cref="Pins"/>[<paramref name="index"/>]; false when the entry was seen in two versions (or sizes) under
    /// this archive, or in another version than the manifest's etag: the client may hold bytes of either.
    /// </summary>
    protected bool TryPin(int index, long size, out CrcRecord? record)
    {
        var m = Manifest.Entries[index];
        record = CrcStore?.Find(ArchiveETag!, index);
        if (record is not null && (record.Conflicted || record.Size != size || (m.ETag is not null && record.Validator != m.ETag)))
        {
            return false;
        }

        Pins![index] = m.ETag ?? record?.Validator;
        return true;
    }

    /// <summary>Opens the first data slice before the response head, so an origin that refused still changes the answer.</summary>
    protected async ValueTask OpenFirstSliceAsync(int index, long dataStart, long size, ByteRange range, CancellationToken cancellationToken)
    {
        _firstSlice = await OpenSliceAsync(index, dataStart, size, range, cancellationToken).ConfigureAwait(false);
        _firstSliceIndex = index;
    }

    /// <summary>The slice opened before the head, or a new one; an origin failure here can only abort.</summary>
    protected async ValueTask<OriginFile> TakeOrOpenSliceAsync(int index, long dataStart, long size, ByteRange range, CancellationToken cancellationToken)
    {
        if (index == _firstSliceIndex && _firstSlice is { } first)
        {
            _firstSlice = null;
            return first;
        }

        try
        {
            return await OpenSliceAsync(index, dataStart, size, range, cancellationToken).ConfigureAwait(false);
        }
        catch (OriginException ex)
        {
            throw new ArchiveAbortedException(index, ex.Message, ex);
        }
    }

    /// <summary>Opens the part of an entry's data (at <paramref name="dataStart"/> in the archive) inside the range, pinned; records the version the first read sees.</summary>
    private async ValueTask<OriginFile> OpenSliceAsync(int index, long dataStart, long size, ByteRange range, CancellationToken cancellationToken)
    {
        long from = Math.Max(range.Start, dataStart) - dataStart;
        long to = Math.Min(range.End + 1, dataStart + size) - dataStart;
        var file = await OpenPinnedAsync(index, size, from, to - from, cancellationToken).ConfigureAwait(false);
        if (Pins![index] is null && file.Validator is { } validator)
        {
            Pins[index] = validator;
            CrcStore?.RecordVersion(ArchiveETag!, index, validator, size);
        }

        return file;
    }

    /// <summary>Opens bytes <c>[offset, offset + length)</c> of entry <paramref name="index"/>'s file, pinned, checking the whole file's size.</summary>
    protected async ValueTask<OriginFile> OpenPinnedAsync(int index, long size, long offset, long length, CancellationToken cancellationToken)
    {
        var m = Manifest.Entries[index];
        var origin = _origins.Find(m.Origin) ?? throw new OriginException($"origin '{m.Origin}' is not configured");
        var file = await origin.OpenAsync(m.Source!, offset, length, Pins![index], cancellationToken).ConfigureAwait(false);
        file.Offset = offset;
        if (file.TotalLength >= 0 && file.TotalLength != size)
        {
            await file.DisposeAsync().ConfigureAwait(false);
            throw new OriginException($"origin '{origin.Name}' has {file.TotalLength} bytes for '{m.Source}', the manifest says {size}");
        }

        return file;
    }

    /// <summary>Releases the first slice when the range is not written after all (the client left before the head).</summary>
    public async ValueTask DisposeRangeAsync()
    {
        if (_firstSlice is not null)
        {
            await _firstSlice.DisposeAsync().ConfigureAwait(false);
            _firstSlice = null;
        }
    }

    /// <summary>Whether <c>[start, end)</c> meets the inclusive range.</summary>
    protected static bool Overlaps(ByteRange range, long start, long end) => start < end && start <= range.End && end > range.Start;

    /// <summary>Keeps the part of a record just written at <paramref name="span"/> (archive offset <paramref name="recordStart"/>) that lies inside the range.</summary>
    protected static void Clip(PipeWriter output, Span<byte> span, long recordStart, int length, ByteRange range)
    {
        long from = Math.Max(0, range.Start - recordStart);
        long to = Math.Min(length, range.End + 1 - recordStart);
        if (to <= from)
        {
            return;
        }

        if (from > 0)
        {
            span[(int)from..(int)to].CopyTo(span); // overlapping copy is a memmove
        }

        output.Advance((int)(to - from));
    }
}
