using System.Buffers;
using System.IO.Hashing;
using RawZipServer.Tests.Shared;

namespace RawZipServer.UnitTests.Infrastructure;

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
