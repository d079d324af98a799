using System.Collections.Concurrent;
using System.Globalization;

namespace RawZipServer.LoadTest;

internal static class Stats
{
    public static long Bytes, Completed, Failed, Corrupt, Cancelled, Disconnected;
    private static readonly ConcurrentDictionary<string, int> Kinds = new();

    public static void Fail(string kind)
    {
        Interlocked.Increment(ref Failed);
        if (Kinds.Count < 20 || Kinds.ContainsKey(kind))
        {
            Kinds.AddOrUpdate(kind, 1, (_, n) => n + 1);
        }
    }

    private static int s_details;

    /// <summary>
    /// One line for each of the first 20 failures without a response (HttpRequestException): when it struck (seconds since the run's start and since
    /// the download's), how far the download got, and the whole exception chain, which the kind alone does not say.
    /// </summary>
    public static void Detail(int index, Uri url, long t0, ByteSource source, Exception e)
    {
        if (Interlocked.Increment(ref s_details) > 20)
        {
            return;
        }

        var chain = new List<string>();
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            chain.Add($"{x.GetType().Name}: {x.Message}{(x is System.Net.Sockets.SocketException se ? $" ({se.SocketErrorCode})" : "")}");
        }

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv,
            $"failure detail: download {index} {url.AbsolutePath} at {DateTime.UtcNow:HH:mm:ss.fff} UTC, {System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds:F3} s after it started, {source.Received} body bytes received{(source.FirstByteTicks == 0 ? " (none: no response body)" : "")}: {string.Join(" <- ", chain)}"));
    }

    public static IEnumerable<(string Kind, int Count)> FailureKinds() => Kinds.Select(kv => (kv.Key, kv.Value));
}

internal sealed record Options(
    Uri[] Urls, double DisconnectFraction, long DisconnectMaxBytes, int Concurrency, int Count, TimeSpan Duration, long ReadRate, int BufferSize, bool Raw, bool Quiet, string Label, int[] ServerPids, string[]? ExpectedNames)
{
    public const string Usage = """
        usage: RawZipServer.LoadTest --url URL [--url URL2 ...] [--concurrency N=1] [--count N=concurrency] [--duration SECONDS=300]
               [--read-rate BYTES_PER_S=0 (unlimited)] [--buffer BYTES=262144] [--raw] [--quiet] [--label NAME]
               [--server-pid PID[,PID...]] [--disconnect-fraction F=0 [--disconnect-max BYTES=8388608]]
               [--expect-names-file FILE]
        several --url: download i fetches URL number i mod n (a mix of archives in one run).
        --disconnect-fraction: that share of downloads (chosen by download number, deterministic) is abandoned
                      by the client after a pseudo-random 0..--disconnect-max bytes; counted as disconnected.
        --raw: count bytes only (no ZIP verification), for non-ZIP baselines such as nginx.
        --server-pid: processes whose CPU (utime+stime from /proc/PID/stat) and memory (VmRSS sampled, VmHWM)
                      are reported; several PIDs are summed (e.g. nginx workers).
        --expect-names-file: one entry name per line (UTF-8); every archive must hold exactly these entries in this
                      order (reported as corrupt otherwise). Not with --raw.
        """;

    public Uri Url => Urls[0];

    public static Options? Parse(string[] args)
    {
        var urls = new List<Uri>();
        double disconnect = 0;
        long disconnectMax = 8 << 20;
        int concurrency = 1, count = -1, buffer = 256 * 1024;
        double duration = 300;
        long rate = 0;
        bool raw = false, quiet = false;
        string label = "load";
        int[] pids = [];
        string[]? names = null;
        var inv = CultureInfo.InvariantCulture;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--url": urls.Add(new Uri(Next())); break;
                case "--disconnect-fraction": disconnect = double.Parse(Next(), inv); break;
                case "--disconnect-max": disconnectMax = long.Parse(Next(), inv); break;
                case "--concurrency": concurrency = int.Parse(Next(), inv); break;
                case "--count": count = int.Parse(Next(), inv); break;
                case "--duration": duration = double.Parse(Next(), inv); break;
                case "--read-rate": rate = long.Parse(Next(), inv); break;
                case "--buffer": buffer = int.Parse(Next(), inv); break;
                case "--raw": raw = true; break;
                case "--quiet": quiet = true; break;
                case "--label": label = Next(); break;
                case "--expect-names-file": names = File.ReadAllLines(Next()).Where(l => l.Length > 0).ToArray(); break;
                case "--server-pid": pids = Next().Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, inv)).ToArray(); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return null;
            }
        }

        if (urls.Count == 0 || disconnect < 0 || disconnect > 1 || disconnectMax < 0 || concurrency < 1 || concurrency > 100_000 || duration <= 0 || buffer < 4096 || (raw && names is not null))
        {
            return null;
        }

        return new Options([.. urls], disconnect, disconnectMax, concurrency, count < 0 ? concurrency : count, TimeSpan.FromSeconds(duration), rate, buffer, raw, quiet, label, pids, names);
    }
}

/// <summary>CPU and memory of the server processes from /proc, sampled every 100 ms while the load runs.</summary>
internal sealed class ProcSampler(int[] pids)
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux
    private Dictionary<int, (long User, long Sys)> _start = [];
    private long _peakRssKiB;
    private Timer? _timer;

    public readonly record struct Usage(double UserSeconds, double SysSeconds, long PeakRssKiB, long HwmKiB, int PidsGone)
    {
        public double CpuSeconds => UserSeconds + SysSeconds;
    }

    public void Start()
    {
        if (pids.Length == 0)
        {
            return;
        }

        _start = Cpu();
        _timer = new Timer(_ => Sample(), null, 0, 100);
    }

    public Usage? Stop()
    {
        if (pids.Length == 0)
        {
            return null;
        }

        _timer?.Dispose();
        Sample();
        var end = Cpu();
        long u = 0, s = 0;
        int gone = 0;
        foreach (var (pid, start) in _start)
        {
            // Only processes alive at both ends count (a process that exited or was replaced is reported).
            if (end.TryGetValue(pid, out var e))
            {
                u += e.User - start.User;
                s += e.Sys - start.Sys;
            }
            else
            {
                gone++;
            }
        }

        return new Usage(u / TicksPerSecond, s / TicksPerSecond, Interlocked.Read(ref _peakRssKiB), pids.Sum(p => Status(p, "VmHWM:")), gone + pids.Length - _start.Count);
    }

    public long CurrentRssKiB { get; private set; }

    private void Sample()
    {
        long rss = pids.Sum(p => Status(p, "VmRSS:"));
        CurrentRssKiB = rss;
        long seen;
        while (rss > (seen = Interlocked.Read(ref _peakRssKiB)) && Interlocked.CompareExchange(ref _peakRssKiB, rss, seen) != seen)
        {
        }
    }

    private Dictionary<int, (long User, long Sys)> Cpu()
    {
        var result = new Dictionary<int, (long User, long Sys)>();
        foreach (int p in pids)
        {
            // Fields after "(comm)": state is field 3; utime 14, stime 15.
            string stat;
            try
            {
                stat = File.ReadAllText($"/proc/{p}/stat");
            }
            catch (IOException)
            {
                continue; // gone: counts nothing
            }

            var f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            result[p] = (long.Parse(f[11], CultureInfo.InvariantCulture), long.Parse(f[12], CultureInfo.InvariantCulture));
        }

        return result;
    }

    private static long Status(int pid, string key)
    {
        try
        {
            foreach (string line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith(key, StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(key.Length).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
