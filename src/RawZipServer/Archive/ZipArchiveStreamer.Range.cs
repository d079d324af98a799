using System.Buffers;
using System.IO.Hashing;
using System.IO.Pipelines;
using RawZipServer.Http;
using RawZipServer.Origin;
using RawZipServer.Zip;

namespace RawZipServer.Archive;

/// <summary>
/// One byte range of a planned archive (SPEC §3 "Ranges and validators"), mod_zip's pieces in order: per
/// entry its local header, its data and its descriptor, then the central directory and the end records.
/// Records are regenerated from the plan and clipped to the range; data comes from the origin as a slice
/// (<c>Range: bytes=x-y</c>), pinned to the version the client's earlier bytes came from.
/// </summary>
internal sealed partial class ZipArchiveStreamer
{
    public override bool ServesRanges => true;

    /// <summary>Entries without a manifest CRC whose CRC-32 the range resolved (store or reading); checked when their whole data is sent again.</summary>
    private bool[]? _resolved;

    /// <summary>
    /// Decides whether <paramref name="range"/> can be served and gets ready to: each missing CRC-32 the range
    /// needs (for a descriptor or the central directory) from the store or by reading the origin file, and the
    /// first data slice opened, so an origin failure still changes the answer. False: answer the full 200
    /// (SPEC §3 — no pinned version, a CRC that may not describe the client's bytes, too much to read, or an
    /// origin that refused or changed).
    /// </summary>
    public override async ValueTask<bool> PrepareRangeAsync(ByteRange range, long maxCrcReadBytes, CancellationToken cancellationToken)
    {
        if (Length < 0 || ArchiveETag is null)
        {
            return false;
        }

        long directoryStart = DirectoryStart();
        long directoryEnd = directoryStart;
        foreach (ref readonly var e in _entries.AsSpan())
        {
            directoryEnd += CentralDirectoryHeader.Length(e);
        }

        bool needsDirectory = Overlaps(range, directoryStart, directoryEnd);
        Pins = new string?[_entries.Length];
        _resolved = new bool[_entries.Length];
        var toCompute = new List<int>();
        long toRead = 0;
        for (int i = 0; i < _entries.Length; i++)
        {
            ref var e = ref _entries[i];
            if (e.IsDirectory || e.Size == 0)
            {
                continue;
            }

            long dataStart = e.Offset + e.LocalHeaderLength;
            long dataEnd = dataStart + e.Size;
            bool needsData = Overlaps(range, dataStart, dataEnd);
            // An entry whose data starts inside the range is sent whole, so its CRC-32 is taken while streaming it:
            // the client holds none of its bytes yet, whatever version this read sees.
            bool needsCrc = !e.CrcKnown && dataStart < range.Start
                && (needsDirectory || Overlaps(range, dataEnd, dataEnd + e.DescriptorLength));
            if (!needsData && !needsCrc)
            {
                continue;
            }

            var m = Manifest.Entries[i];
            if (!TryPin(i, e.Size, out var record))
            {
                return false;
            }

            if (!needsCrc)
            {
                continue;
            }

            // SPEC §3: only these three cases prove a CRC describes the bytes the client already holds.
            bool immutable = Origins.Find(m.Origin)?.Immutable == true;
            if (m.ETag is null && !immutable && record is null)
            {
                return false;
            }

            if (record?.Crc is { } stored)
            {
                e.Crc = stored; // CrcKnown stays false: the layout (descriptor or not) is the manifest's alone
                _resolved[i] = true;
                continue;
            }

            toCompute.Add(i);
            toRead += e.Size;
        }

        if (toRead > maxCrcReadBytes)
        {
            return false;
        }

        try
        {
            foreach (int i in toCompute)
            {
                _entries[i].Crc = await ComputeCrcAsync(i, cancellationToken).ConfigureAwait(false);
                _resolved[i] = true;
            }

            int first = FirstDataIndex(range);
            if (first >= 0)
            {
                await OpenFirstSliceAsync(first, DataStart(first), _entries[first].Size, range, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OriginException)
        {
            // The version the client's bytes came from is gone (or the origin failed): the whole archive anew.
            return false;
        }

        Range = range;
        return true;
    }

    /// <summary>Writes bytes <c>[range.Start, range.End]</c> of the archive, flushing as it goes.</summary>
    private async Task WriteRangeAsync(PipeWriter output, ByteRange range, CancellationToken cancellationToken)
    {
        var crc = new Crc32();
        for (int i = 0; i < _entries.Length; i++)
        {
            ref var e = ref _entries[i];
            long headerEnd = e.Offset + e.LocalHeaderLength;
            long dataEnd = headerEnd + e.Size;
            long end = dataEnd + e.DescriptorLength;
            if (end <= range.Start)
            {
                continue;
            }

            if (e.Offset > range.End)
            {
                break;
            }

            int length = e.LocalHeaderLength;
            var span = output.GetSpan(length);
            LocalFileHeader.Write(span, e);
            Clip(output, span, e.Offset, length, range);
            if (Overlaps(range, headerEnd, dataEnd))
            {
                await WriteDataAsync(output, i, range, crc, cancellationToken).ConfigureAwait(false);
            }

            if (_entries[i].HasDescriptor && Overlaps(range, dataEnd, end))
            {
                WriteDescriptor(output, _entries[i], dataEnd, range);
            }

            await FlushAsync(output, cancellationToken).ConfigureAwait(false);
        }

        long position = DirectoryStart();
        long directoryStart = position;
        bool anyZip64 = false;
        for (int i = 0; i < _entries.Length && position <= range.End; i++)
        {
            ref readonly var e = ref _entries[i];
            int length = CentralDirectoryHeader.Length(e);
            anyZip64 |= CentralDirectoryHeader.UsesZip64(e);
            if (position + length > range.Start)
            {
                var span = output.GetSpan(length);
                CentralDirectoryHeader.Write(span, e);
                Clip(output, span, position, length, range);
                if (output.UnflushedBytes >= ReadSize)
                {
                    await FlushAsync(output, cancellationToken).ConfigureAwait(false);
                }
            }

            position += length;
        }

        if (position <= range.End)
        {
            // The end records sit after the whole directory, so every entry was visited above.
            bool zip64 = EndOfCentralDirectory.NeedsZip64(_entries.Length, position - directoryStart, directoryStart, anyZip64);
            var span = output.GetSpan(EndOfCentralDirectory.Length(zip64));
            int length = EndOfCentralDirectory.Write(span, _entries.Length, position - directoryStart, directoryStart, zip64);
            Clip(output, span, position, length, range);
        }
    }

    private static void WriteDescriptor(PipeWriter output, in ZipEntry e, long start, ByteRange range)
    {
        var span = output.GetSpan(ZipConstants.Zip64DataDescriptorLength);
        int length = DataDescriptor.Write(span, e, e.Crc, e.Size);
        Clip(output, span, start, length, range);
    }

    /// <summary>The entry's data bytes inside the range, from the origin slice; a CRC check when the whole data is in it.</summary>
    private async ValueTask WriteDataAsync(PipeWriter output, int index, ByteRange range, Crc32 crc, CancellationToken cancellationToken)
    {
        var file = await TakeOrOpenSliceAsync(index, DataStart(index), _entries[index].Size, range, cancellationToken).ConfigureAwait(false);

        await using (file.ConfigureAwait(false))
        {
            bool whole = file.Length == _entries[index].Size;
            long sent = await PumpAsync(output, file, index, file.Length, whole ? crc : null, null, long.MaxValue, cancellationToken).ConfigureAwait(false);
            if (!whole)
            {
                return;
            }

            uint actual = crc.GetCurrentHashAsUInt32();
            uint expected = _entries[index].Crc;
            if (_entries[index].CrcKnown || _resolved![index])
            {
                if (actual != expected)
                {
                    throw new ArchiveAbortedException(index, $"CRC-32 is {actual:x8}, expected {expected:x8}");
                }
            }
            else
            {
                _entries[index].Crc = actual; // for its descriptor and the central directory, written after it
            }

            if (file.Validator is { } validator)
            {
                CrcStore?.RecordCrc(ArchiveETag!, index, validator, sent, actual);
            }
        }
    }

    /// <summary>Reads the whole origin file of entry <paramref name="index"/>, pinned, for its CRC-32 alone.</summary>
    private async ValueTask<uint> ComputeCrcAsync(int index, CancellationToken cancellationToken)
    {
        long size = _entries[index].Size;
        var file = await OpenPinnedAsync(index, size, 0, size, cancellationToken).ConfigureAwait(false);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
        await using (file.ConfigureAwait(false))
        {
            try
            {
                var crc = new Crc32();
                long total = 0;
                while (total < size)
                {
                    int n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - total)), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        throw new OriginException($"origin ended after {total} of {size} bytes while computing a CRC-32");
                    }

                    crc.Append(buffer.AsSpan(0, n));
                    total += n;
                }

                uint value = crc.GetCurrentHashAsUInt32();
                string? validator = Pins![index] ?? file.Validator;
                Pins[index] = validator;
                if (validator is not null)
                {
                    CrcStore?.RecordCrc(ArchiveETag!, index, validator, size, value);
                }

                return value;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw new OriginException($"origin read failed while computing a CRC-32: {ex.Message}", ex);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>The first entry whose data overlaps the range, or -1.</summary>
    private int FirstDataIndex(ByteRange range)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            ref readonly var e = ref _entries[i];
            long dataStart = e.Offset + e.LocalHeaderLength;
            if (e.Size > 0 && Overlaps(range, dataStart, dataStart + e.Size))
            {
                return i;
            }
        }

        return -1;
    }

    private long DirectoryStart()
    {
        if (_entries.Length == 0)
        {
            return 0;
        }

        ref readonly var last = ref _entries[^1];
        return last.Offset + last.LocalHeaderLength + last.Size + last.DescriptorLength;
    }

    private long DataStart(int index) => _entries[index].Offset + _entries[index].LocalHeaderLength;
}
