using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace RawZipServer.LoadTest;

/// <summary>The archive is not a well-formed ZIP, or a CRC-32/size disagrees with what it declares.</summary>
internal sealed class CorruptArchiveException(string message) : Exception(message);

/// <summary>
/// Reads a ZIP archive front to back from a non-seekable stream, as it arrives, and checks it:
/// every local header, the data's CRC-32 (recomputed with System.IO.Hashing) against the local
/// header or the <c>PK\7\8</c> data descriptor, every central directory header against what was
/// streamed (name, CRC, sizes, local header offset), the ZIP64 end records and the end of central
/// directory record, and that nothing follows it. A stored entry of unknown size (bit 3, sizes 0)
/// is delimited by scanning for a descriptor whose CRC-32 and size match the bytes before it. A
/// deflated entry (method 8) is inflated as it arrives (.NET's <see cref="DeflateStream"/> fed through
/// <see cref="DeflatedEntryInput"/>) and the CRC-32 is taken over the inflated bytes; its end is the
/// declared compressed size, or, for an entry of unknown size, the descriptor whose compressed size
/// equals its distance from the data start, found in the last input the inflater took. The buffer is
/// owned by the caller and reused; nothing is allocated per chunk of a stored entry (names are decoded
/// once per entry; a deflated entry allocates its inflater).
/// </summary>
internal sealed class ZipStreamVerifier
{
    private const uint LocalSig = 0x04034b50, CentralSig = 0x02014b50, DescriptorSig = 0x08074b50;
    private const uint Zip64EndSig = 0x06064b50, Zip64LocatorSig = 0x07064b50, EndSig = 0x06054b50;

    private readonly ByteSource _src;
    private readonly Crc32 _crc = new();
    private readonly List<Entry> _entries = [];
    private readonly string[]? _expectedNames;
    private byte[]? _inflated;

    /// <param name="source">The archive's bytes.</param>
    /// <param name="expectedNames">When given: the entry names the archive must hold, exactly and in this order.</param>
    public ZipStreamVerifier(ByteSource source, string[]? expectedNames = null)
    {
        _src = source;
        _expectedNames = expectedNames;
    }

    public int EntryCount => _entries.Count;

    private readonly record struct Entry(string Name, ushort Method, uint Crc, long CompressedSize, long Size, long Offset);

    public async Task VerifyAsync(CancellationToken ct)
    {
        while (true)
        {
            if (!await _src.EnsureAsync(4, ct))
            {
                throw new CorruptArchiveException($"archive ends at {_src.Position} before its central directory");
            }

            uint sig = _src.U32(0);
            if (sig == LocalSig)
            {
                await ReadEntryAsync(ct);
            }
            else if (sig == CentralSig)
            {
                if (_expectedNames is not null && _entries.Count != _expectedNames.Length)
                {
                    throw new CorruptArchiveException($"{_entries.Count} entries, expected {_expectedNames.Length}");
                }

                await ReadTrailerAsync(ct);
                return;
            }
            else
            {
                throw new CorruptArchiveException($"unexpected signature {sig:x8} at {_src.Position}");
            }
        }
    }

    private async Task ReadEntryAsync(CancellationToken ct)
    {
        long offset = _src.Position;
        await Need(30, ct);
        ushort flags = _src.U16(6), method = _src.U16(8);
        uint crc = _src.U32(14);
        long csize = _src.U32(18), usize = _src.U32(22);
        int nameLen = _src.U16(26), extraLen = _src.U16(28);
        await Need(30 + nameLen + extraLen, ct);
        string name = System.Text.Encoding.UTF8.GetString(_src.Span(30, nameLen));
        bool zip64 = false;
        var extra = _src.Span(30 + nameLen, extraLen);
        while (extra.Length >= 4)
        {
            ushort id = BinaryPrimitives.ReadUInt16LittleEndian(extra), len = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
            if (4 + len > extra.Length)
            {
                throw new CorruptArchiveException($"{name}: extra field overruns");
            }

            if (id == 1)
            {
                zip64 = true;
                var z = extra.Slice(4, len);
                if (usize == 0xFFFFFFFF && z.Length >= 8) { usize = (long)BinaryPrimitives.ReadUInt64LittleEndian(z); z = z[8..]; }
                if (csize == 0xFFFFFFFF && z.Length >= 8) { csize = (long)BinaryPrimitives.ReadUInt64LittleEndian(z); }
            }

            extra = extra[(4 + len)..];
        }

        _src.Consume(30 + nameLen + extraLen);
        if (_expectedNames is not null && (_entries.Count >= _expectedNames.Length || _expectedNames[_entries.Count] != name))
        {
            throw new CorruptArchiveException(_entries.Count >= _expectedNames.Length
                ? $"entry {_entries.Count} '{name}': more entries than the {_expectedNames.Length} expected"
                : $"entry {_entries.Count} is '{name}', expected '{_expectedNames[_entries.Count]}' (order)");
        }

        bool descriptor = (flags & 8) != 0;
        if (method == 8)
        {
            var (dcrc, dcsize, dusize) = await ReadDeflatedAsync(name, descriptor, zip64, crc, csize, usize, ct);
            _entries.Add(new Entry(name, method, dcrc, dcsize, dusize, offset));
            return;
        }

        if (method != 0)
        {
            throw new CorruptArchiveException($"{name}: method {method} (this verifier checks stored and deflated entries only)");
        }

        _crc.Reset();
        long size;
        if (descriptor && csize == 0 && usize == 0 && !zip64)
        {
            // Size unknown here: scan for a descriptor that matches the bytes before it.
            (size, crc) = await ScanToDescriptorAsync(name, ct);
        }
        else
        {
            if (csize != usize)
            {
                throw new CorruptArchiveException($"{name}: stored with compressed {csize} != uncompressed {usize}");
            }

            size = csize;
            long left = size;
            while (left > 0)
            {
                if (_src.Available == 0 && !await _src.FillAsync(ct))
                {
                    throw new CorruptArchiveException($"{name}: data ends {left} bytes short");
                }

                int n = (int)Math.Min(left, _src.Available);
                _crc.Append(_src.Span(0, n));
                _src.Consume(n);
                left -= n;
            }

            uint actual = _crc.GetCurrentHashAsUInt32();
            if (descriptor)
            {
                int dlen = zip64 ? 24 : 16;
                await Need(dlen, ct);
                if (_src.U32(0) != DescriptorSig)
                {
                    throw new CorruptArchiveException($"{name}: data descriptor without PK\\7\\8 at {_src.Position}");
                }

                crc = _src.U32(4);
                long dc = zip64 ? (long)_src.U64(8) : _src.U32(8), du = zip64 ? (long)_src.U64(16) : _src.U32(12);
                if (dc != size || du != size)
                {
                    throw new CorruptArchiveException($"{name}: descriptor sizes {dc}/{du}, data {size}");
                }

                _src.Consume(dlen);
            }

            if (actual != crc)
            {
                throw new CorruptArchiveException($"{name}: CRC-32 {actual:x8}, declared {crc:x8}");
            }
        }

        _entries.Add(new Entry(name, method, crc, size, size, offset));
    }

    /// <summary>
    /// Inflates one deflated entry as it arrives, checks the CRC-32 of the inflated bytes and the sizes,
    /// and leaves the source after its data descriptor (if any). Returns what the central directory must say.
    /// </summary>
    private async Task<(uint Crc, long CompressedSize, long Size)> ReadDeflatedAsync(
        string name, bool descriptor, bool zip64, uint crc, long csize, long usize, CancellationToken ct)
    {
        long dataStart = _src.Position;
        // Deflate data is never empty (an empty entry is 2 bytes), so a compressed size of 0 means "in the descriptor".
        bool sizesKnown = !descriptor || csize != 0;
        var input = new DeflatedEntryInput(_src, sizesKnown ? csize : -1);
        _inflated ??= new byte[64 * 1024];
        _crc.Reset();
        long inflated = 0;
        try
        {
            await using var inflater = new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true);
            int n;
            while ((n = await inflater.ReadAsync(_inflated, ct)) > 0)
            {
                _crc.Append(_inflated.AsSpan(0, n));
                inflated += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new CorruptArchiveException($"{name}: deflate data at {dataStart} is invalid: {e.Message}");
        }

        if (input.AskedPastEnd)
        {
            throw new CorruptArchiveException($"{name}: deflate data unfinished after {input.HandedOut} bytes");
        }

        uint actual = _crc.GetCurrentHashAsUInt32();
        int dlen = zip64 ? 24 : 16;
        if (!sizesKnown)
        {
            return (actual, await FindDescriptorAsync(name, input.Held, dataStart, dlen, actual, inflated, ct), inflated);
        }

        if (input.HandedOut != csize)
        {
            throw new CorruptArchiveException($"{name}: deflate data ends within the first {input.HandedOut} of its declared {csize} bytes");
        }

        _src.Consume(input.Held);
        if (descriptor)
        {
            await Need(dlen, ct);
            if (_src.U32(0) != DescriptorSig)
            {
                throw new CorruptArchiveException($"{name}: data descriptor without PK\\7\\8 at {_src.Position}");
            }

            crc = _src.U32(4);
            long dc = zip64 ? (long)_src.U64(8) : _src.U32(8), du = zip64 ? (long)_src.U64(16) : _src.U32(12);
            if (dc != csize || (usize != 0 && du != usize))
            {
                throw new CorruptArchiveException($"{name}: descriptor sizes {dc}/{du}, local header {csize}/{usize}");
            }

            usize = du;
            _src.Consume(dlen);
        }

        if (actual != crc || inflated != usize)
        {
            throw new CorruptArchiveException($"{name}: inflated CRC-32 {actual:x8} size {inflated}, declared {crc:x8} size {usize}");
        }

        return (crc, csize, usize);
    }

    /// <summary>
    /// The descriptor after a deflated entry of unknown size: the deflate data ended within the
    /// <paramref name="held"/> bytes at the source's front, so the descriptor starts there or right after,
    /// where its compressed size equals the distance from the data start and its CRC-32 and size match the
    /// inflated bytes (a <c>PK\7\8</c> inside the deflate data cannot meet all three).
    /// </summary>
    private async Task<long> FindDescriptorAsync(string name, int held, long dataStart, int dlen, uint crc, long size, CancellationToken ct)
    {
        long windowStart = _src.Position;
        // The held bytes may already reach the end of the archive: ask for a full descriptor after them, take what there is.
        await _src.EnsureAsync(held + dlen, ct);
        int last = Math.Min(held, _src.Available - dlen); // the last place a whole descriptor can start
        if (last < 0)
        {
            throw new CorruptArchiveException($"{name}: archive ends after its deflate data, before a data descriptor");
        }

        var window = _src.Span(0, last + 4);
        for (int k = 0; k <= last; k++)
        {
            int at = window[k..].IndexOf("PK\x07\x08"u8);
            if (at < 0)
            {
                break;
            }

            k += at;
            long compressed = windowStart + k - dataStart;
            long dc = dlen == 24 ? (long)_src.U64(k + 8) : _src.U32(k + 8), du = dlen == 24 ? (long)_src.U64(k + 16) : _src.U32(k + 12);
            if (dc == compressed && du == size && _src.U32(k + 4) == crc)
            {
                _src.Consume(k + dlen);
                return compressed;
            }
        }

        throw new CorruptArchiveException(
            $"{name}: no data descriptor with CRC-32 {crc:x8} and size {size} where its deflate data ({windowStart - dataStart}..{windowStart - dataStart + held} bytes) ends");
    }

    private async Task<(long Size, uint Crc)> ScanToDescriptorAsync(string name, CancellationToken ct)
    {
        long count = 0;
        while (true)
        {
            if (!await _src.EnsureAsync(16, ct))
            {
                throw new CorruptArchiveException($"{name}: archive ends inside data of unknown size");
            }

            var span = _src.Span(0, _src.Available);
            int limit = span.Length - 15; // a descriptor must fit entirely
            int idx = span[..(limit + 3)].IndexOf("PK\x07\x08"u8);
            if (idx < 0 || idx >= limit)
            {
                _crc.Append(span[..limit]);
                count += limit;
                _src.Consume(limit);
                continue;
            }

            _crc.Append(span[..idx]);
            count += idx;
            _src.Consume(idx);
            uint crc = _src.U32(4);
            if (crc == _crc.GetCurrentHashAsUInt32() && _src.U32(8) == count && _src.U32(12) == count)
            {
                _src.Consume(16);
                return (count, crc);
            }

            _crc.Append(_src.Span(0, 1));
            count++;
            _src.Consume(1);
        }
    }

    private async Task ReadTrailerAsync(CancellationToken ct)
    {
        long cdStart = _src.Position;
        int i = 0;
        while (await _src.EnsureAsync(4, ct) && _src.U32(0) == CentralSig)
        {
            await Need(46, ct);
            uint crc = _src.U32(16);
            long csize = _src.U32(20), usize = _src.U32(24), offset = _src.U32(42);
            int nameLen = _src.U16(28), extraLen = _src.U16(30), commentLen = _src.U16(32);
            ushort method = _src.U16(10);
            await Need(46 + nameLen + extraLen + commentLen, ct);
            if (i >= _entries.Count)
            {
                throw new CorruptArchiveException($"central directory has more entries than the {_entries.Count} streamed");
            }

            var e = _entries[i];
            if (!_src.Span(46, nameLen).SequenceEqual(System.Text.Encoding.UTF8.GetBytes(e.Name)))
            {
                throw new CorruptArchiveException($"central directory entry {i} is not {e.Name}");
            }

            var extra = _src.Span(46 + nameLen, extraLen);
            while (extra.Length >= 4)
            {
                ushort id = BinaryPrimitives.ReadUInt16LittleEndian(extra), len = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
                if (id == 1)
                {
                    var z = extra.Slice(4, Math.Min(len, extra.Length - 4));
                    if (usize == 0xFFFFFFFF && z.Length >= 8) { usize = (long)BinaryPrimitives.ReadUInt64LittleEndian(z); z = z[8..]; }
                    if (csize == 0xFFFFFFFF && z.Length >= 8) { csize = (long)BinaryPrimitives.ReadUInt64LittleEndian(z); z = z[8..]; }
                    if (offset == 0xFFFFFFFF && z.Length >= 8) { offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(z); }
                }

                extra = extra[Math.Min(extra.Length, 4 + len)..];
            }

            if (method != e.Method || crc != e.Crc || csize != e.CompressedSize || usize != e.Size || offset != e.Offset)
            {
                throw new CorruptArchiveException(
                    $"central directory for {e.Name}: method {method} crc {crc:x8} size {csize}/{usize} offset {offset}, " +
                    $"streamed method {e.Method} crc {e.Crc:x8} size {e.CompressedSize}/{e.Size} offset {e.Offset}");
            }

            _src.Consume(46 + nameLen + extraLen + commentLen);
            i++;
        }

        if (i != _entries.Count)
        {
            throw new CorruptArchiveException($"central directory lists {i} of {_entries.Count} entries");
        }

        long cdEnd = _src.Position;
        long? z64Count = null, z64Size = null, z64Offset = null;
        if (await _src.EnsureAsync(4, ct) && _src.U32(0) == Zip64EndSig)
        {
            await Need(56, ct);
            long recLen = (long)_src.U64(4);
            z64Count = (long)_src.U64(32);
            z64Size = (long)_src.U64(40);
            z64Offset = (long)_src.U64(48);
            await Need(checked((int)(12 + recLen)), ct);
            _src.Consume((int)(12 + recLen));
            await Need(20, ct);
            if (_src.U32(0) != Zip64LocatorSig || (long)_src.U64(8) != cdEnd)
            {
                throw new CorruptArchiveException("ZIP64 end locator missing or pointing elsewhere");
            }

            _src.Consume(20);
        }

        await Need(22, ct);
        if (_src.U32(0) != EndSig)
        {
            throw new CorruptArchiveException($"no end of central directory record at {_src.Position}");
        }

        long count = _src.U16(10), size = _src.U32(12), offs = _src.U32(16);
        int comment = _src.U16(20);
        if (count == 0xFFFF) { count = z64Count ?? -1; }
        if (size == 0xFFFFFFFF) { size = z64Size ?? -1; }
        if (offs == 0xFFFFFFFF) { offs = z64Offset ?? -1; }
        if (count != _entries.Count || size != cdEnd - cdStart || offs != cdStart)
        {
            throw new CorruptArchiveException($"end record: {count} entries, directory {size} bytes at {offs}; streamed {_entries.Count}, {cdEnd - cdStart} at {cdStart}");
        }

        await Need(22 + comment, ct);
        _src.Consume(22 + comment);
        if (await _src.EnsureAsync(1, ct))
        {
            throw new CorruptArchiveException($"bytes after the end record at {_src.Position}");
        }
    }

    private async ValueTask Need(int n, CancellationToken ct)
    {
        if (!await _src.EnsureAsync(n, ct))
        {
            throw new CorruptArchiveException($"archive ends at {_src.Position + _src.Available} inside a record");
        }
    }
}
