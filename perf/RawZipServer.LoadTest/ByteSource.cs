using System.Buffers.Binary;
using System.Diagnostics;

namespace RawZipServer.LoadTest;

/// <summary>
/// A reusable read buffer over a response stream: fills with large reads, optionally paced to a
/// read rate (a slow client), counts bytes into a shared counter, and notes the first byte's time.
/// </summary>
internal sealed class ByteSource
{
    private readonly byte[] _buffer;
    private readonly long _rate;
    private Stream _stream = Stream.Null;
    private int _start, _end;
    private long _consumedBefore; // stream position of _buffer[_start]
    private long _received;
    private long _startTicks;

    public ByteSource(int bufferSize, long bytesPerSecond)
    {
        _buffer = GC.AllocateUninitializedArray<byte>(bufferSize, pinned: true);
        _rate = bytesPerSecond;
    }

    public long FirstByteTicks { get; private set; }

    /// <summary>A disconnecting client: after this many bytes the read throws <see cref="ClientDisconnectException"/> (-1: never).</summary>
    public long DisconnectAfter { get; set; } = -1;

    public long Received => _received;

    public long Position => _consumedBefore;

    public int Available => _end - _start;

    public int Capacity => _buffer.Length;

    public void Reset(Stream stream, long startTicks)
    {
        _stream = stream;
        _start = _end = 0;
        _consumedBefore = 0;
        _received = 0;
        _startTicks = startTicks;
        FirstByteTicks = 0;
        DisconnectAfter = -1;
    }

    public ReadOnlySpan<byte> Span(int offset, int length) => _buffer.AsSpan(_start + offset, length);

    public ushort U16(int offset) => BinaryPrimitives.ReadUInt16LittleEndian(_buffer.AsSpan(_start + offset));

    public uint U32(int offset) => BinaryPrimitives.ReadUInt32LittleEndian(_buffer.AsSpan(_start + offset));

    public ulong U64(int offset) => BinaryPrimitives.ReadUInt64LittleEndian(_buffer.AsSpan(_start + offset));

    public void Consume(int n)
    {
        _start += n;
        _consumedBefore += n;
    }

    /// <summary>Makes at least <paramref name="n"/> bytes available; false at the end of the stream.</summary>
    public async ValueTask<bool> EnsureAsync(int n, CancellationToken ct)
    {
        if (n > _buffer.Length)
        {
            throw new CorruptArchiveException($"a record of {n} bytes is larger than the read buffer");
        }

        while (Available < n)
        {
            if (!await FillAsync(ct))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>One read appended to the buffer (moving what is left to the front first); false at the end.</summary>
    public async ValueTask<bool> FillAsync(CancellationToken ct)
    {
        if (_start > 0)
        {
            _buffer.AsSpan(_start, Available).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        int room = _buffer.Length - _end;
        if (_rate > 0)
        {
            room = (int)Math.Min(room, Math.Max(4096, _rate / 8));
        }

        int n = await _stream.ReadAsync(_buffer.AsMemory(_end, room), ct);
        if (n == 0)
        {
            return false;
        }

        if (FirstByteTicks == 0)
        {
            FirstByteTicks = Stopwatch.GetTimestamp();
        }

        _end += n;
        _received += n;
        Interlocked.Add(ref Stats.Bytes, n);
        if (DisconnectAfter >= 0 && _received >= DisconnectAfter)
        {
            throw new ClientDisconnectException();
        }
        if (_rate > 0)
        {
            // Pace: never be ahead of rate × elapsed since the first byte.
            double due = (double)_received / _rate;
            double elapsed = Stopwatch.GetElapsedTime(FirstByteTicks).TotalSeconds;
            if (due > elapsed)
            {
                await Task.Delay(TimeSpan.FromSeconds(due - elapsed), ct);
            }
        }

        return true;
    }

    /// <summary>Raw mode: read everything, count it, check nothing.</summary>
    public async Task DrainAsync(CancellationToken ct)
    {
        while (await FillAsync(ct))
        {
            _start = _end = 0;
        }
    }

    internal long StartTicks => _startTicks;
}

/// <summary>The driver leaving a download on purpose (<c>--disconnect-fraction</c>): not a failure.</summary>
internal sealed class ClientDisconnectException : Exception
{
    public ClientDisconnectException()
        : base("client disconnected on purpose")
    {
    }

    public ClientDisconnectException(string message)
        : base(message)
    {
    }

    public ClientDisconnectException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
