using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

// A standalone faulty HTTP origin for the soak (perf/soak.sh), 127.0.0.1 only. Every file is generated:
// /{route}/.../{size}/{seed} serves `size` deterministic bytes (SplitMix64 of position and seed) with a strong
// ETag, Last-Modified, Content-Length, one Range (206) and If-Match (412), like S3. The faults are deterministic:
//   ok/{size}/{seed}                 healthy
//   reset/{after}/{size}/{seed}      a request without Range sends `after` bytes and resets; a Range request is served
//                                    (recoverable: the server resumes with Range + If-Match)
//   stall/{size}/{seed}              a request without Range sends half, then nothing until the client leaves (≤ 60 s);
//                                    a Range request is served (recoverable after Upstream:IdleTimeout)
//   error/{size}/{seed}              one request in three to the path answers 503 (recoverable by a retry, almost always:
//                                    concurrent downloads of the same path share the counter, so a download's retries
//                                    can all land on a 503 now and then)
//   changing-etag/{size}/{seed}      resets after half, and every response has a new ETag, so the resume gets 412
//                                    (not recoverable: the download must be aborted)
//   always-503/{size}/{seed}         503 every time (not recoverable)
//   short/{size}/{seed}              every response announces its full Content-Length but carries only half of it and
//                                    ends (Kestrel then drops the connection): each retry gets half of what is left, so
//                                    the entry is not recoverable within Upstream:Retries for sizes ≫ 2^Retries bytes
//   delay/{ms}/{path}                with --Files=DIR: waits `ms` milliseconds (Task.Delay: at least that), then serves
//                                    DIR/{path} from disk (Range, ETag, If-Match). A fixed latency per request before the
//                                    response head, for the many-small-files measurement in perf/compare.sh (not a fault:
//                                    every response is complete)
// Prints "Listening on URL" (use --urls http://127.0.0.1:0). GET /stats: requests per route (and delay-mean-ms: the
// mean time the delay/{ms} requests actually waited, timer slack and scheduling included).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var hits = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
var counts = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
int changing = 0;

int Hit(string path) => hits.AddOrUpdate(path, 1, (_, n) => n + 1);
void Count(string route) => counts.AddOrUpdate(route, 1, (_, n) => n + 1);

long delayedTicks = 0; // Stopwatch ticks actually spent in the delay/{ms} waits (timer slack and a busy machine add to ms)
app.MapGet("/stats", () => string.Join('\n', counts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}")) + "\n"
    + (counts.TryGetValue("delay", out long delayed) && delayed > 0
        ? string.Create(CultureInfo.InvariantCulture, $"delay-mean-ms {Interlocked.Read(ref delayedTicks) * 1000.0 / Stopwatch.Frequency / delayed:F2}\n")
        : ""));
app.MapGet("/ok/{size:long}/{seed:long}", (long size, long seed, HttpContext c) =>
{
    Count("ok");
    return Serve(c, size, seed, Etag(size, seed));
});
app.MapGet("/reset/{after:long}/{size:long}/{seed:long}", (long after, long size, long seed, HttpContext c) =>
{
    Count("reset");
    return Serve(c, size, seed, Etag(size, seed), stopAfter: c.Request.Headers.Range.Count == 0 ? after : -1, reset: true);
});
app.MapGet("/stall/{size:long}/{seed:long}", (long size, long seed, HttpContext c) =>
{
    Count("stall");
    return Serve(c, size, seed, Etag(size, seed), stopAfter: c.Request.Headers.Range.Count == 0 ? size / 2 : -1, stall: true, reset: true);
});
app.MapGet("/error/{size:long}/{seed:long}", (long size, long seed, HttpContext c) =>
{
    Count("error");
    if (Hit($"error/{size}/{seed}") % 3 == 1)
    {
        c.Response.StatusCode = 503;
        return Task.CompletedTask;
    }

    return Serve(c, size, seed, Etag(size, seed));
});
app.MapGet("/changing-etag/{size:long}/{seed:long}", (long size, long seed, HttpContext c) =>
{
    Count("changing-etag");
    string etag = $"\"c{Interlocked.Increment(ref changing)}\"";
    return Serve(c, size, seed, etag, stopAfter: size / 2, reset: true);
});
app.MapGet("/always-503/{size:long}/{seed:long}", (HttpContext c) =>
{
    Count("always-503");
    c.Response.StatusCode = 503;
    return Task.CompletedTask;
});
app.MapGet("/short/{size:long}/{seed:long}", (long size, long seed, HttpContext c) =>
{
    Count("short");
    return Serve(c, size, seed, Etag(size, seed), halfOnly: true);
});

string? files = app.Configuration["Files"] is { } dir ? Path.GetFullPath(dir) + Path.DirectorySeparatorChar : null;
app.MapGet("/delay/{ms:int}/{**path}", async (int ms, string path) =>
{
    string full = Path.GetFullPath(Path.Combine(files ?? "/nonexistent/", path));
    if (files is null || !full.StartsWith(files, StringComparison.Ordinal) || !File.Exists(full))
    {
        return Results.NotFound();
    }

    Count("delay"); // files served: the mean in /stats is over these
    long start = Stopwatch.GetTimestamp();
    await Task.Delay(ms);
    Interlocked.Add(ref delayedTicks, Stopwatch.GetTimestamp() - start);
    var info = new FileInfo(full);
    var etag = new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\"");
    return Results.File(full, "application/octet-stream", lastModified: info.LastWriteTimeUtc, entityTag: etag, enableRangeProcessing: true);
});

app.Lifetime.ApplicationStarted.Register(() => Console.WriteLine("Listening on " + string.Join(' ', app.Urls)));
app.Run();

static string Etag(long size, long seed) => $"\"s{seed}-{size}\"";

// Serves bytes [from, to] of the generated file; with stopAfter ≥ 0 only that many body bytes, then: a reset
// (reset), a wait for the client to leave first (stall), or a clean end of a response shorter than announced.
static async Task Serve(HttpContext c, long size, long seed, string etag, long stopAfter = -1, bool reset = false, bool stall = false, bool halfOnly = false)
{
    c.Response.Headers.ETag = etag;
    c.Response.Headers.LastModified = "Tue, 14 Jul 2026 09:30:00 GMT";
    string? ifMatch = c.Request.Headers.IfMatch;
    if (ifMatch is not null && ifMatch != etag)
    {
        c.Response.StatusCode = 412;
        return;
    }

    long from = 0, to = size - 1;
    string? range = c.Request.Headers.Range;
    if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
    {
        string[] parts = range[6..].Split('-');
        from = long.Parse(parts[0], CultureInfo.InvariantCulture);
        to = parts[1].Length == 0 ? size - 1 : Math.Min(long.Parse(parts[1], CultureInfo.InvariantCulture), size - 1);
        if (from > to)
        {
            c.Response.StatusCode = 416;
            c.Response.Headers.ContentRange = $"bytes */{size}";
            return;
        }

        c.Response.StatusCode = 206;
        c.Response.Headers.ContentRange = $"bytes {from}-{to}/{size}";
    }

    long length = to - from + 1;
    c.Response.ContentType = "application/octet-stream";
    c.Response.ContentLength = length;
    long limit = halfOnly ? length / 2 : stopAfter >= 0 ? Math.Min(stopAfter, length) : length;
    byte[] block = new byte[64 * 1024];
    try
    {
        for (long sent = 0; sent < limit;)
        {
            int n = (int)Math.Min(block.Length, limit - sent);
            Fill(block.AsSpan(0, n), from + sent, (ulong)seed);
            await c.Response.Body.WriteAsync(block.AsMemory(0, n), c.RequestAborted);
            sent += n;
        }

        if (limit == length)
        {
            return;
        }

        await c.Response.Body.FlushAsync(c.RequestAborted);
        if (stall)
        {
            await Task.Delay(TimeSpan.FromSeconds(60), c.RequestAborted);
        }
        else if (reset)
        {
            await Task.Delay(20, c.RequestAborted);
        }
    }
    catch (OperationCanceledException)
    {
        return; // the client left
    }

    if (reset || stall)
    {
        c.Abort();
    }

    // Otherwise: return with fewer bytes than Content-Length; Kestrel closes the connection (a short body).
}

// Byte at position p is byte (p % 8) of SplitMix64(p / 8 + seed · golden) — any slice can be produced alone.
static void Fill(Span<byte> dest, long position, ulong seed)
{
    Span<byte> word = stackalloc byte[8];
    int i = 0;
    while (i < dest.Length)
    {
        long p = position + i;
        BinaryPrimitives.WriteUInt64LittleEndian(word, Mix((ulong)(p >> 3) + seed * 0x9E3779B97F4A7C15UL));
        int off = (int)(p & 7);
        int n = Math.Min(8 - off, dest.Length - i);
        word.Slice(off, n).CopyTo(dest[i..]);
        i += n;
    }
}

static ulong Mix(ulong z)
{
    z += 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}
