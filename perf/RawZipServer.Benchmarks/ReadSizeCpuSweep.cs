using System.Diagnostics;
using RawZipServer.Archive;
using RawZipServer.Manifest;
using RawZipServer.Origin;

namespace RawZipServer.Benchmarks;

/// <summary>
/// The read-size sweep of <see cref="ArchivePumpBenchmarks"/> measured in process CPU time instead of
/// wall time, for a shared machine: BenchmarkDotNet's wall-clock means swing by tens of percent when
/// other work takes the cores, CPU time per archive far less. One 2 × 128 MiB synthetic archive through
/// the whole pump into a drained pipe; the read sizes take turns within each round, so a busy spell
/// hits all of them; medians over the rounds, ratios against 64 KiB (the default <c>ReadBufferBytes</c>).
/// Run: <c>dotnet run -c Release --project perf/RawZipServer.Benchmarks -- readsize-cpu [rounds]</c>.
/// </summary>
internal static class ReadSizeCpuSweep
{
    private static readonly int[] s_kib = [16, 64, 128, 256];

    public static async Task RunAsync(int rounds)
    {
        var origins = new OriginRegistry(new Dictionary<string, Origin.Origin> { ["synthetic"] = new SyntheticOrigin("synthetic") }, "synthetic");
        const long Half = 128L * 1024 * 1024;
        var manifest = new ArchiveManifest
        {
            FileName = "bench.zip",
            Entries =
            [
                new ManifestEntry { Index = 0, Path = "a.bin", PathUtf8 = "a.bin"u8.ToArray(), Origin = "synthetic", Source = $"/{Half}/1", Size = Half },
                new ManifestEntry { Index = 1, Path = "b.bin", PathUtf8 = "b.bin"u8.ToArray(), Origin = "synthetic", Source = $"/{Half}/2", Size = Half },
            ],
        };

        var cpu = s_kib.ToDictionary(k => k, _ => new List<double>());
        var wall = s_kib.ToDictionary(k => k, _ => new List<double>());
        var process = Process.GetCurrentProcess();
        for (int round = -1; round < rounds; round++) // round -1 warms up (tier-1 code) and is not kept
        {
            foreach (int kib in s_kib)
            {
                process.Refresh();
                var cpu0 = process.TotalProcessorTime;
                long t0 = Stopwatch.GetTimestamp();
                await PipedStreamer.RunAsync(new ZipArchiveStreamer(origins, kib * 1024, TimeSpan.FromMinutes(1), manifest, DateTimeOffset.UnixEpoch));
                double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                process.Refresh();
                if (round >= 0)
                {
                    cpu[kib].Add((process.TotalProcessorTime - cpu0).TotalMilliseconds);
                    wall[kib].Add(ms);
                }
            }
        }

        double baseCpu = Median(cpu[64]), baseWall = Median(wall[64]);
        Console.WriteLine($"2 x 128 MiB through ZipArchiveStreamer into a drained Pipe, {rounds} rounds, medians");
        Console.WriteLine("| read size | CPU ms / archive | CPU ratio vs 64 KiB | CPU-s / GB | wall ms | wall ratio vs 64 KiB |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int kib in s_kib)
        {
            double c = Median(cpu[kib]), w = Median(wall[kib]);
            Console.WriteLine($"| {kib} KiB | {c:F1} | {c / baseCpu:F2} | {c / 1000 / (2 * Half / 1e9):F3} | {w:F1} | {w / baseWall:F2} |");
        }
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
