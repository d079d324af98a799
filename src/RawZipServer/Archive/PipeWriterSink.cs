using System.Buffers;
using System.IO.Pipelines;

namespace RawZipServer.Archive;

/// <summary>
/// A write-only <see cref="Stream"/> that copies into a <see cref="PipeWriter"/>'s memory and
/// advances it, without flushing: the pump flushes once per origin chunk, so back-pressure and the
/// idle timer stay in one place. (<c>PipeWriter.AsStream</c> would flush on every write, and
/// synchronously when DeflateStream writes.) Counts the bytes, which are the entry's compressed size.
/// </summary>
internal sealed class PipeWriterSink : Stream
{
    private PipeWriter? _output;

    public long BytesWritten { get; private set; }

    public void Reset(PipeWriter output)
    {
        _output = output;
        BytesWritten = 0;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _output!.Write(buffer);
        BytesWritten += buffer.Length;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Flush()
    {
        // The pump flushes the pipe; nothing is buffered here.
    }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
