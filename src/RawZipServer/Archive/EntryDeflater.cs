using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;

namespace RawZipServer.Archive;

/// <summary>
/// Raw deflate (no zlib header, APPNOTE method 8) of one entry at a time, written straight into the
/// response <see cref="PipeWriter"/>. One per archive: the origin's bytes land in <see cref="Buffer"/>
/// (zlib needs them in managed memory it can read while it writes the output), the compressed bytes
/// go through <see cref="PipeWriterSink"/> into the pipe's own memory — no copy beyond zlib's.
/// </summary>
internal sealed class EntryDeflater : IDisposable
{
    private readonly CompressionLevel _level;
    private readonly byte[] _buffer;
    private readonly PipeWriterSink _sink = new();
    private DeflateStream? _deflate;

    public EntryDeflater(CompressionLevel level, int bufferSize)
    {
        _level = level;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
        Buffer = _buffer.AsMemory(0, bufferSize);
    }

    /// <summary>Where the pump reads the origin's bytes.</summary>
    public Memory<byte> Buffer { get; }

    /// <summary>Starts a new deflate stream for the next entry. The zlib state is per entry (DeflateStream cannot be reset), so this allocates once per entry, never per chunk.</summary>
    public void Start(PipeWriter output)
    {
        _sink.Reset(output);
        _deflate = new DeflateStream(_sink, _level, leaveOpen: true);
    }

    public void Write(ReadOnlySpan<byte> data) => _deflate!.Write(data);

    /// <summary>Ends the entry's deflate stream (its last block goes into the output); returns the compressed size.</summary>
    public long Finish()
    {
        _deflate!.Dispose();
        _deflate = null;
        return _sink.BytesWritten;
    }

    public void Dispose()
    {
        _deflate?.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }
}
