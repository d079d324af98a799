using System.Buffers;
using System.IO.Hashing;

namespace RawZipServer.UnitTests.Infrastructure;

/// <summary>Random access to an archive's bytes, which need not all exist in memory.</summary>
internal abstract class ArchiveBytes
{
    public abstract long Length { get; }

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>.</summary>
    public abstract void Read(long offset, Span<byte> destination);

    public byte[] Read(long offset, int count)
    {
        var bytes = new byte[count];
        Read(offset, bytes);
        return bytes;
    }

    /// <summary>CRC-32 of a range, read in pieces.</summary>
    public virtual uint Crc32Of(long offset, long length)
    {
        var crc = new Crc32();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            while (length > 0)
            {
                int n = (int)Math.Min(length, buffer.Length);
                Read(offset, buffer.AsSpan(0, n));
                crc.Append(buffer.AsSpan(0, n));
                offset += n;
                length -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return crc.GetCurrentHashAsUInt32();
    }

    public static ArchiveBytes Of(byte[] bytes) => new ArrayBytes(bytes);

    private sealed class ArrayBytes(byte[] bytes) : ArchiveBytes
    {
        public override long Length => bytes.Length;

        public override void Read(long offset, Span<byte> destination)
        {
            if (offset < 0 || offset + destination.Length > bytes.Length)
            {
                throw new InvalidDataException($"read of {destination.Length} bytes at {offset} is outside the {bytes.Length}-byte archive");
            }

            bytes.AsSpan((int)offset, destination.Length).CopyTo(destination);
        }
    }
}

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that keeps what is written through it, plus runs of zeros appended
/// with <see cref="AppendZeros"/> that take no memory: multi-gigabyte entries cost only their CRC.
/// </summary>
internal sealed class SparseArchive : ArchiveBytes, IBufferWriter<byte>
{
    private readonly List<Piece> _pieces = [];
    private byte[] _pending = new byte[4096];
    private long _length;

    public override long Length => _length;

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_pending.Length < sizeHint)
        {
            _pending = new byte[Math.Max(sizeHint, _pending.Length * 2)];
        }

        return _pending;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Advance(int count)
    {
        if (count == 0)
        {
            return;
        }

        _pieces.Add(new Piece(_length, count, _pending[..count]));
        _length += count;
    }

    public void AppendZeros(long count)
    {
        if (count == 0)
        {
            return;
        }

        _pieces.Add(new Piece(_length, count, null));
        _length += count;
    }

    public override void Read(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > _length)
        {
            throw new InvalidDataException($"read of {destination.Length} bytes at {offset} is outside the {_length}-byte archive");
        }

        int i = FindPiece(offset);
        while (!destination.IsEmpty)
        {
            var piece = _pieces[i++];
            long within = offset - piece.Offset;
            int n = (int)Math.Min(destination.Length, piece.Length - within);
            if (piece.Data is null)
            {
                destination[..n].Clear();
            }
            else
            {
                piece.Data.AsSpan((int)within, n).CopyTo(destination);
            }

            destination = destination[n..];
            offset += n;
        }
    }

    public override uint Crc32Of(long offset, long length)
    {
        if (length > 0)
        {
            var piece = _pieces[FindPiece(offset)];
            if (piece.Data is null && piece.Offset == offset && piece.Length == length)
            {
                return ZeroCrc.Of(length);
            }
        }

        return base.Crc32Of(offset, length);
    }

    private int FindPiece(long offset)
    {
        int lo = 0, hi = _pieces.Count - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (_pieces[mid].Offset <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    private readonly record struct Piece(long Offset, long Length, byte[]? Data);
}

/// <summary>
/// CRC-32 of runs of zero bytes over one reused buffer. One running state is kept, so asking for
/// 0xFFFFFFFF, then 0x100000000, then 0x100000001 zeros costs one pass over 4 GiB in all.
/// </summary>
internal static class ZeroCrc
{
    private static readonly Dictionary<long, uint> s_known = new() { [0] = 0 };
    private static readonly Lock s_lock = new();
    private static readonly byte[] s_zeros = new byte[1 << 20];
    private static Crc32 s_running = new();
    private static long s_runningLength;

    public static uint Of(long length)
    {
        lock (s_lock)
        {
            if (s_known.TryGetValue(length, out uint known))
            {
                return known;
            }

            if (length < s_runningLength)
            {
                s_running = new Crc32();
                s_runningLength = 0;
            }

            while (s_runningLength < length)
            {
                int n = (int)Math.Min(s_zeros.Length, length - s_runningLength);
                s_running.Append(s_zeros.AsSpan(0, n));
                s_runningLength += n;
            }

            uint value = s_running.GetCurrentHashAsUInt32();
            s_known[length] = value;
            return value;
        }
    }
}

/// <summary>A read-only seekable stream over <see cref="ArchiveBytes"/>, for System.IO.Compression.</summary>
internal sealed class ArchiveStream(ArchiveBytes bytes) : Stream
{
    private long _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => bytes.Length;

    public override long Position
    {
        get => _position;
        set => _position = value;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Max(0, Math.Min(buffer.Length, bytes.Length - _position));
        bytes.Read(_position, buffer[..n]);
        _position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => bytes.Length + offset,
        };
        return _position;
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
