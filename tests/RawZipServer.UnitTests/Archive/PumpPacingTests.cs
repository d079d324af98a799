using System.IO.Pipelines;
using RawZipServer.Archive;
using RawZipServer.Manifest;
using RawZipServer.Origin;

namespace RawZipServer.UnitTests.Archive;

/// <summary>
/// The pump asks the output for <c>ReadSize</c> bytes per read while the client keeps up, and for one small pool
/// block (<see cref="ArchiveStreamer.SlowReadHint"/>) once its pace, measured over a second from a waiting flush, is below 1 MiB/s
/// (issue 6: slow clients must not hold 64 KiB arrays the pipe rents from the shared array pool).
/// </summary>
public sealed class PumpPacingTests
{
    private const int ReadSize = 64 * 1024;

    [Fact]
    public async Task AClientThatReadsSlowlyGetsSmallAsksAfterASecondOfPace()
    {
        // 8 KiB every 20 ms: about 400 KB/s. The pace is measured from the first waiting flush (at 64 KiB) over at
        // least a second: by 64 KiB + 400 KB at the latest, with room for the delays' own slowness.
        var asks = await RunAsync(1024 * 1024, slowReader: true);

        Assert.Contains(asks, a => a.Hint == ReadSize && a.Written < 64 * 1024);
        Assert.DoesNotContain(asks, a => a.Hint == ReadSize && a.Written >= 640 * 1024);
        Assert.Contains(asks, a => a.Hint == ArchiveStreamer.SlowReadHint);
    }

    [Fact]
    public async Task AClientThatKeepsUpKeepsTheFullReadSize()
    {
        var asks = await RunAsync(8 * 1024 * 1024, slowReader: false);

        // A reader stalled by a busy machine for more than a cycle's worth (64 KiB at 1 MiB/s: 62 ms) may be taken
        // for slow until its next cycle; most of the bytes still go in full-size reads.
        Assert.True(asks.Count(a => a.Hint == ReadSize) >= 8 * 1024 * 1024 / ReadSize / 2);
        Assert.True(asks.Count(a => a.Hint == ArchiveStreamer.SlowReadHint) < 8 * 1024 * 1024 / ArchiveStreamer.SlowReadHint / 8);
    }

    [Fact]
    public async Task EveryClientIsAskedSmallForItsFirstMebibytes()
    {
        var asks = await RunAsync(2 * 1024 * 1024, slowReader: false, smallFirst: ArchiveStreamer.DefaultSmallAsksFirstBytes);

        Assert.DoesNotContain(asks, a => a.Hint == ReadSize);
        Assert.Contains(asks, a => a.Hint == ArchiveStreamer.SlowReadHint);
    }

    private static async Task<List<(long Written, int Hint)>> RunAsync(long size, bool slowReader, long smallFirst = 0)
    {
        var origins = new OriginRegistry(new Dictionary<string, RawZipServer.Origin.Origin> { ["synthetic"] = new SyntheticOrigin("synthetic") }, "synthetic");
        var manifest = new ArchiveManifest
        {
            FileName = "pace.zip",
            Entries = [new ManifestEntry { Index = 0, Path = "a.bin", PathUtf8 = "a.bin"u8.ToArray(), Origin = "synthetic", Source = $"/{size}/1", Size = size }],
        };
        var streamer = new ZipArchiveStreamer(origins, ReadSize, TimeSpan.FromMinutes(1), manifest, DateTimeOffset.UnixEpoch) { SmallAsksFirstBytes = smallFirst };
        // Kestrel's output pipe: pauses the writer at 64 KiB unsent, resumes below 32 KiB.
        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false));
        var output = new RecordingWriter(pipe.Writer);
        var drain = Task.Run(async () =>
        {
            while (true)
            {
                var result = await pipe.Reader.ReadAsync();
                var buffer = result.Buffer;
                if (slowReader)
                {
                    buffer = buffer.Slice(0, Math.Min(buffer.Length, 8 * 1024));
                    await Task.Delay(20);
                }

                pipe.Reader.AdvanceTo(buffer.End);
                if (result.IsCompleted && buffer.Length == result.Buffer.Length)
                {
                    break;
                }
            }
        });

        var first = await streamer.OpenAsync(0, CancellationToken.None);
        await streamer.WriteAsync(output, first, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        await drain;
        return output.Asks;
    }

    /// <summary>Passes everything to the pipe's writer, recording each <c>GetMemory</c> hint with the bytes advanced before it.</summary>
    private sealed class RecordingWriter(PipeWriter inner) : PipeWriter
    {
        private long _written;

        public List<(long Written, int Hint)> Asks { get; } = [];

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            _written += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0)
        {
            Asks.Add((_written, sizeHint));
            return inner.GetMemory(sizeHint);
        }

        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);
    }
}
