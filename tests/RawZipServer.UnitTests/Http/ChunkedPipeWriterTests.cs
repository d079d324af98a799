using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using RawZipServer.Http;
using RawZipServer.UnitTests.Infrastructure;

namespace RawZipServer.UnitTests.Http;

public sealed class ChunkedPipeWriterTests
{
    private static byte[] Pattern(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Writes each block through GetMemory/Advance, as the archive pump does.</summary>
    private static void WriteBlocks(ChunkedPipeWriter chunked, IEnumerable<byte[]> blocks)
    {
        foreach (byte[] block in blocks)
        {
            var memory = chunked.GetMemory(block.Length);
            Assert.True(memory.Length >= block.Length, $"GetMemory({block.Length}) gave {memory.Length} bytes");
            block.CopyTo(memory);
            chunked.Advance(block.Length);
        }
    }

    /// <summary>A pipe that never pauses the writer: the tests read only after writing everything.</summary>
    private static Pipe NewPipe() => new(new PipeOptions(pauseWriterThreshold: 0));

    [Fact]
    public async Task BlocksDecodeBackToTheSameBytes()
    {
        var blocks = new[] { 1, 10, 4000, 4096, 5000, 0, 65536, 3, 0, 100_000 }.Select((n, i) => Pattern(n, i)).ToArray();
        var pipe = NewPipe();
        var chunked = new ChunkedPipeWriter();
        chunked.Reset(pipe.Writer);

        WriteBlocks(chunked, blocks);
        chunked.WriteTerminator();
        byte[] encoded = await PipeHelpers.DrainAsync(pipe);

        var (body, sizes, consumed) = ChunkedDecoder.Decode(encoded);
        Assert.Equal(blocks.SelectMany(b => b).ToArray(), body);
        Assert.Equal(blocks.Where(b => b.Length > 0).Select(b => b.Length), sizes);
        Assert.Equal(encoded.Length, consumed);
    }

    [Fact]
    public async Task ChunkHasAFixedWidthSizeLineAndTheTerminatorEndsTheBody()
    {
        var pipe = NewPipe();
        var chunked = new ChunkedPipeWriter();
        chunked.Reset(pipe.Writer);

        WriteBlocks(chunked, ["abc"u8.ToArray(), new byte[0x1234]]);
        chunked.WriteTerminator();
        byte[] encoded = await PipeHelpers.DrainAsync(pipe);

        Assert.Equal("00000003\r\nabc\r\n00001234\r\n", Encoding.ASCII.GetString(encoded, 0, 25));
        Assert.Equal("\r\n0\r\n\r\n", Encoding.ASCII.GetString(encoded[^7..]));
        Assert.Equal(15 + 10 + 0x1234 + 2 + 5, encoded.Length);
    }

    [Fact]
    public async Task AdvanceZeroWritesNothing()
    {
        var pipe = NewPipe();
        var chunked = new ChunkedPipeWriter();
        chunked.Reset(pipe.Writer);

        chunked.GetMemory(100);
        chunked.Advance(0);
        chunked.GetSpan();
        chunked.Advance(0);

        Assert.Equal(0, chunked.UnflushedBytes);
        Assert.Empty(await PipeHelpers.DrainAsync(pipe));
    }

    [Fact]
    public async Task PipeWriterWriteHelpersProduceValidChunks()
    {
        byte[] big = Pattern(300_000, 7);
        var pipe = NewPipe();
        var chunked = new ChunkedPipeWriter();
        chunked.Reset(pipe.Writer);

        // The BCL helpers slice large writes into several GetSpan/Advance calls.
        BuffersExtensions.Write(chunked, big.AsSpan(0, 100_000));
        await chunked.WriteAsync(big.AsMemory(100_000));
        chunked.WriteTerminator();
        byte[] encoded = await PipeHelpers.DrainAsync(pipe);

        var (body, sizes, _) = ChunkedDecoder.Decode(encoded);
        Assert.Equal(big, body);
        Assert.All(sizes, s => Assert.True(s > 0));
    }

    [Fact]
    public async Task CompleteLeavesTheConnectionsWriterOpenAndResetSwitchesWriters()
    {
        var first = NewPipe();
        var chunked = new ChunkedPipeWriter();
        chunked.Reset(first.Writer);
        WriteBlocks(chunked, ["one"u8.ToArray()]);
        chunked.WriteTerminator();
        await chunked.CompleteAsync();
        // The connection can still write its next response on the same writer.
        "NEXT"u8.CopyTo(first.Writer.GetSpan(4));
        first.Writer.Advance(4);

        var second = NewPipe();
        chunked.Reset(second.Writer);
        WriteBlocks(chunked, ["two"u8.ToArray()]);
        chunked.WriteTerminator();

        byte[] a = await PipeHelpers.DrainAsync(first);
        byte[] b = await PipeHelpers.DrainAsync(second);
        var (bodyA, _, consumedA) = ChunkedDecoder.Decode(a);
        Assert.Equal("one", Encoding.ASCII.GetString(bodyA));
        Assert.Equal("NEXT", Encoding.ASCII.GetString(a[consumedA..]));
        Assert.Equal("two", Encoding.ASCII.GetString(ChunkedDecoder.Decode(b).Body));
    }

    [Fact]
    public async Task FlushReachesTheInnerPipe()
    {
        var pipe = NewPipe();
        var chunked = new ChunkedPipeWriter();
        chunked.Reset(pipe.Writer);
        WriteBlocks(chunked, ["hello"u8.ToArray()]);
        Assert.Equal(5 + 12, chunked.UnflushedBytes);

        await chunked.FlushAsync();

        Assert.True(pipe.Reader.TryRead(out var result));
        Assert.Equal("00000005\r\nhello\r\n", Encoding.ASCII.GetString(result.Buffer.ToArray()));
        pipe.Reader.AdvanceTo(result.Buffer.End);
    }
}
