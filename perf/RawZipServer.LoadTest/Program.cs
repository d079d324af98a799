using System.Diagnostics;
using System.Globalization;
using System.Net;
using HdrHistogram;
using RawZipServer.LoadTest;

// Load driver: N concurrent downloads of one URL, every archive verified while it streams.
// See perf/README.md. Exit code: 0 when every download completed and verified, 1 otherwise, 2 on bad usage.
var o = Options.Parse(args);
if (o is null)
{
    Console.Error.WriteLine(Options.Usage);
    return 2;
}

using var handler = new SocketsHttpHandler
{
    UseProxy = false,
    AutomaticDecompression = DecompressionMethods.None,
    MaxConnectionsPerServer = o.Concurrency,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    ConnectTimeout = TimeSpan.FromSeconds(10),
    ResponseDrainTimeout = TimeSpan.Zero,
};
using var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };

var ttfb = new LongHistogram(TimeStamp.Minutes(10), 3); // Stopwatch ticks
var downloadTime = new LongHistogram(TimeStamp.Hours(1), 3);
var procs = new ProcSampler(o.ServerPids);
using var cts = new CancellationTokenSource(o.Duration);

int next = -1;
long wallStart = Stopwatch.GetTimestamp();
procs.Start();

async Task Worker()
{
    var src = new ByteSource(o.BufferSize, o.ReadRate);
    int index;
    while ((index = Interlocked.Increment(ref next)) < o.Count && !cts.IsCancellationRequested)
    {
        long t0 = Stopwatch.GetTimestamp();
        src.Reset(Stream.Null, t0);
        // Deterministic per download number: which URL, whether (and after how many bytes) the client leaves.
        ulong h = Mix((ulong)index);
        long disconnectAfter = (h >> 11) * (1.0 / (1UL << 53)) < o.DisconnectFraction ? (long)(Mix(h) % (ulong)(o.DisconnectMaxBytes + 1)) : -1;
        Uri url = o.Urls[index % o.Urls.Length];
        string where = o.Urls.Length > 1 ? url.AbsolutePath + " " : ""; // several URLs: failures say which
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version11 };
            using var resp = await client.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            if (resp.StatusCode != HttpStatusCode.OK)
            {
                Stats.Fail($"{where}status {(int)resp.StatusCode}");
                continue;
            }

            long? expected = resp.Content.Headers.ContentLength;
            await using var body = await resp.Content.ReadAsStreamAsync(cts.Token);
            src.Reset(body, t0);
            src.DisconnectAfter = disconnectAfter;
            if (o.Raw)
            {
                await src.DrainAsync(cts.Token);
            }
            else
            {
                await new ZipStreamVerifier(src, o.ExpectedNames).VerifyAsync(cts.Token);
            }

            if (expected is long len && len != src.Received)
            {
                throw new CorruptArchiveException($"Content-Length {len}, received {src.Received}");
            }

            lock (ttfb)
            {
                downloadTime.RecordValue(Stopwatch.GetTimestamp() - t0);
            }

            Interlocked.Increment(ref Stats.Completed);
        }
        catch (ClientDisconnectException)
        {
            // Disposing the response without reading to the end closes the connection: the server sees the client go.
            Interlocked.Increment(ref Stats.Disconnected);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            Interlocked.Increment(ref Stats.Cancelled);
        }
        catch (CorruptArchiveException e)
        {
            Interlocked.Increment(ref Stats.Corrupt);
            Stats.Fail(where + "corrupt: " + e.Message);
        }
        catch (HttpRequestException e)
        {
            Stats.Fail($"{where}http: {e.HttpRequestError}: {e.Message}");
            Stats.Detail(index, url, t0, src, e);
        }
        catch (IOException e)
        {
            Stats.Fail($"{where}io: {e.Message}");
        }

        if (src.FirstByteTicks != 0)
        {
            // Every download that got a first byte counts, finished or not (slow clients cut by --duration too).
            lock (ttfb)
            {
                ttfb.RecordValue(src.FirstByteTicks - t0);
            }
        }
    }
}

static ulong Mix(ulong z)
{
    // SplitMix64 finaliser.
    z += 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

var workers = Enumerable.Range(0, o.Concurrency).Select(_ => Task.Run(Worker)).ToArray();
var all = Task.WhenAll(workers);
while (!all.IsCompleted)
{
    await Task.WhenAny(all, Task.Delay(1000));
    if (!o.Quiet)
    {
        double s = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
        Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
            $"\r{s,6:F1}s  {Volatile.Read(ref Stats.Bytes) / 1e9,8:F2} GB  {Volatile.Read(ref Stats.Bytes) / 1e9 / s,6:F3} GB/s  done {Volatile.Read(ref Stats.Completed)}  left {Volatile.Read(ref Stats.Disconnected)}  failed {Volatile.Read(ref Stats.Failed)}  server RSS {procs.CurrentRssKiB / 1024} MiB   "));
    }
}

await all;
double wall = Stopwatch.GetElapsedTime(wallStart).TotalSeconds;
var usage = procs.Stop();
if (!o.Quiet)
{
    Console.Error.WriteLine();
}

double gb = Stats.Bytes / 1e9;
double Ms(LongHistogram h, double p) => h.TotalCount == 0 ? double.NaN : h.GetValueAtPercentile(p) * 1000.0 / Stopwatch.Frequency;
var inv = CultureInfo.InvariantCulture;
string cpuPerGb = usage is null || gb == 0 || usage.Value.PidsGone > 0 ? "n/a" : (usage.Value.CpuSeconds / gb).ToString("F3", inv);
string rss = usage is null ? "n/a" : (usage.Value.PeakRssKiB / 1024.0).ToString("F1", inv);
string hwm = usage is null ? "n/a" : (usage.Value.HwmKiB / 1024.0).ToString("F1", inv);

Console.WriteLine(string.Create(inv, $"""

    | {o.Label} | value |
    |---|---|
    | url | {string.Join(" ", o.Urls.Select(u => u.ToString()))} |
    | mode | {(o.Raw ? "raw bytes (no verification)" : "ZIP verified while streaming (CRC-32 of every entry, central directory, end records)")}{(o.ExpectedNames is null ? "" : $"; entry names = the {o.ExpectedNames.Length} expected, in order")} |
    | concurrency / count / read rate | {o.Concurrency} / {o.Count} / {(o.ReadRate > 0 ? o.ReadRate + " B/s" : "unlimited")} |
    | completed / failed / corrupt / cancelled / disconnected by the client | {Stats.Completed} / {Stats.Failed} / {Stats.Corrupt} / {Stats.Cancelled} / {Stats.Disconnected} |
    | bytes / wall time | {gb:F3} GB / {wall:F2} s |
    | throughput | {gb / wall:F3} GB/s |
    | time to first byte p50 / p99 / max (every download that got one) | {Ms(ttfb, 50):F2} / {Ms(ttfb, 99):F2} / {Ms(ttfb, 100):F2} ms |
    | download time p50 / max (completed) | {Ms(downloadTime, 50):F0} / {Ms(downloadTime, 100):F0} ms |
    | server CPU (user+sys) | {(usage is null ? "n/a" : $"{usage.Value.CpuSeconds:F2} s ({usage.Value.UserSeconds:F2} user, {usage.Value.SysSeconds:F2} sys)")} |
    | server CPU-seconds per GB | {cpuPerGb} |
    | server peak RSS sampled / VmHWM | {rss} / {hwm} MiB |
    """));
if (usage is { PidsGone: > 0 } u)
{
    Console.WriteLine($"server: {u.PidsGone} of the --server-pid processes were not running at the start or the end: no CPU figure");
}

foreach (var (kind, n) in Stats.FailureKinds())
{
    Console.WriteLine($"failure ×{n}: {kind}");
}

// One machine-readable line for scripts (perf/compare.sh).
Console.WriteLine(string.Create(inv,
    $"RESULT label={o.Label} gbps={gb / wall:F4} cpu_s_per_gb={cpuPerGb} ttfb_p50_ms={Ms(ttfb, 50):F2} ttfb_p99_ms={Ms(ttfb, 99):F2} rss_peak_mib={rss} completed={Stats.Completed} failed={Stats.Failed} corrupt={Stats.Corrupt} cancelled={Stats.Cancelled} disconnected={Stats.Disconnected}"));
return Stats.Failed == 0 && Stats.Completed + Stats.Disconnected == o.Count ? 0 : 1;
