namespace RawZipServer.LoadTest;

/// <summary>
/// The compressed bytes of one deflated entry, handed to a <see cref="System.IO.Compression.DeflateStream"/>
/// straight from the <see cref="ByteSource"/> buffer without consuming them too early. DeflateStream reads
/// ahead into its own buffer and does not say how much of the last read it used, so this stream keeps the
/// last two reads it handed out unconsumed in the source (<see cref="Held"/> bytes at the source's front):
/// DeflateStream asks for more input only when the inflater has used all it had and is not finished, so
/// the end of the deflate data lies within those bytes, and the caller looks for the entry's end (its data
/// descriptor, or the declared compressed size) there. Reads are at most 16 KiB, less with a small
/// <c>--buffer</c>, so the held window plus a descriptor always fits the source buffer.
/// </summary>
internal sealed class DeflatedEntryInput : Stream
{
    private readonly ByteSource _src;
    private readonly long _limit;
    private readonly int _maxRead;
    private int _last;

    /// <param name="limit">The declared compressed size, or -1 when unknown (bit 3, sizes 0): read until the source ends.</param>
    public DeflatedEntryInput(ByteSource source, long limit)
    {
        _src = source;
        _limit = limit;
        _maxRead = Math.Min(16 * 1024, (source.Capacity - 64) / 2);
    }

    /// <summary>Bytes handed out and not yet consumed from the source (the last two reads), at the source's front.</summary>
    public int Held { get; private set; }

    /// <summary>All compressed bytes handed out so far.</summary>
    public long HandedOut { get; private set; }

    /// <summary>The inflater asked for more input after the declared size or the source ran out: the deflate data is truncated.</summary>
    public bool AskedPastEnd { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => HandedOut; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The inflater used everything handed out before the last read: that can go.
        _src.Consume(Held - _last);
        Held = _last;
        long left = _limit < 0 ? long.MaxValue : _limit - HandedOut;
        if (left == 0 || buffer.IsEmpty)
        {
            AskedPastEnd |= !buffer.IsEmpty;
            return 0;
        }

        while (_src.Available <= Held)
        {
            if (!await _src.FillAsync(cancellationToken))
            {
                AskedPastEnd = true;
                return 0;
            }
        }

        int n = (int)Math.Min(Math.Min(buffer.Length, _maxRead), Math.Min(_src.Available - Held, left));
        _src.Span(Held, n).CopyTo(buffer.Span);
        Held += n;
        _last = n;
        HandedOut += n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("read the entry with ReadAsync");

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
