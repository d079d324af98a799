using System.IO.Pipelines;
using RawZipServer.Http;
using RawZipServer.Tar;

namespace RawZipServer.Archive;

/// <summary>
/// One byte range of a planned tar archive: per entry its headers, its data (an origin slice, pinned) and the
/// padding to the block, then the two zero blocks. tar holds no checksum of the data, so no CRC is ever needed;
/// only the pinning keeps a resumed download from mixing two versions of a file.
/// </summary>
internal sealed partial class TarArchiveStreamer
{
    public override bool ServesRanges => true;

    public override async ValueTask<bool> PrepareRangeAsync(ByteRange range, long maxCrcReadBytes, CancellationToken cancellationToken)
    {
        if (Length < 0 || ArchiveETag is null)
        {
            return false;
        }

        Pins = new string?[_entries.Length];
        int first = -1;
        for (int i = 0; i < _entries.Length; i++)
        {
            long dataStart = DataStart(i);
            if (_entries[i].Size > 0 && Overlaps(range, dataStart, dataStart + _entries[i].Size))
            {
                if (!TryPin(i, _entries[i].Size, out _))
                {
                    return false;
                }

                first = first < 0 ? i : first;
            }
        }

        if (first >= 0)
        {
            try
            {
                await OpenFirstSliceAsync(first, DataStart(first), _entries[first].Size, range, cancellationToken).ConfigureAwait(false);
            }
            catch (Origin.OriginException)
            {
                return false; // the version the client's bytes came from is gone: the whole archive anew
            }
        }

        Range = range;
        return true;
    }

    private async Task WriteRangeAsync(PipeWriter output, ByteRange range, CancellationToken cancellationToken)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            long start = _entries[i].Offset;
            long dataStart = DataStart(i);
            long size = _entries[i].Size;
            long end = start + _entries[i].TotalLength;
            if (end <= range.Start)
            {
                continue;
            }

            if (start > range.End)
            {
                break;
            }

            WriteHeader(output, i, range);
            if (Overlaps(range, dataStart, dataStart + size))
            {
                var file = await TakeOrOpenSliceAsync(i, dataStart, size, range, cancellationToken).ConfigureAwait(false);
                await using (file.ConfigureAwait(false))
                {
                    await PumpAsync(output, file, i, file.Length, null, null, long.MaxValue, cancellationToken).ConfigureAwait(false);
                }
            }

            WriteZeros(output, dataStart + size, (int)(end - dataStart - size), range);
            await FlushAsync(output, cancellationToken).ConfigureAwait(false);
        }

        WriteZeros(output, Length - TarConstants.TrailerLength, TarConstants.TrailerLength, range);
    }

    private void WriteHeader(PipeWriter output, int index, ByteRange range)
    {
        int length = _entries[index].HeaderLength;
        var span = output.GetSpan(length);
        TarHeader.Write(span, _entries[index]);
        Clip(output, span, _entries[index].Offset, length, range);
    }

    /// <summary>Padding after an entry's data, or the trailer: <paramref name="length"/> zero bytes at archive offset <paramref name="start"/>.</summary>
    private static void WriteZeros(PipeWriter output, long start, int length, ByteRange range)
    {
        var span = output.GetSpan(length)[..length];
        span.Clear();
        Clip(output, span, start, length, range);
    }

    private long DataStart(int index) => _entries[index].Offset + _entries[index].HeaderLength;
}
