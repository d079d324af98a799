using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using RawZipServer.Archive;
using RawZipServer.Manifest;
using RawZipServer.Origin;

namespace RawZipServer.Benchmarks;

/// <summary>
/// One 64 MiB entry through the whole ZIP streamer into a drained pipe, stored (baseline) and
/// deflated at <c>Compression:Level</c> Fastest: compressible data (repeated text lines from a
/// directory origin, served from the page cache) and incompressible data (the synthetic origin's
/// pseudo-random bytes). MB/s per core = 64 MiB / mean time (the benchmark runs on one thread).
/// </summary>
[MemoryDiagnoser]
public class DeflateBenchmarks
{
    private const long Size = 64L * 1024 * 1024;
    private OriginRegistry _origins = null!;
    private ArchiveManifest _stored = null!;
    private ArchiveManifest _deflated = null!;
    private string _directory = null!;

    [Params("text", "random")]
    public string Data { get; set; } = "text";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rawzip-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        var text = new StringBuilder();
        for (int i = 0; text.Length < Size; i++)
        {
            text.Append("2026-07-14T09:30:").Append(i % 60).Append("Z INFO request ").Append(i).Append(" served /archive/holiday-photos in 12 ms\n");
        }

        File.WriteAllBytes(Path.Combine(_directory, "log.txt"), Encoding.ASCII.GetBytes(text.ToString(0, (int)Size)));
        _origins = new OriginRegistry(new Dictionary<string, Origin.Origin>
        {
            ["synthetic"] = new SyntheticOrigin("synthetic"),
            ["files"] = new DirectoryOrigin("files", _directory),
        }, "synthetic");
        _stored = Manifest(deflate: false);
        _deflated = Manifest(deflate: true);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    private ArchiveManifest Manifest(bool deflate) => new()
    {
        FileName = "bench.zip",
        Entries =
        [
            Data == "text"
                ? new ManifestEntry { Index = 0, Path = "log.txt", PathUtf8 = "log.txt"u8.ToArray(), Origin = "files", Source = "log.txt", Size = Size, Deflate = deflate }
                : new ManifestEntry { Index = 0, Path = "a.bin", PathUtf8 = "a.bin"u8.ToArray(), Origin = "synthetic", Source = $"/{Size}/1", Size = Size, Deflate = deflate },
        ],
    };

    [Benchmark(Baseline = true)]
    public Task<long> Stored() => RunAsync(_stored);

    [Benchmark]
    public Task<long> DeflateFastest() => RunAsync(_deflated);

    private Task<long> RunAsync(ArchiveManifest manifest) =>
        PipedStreamer.RunAsync(new ZipArchiveStreamer(_origins, 64 * 1024, TimeSpan.FromMinutes(1), manifest, DateTimeOffset.UnixEpoch, CompressionLevel.Fastest));
}
