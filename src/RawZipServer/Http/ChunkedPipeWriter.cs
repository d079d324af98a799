using System.Buffers;
using System.IO.Pipelines;

namespace RawZipServer.Http;

/// <summary>
/// Chunked transfer coding (RFC 9112 §7.1) without copying: each memory block handed out is a slice
/// of the inner writer's memory behind room for a fixed-width chunk-size line and in front of room for
/// the closing CRLF, so origin bytes read into it already sit inside their chunk.
/// </summary>
internal sealed class ChunkedPipeWriter : PipeWriter
{
    // 8 hex digits (leading zeros are valid chunk-size syntax) cover any memory block, plus CRLF.
    private const int PrefixLength = 10;
    private const int SuffixLength = 2;
    private const int MaxChunkLength = int.MaxValue - PrefixLength - SuffixLength;

    private PipeWriter _inner = null!;
    private Memory<byte> _memory;

    public void Reset(PipeWriter inner)
    {
        _inner = inner;
        _memory = default;
    }

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        var memory = _inner.GetMemory(Math.Max(sizeHint, 1) + PrefixLength + SuffixLength);
        _memory = memory;
        int length = Math.Min(memory.Length - PrefixLength - SuffixLength, MaxChunkLength);
        return memory.Slice(PrefixLength, length);
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        if (bytes == 0)
        {
            return; // a zero-size chunk would end the body
        }

        var span = _memory.Span;
        span[0..8].Clear();
        // Fixed width: right-aligned hex, zero-padded.
        for (int i = 7, v = bytes; i >= 0; i--, v >>= 4)
        {
            span[i] = (byte)"0123456789abcdef"[v & 0xF];
        }

        span[8] = (byte)'\r';
        span[9] = (byte)'\n';
        span[PrefixLength + bytes] = (byte)'\r';
        span[PrefixLength + bytes + 1] = (byte)'\n';
        _inner.Advance(PrefixLength + bytes + SuffixLength);
        _memory = default;
    }

    /// <summary>The last chunk and an empty trailer section: the body is complete.</summary>
    public void WriteTerminator()
    {
        "0\r\n\r\n"u8.CopyTo(_inner.GetSpan(5));
        _inner.Advance(5);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        // The connection owns the inner writer; completing the body only ends the chunking.
    }

    public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => _inner.UnflushedBytes;
}
