using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>
/// A real Kestrel on 127.0.0.1:0 playing an HTTP origin. Paths (relative to <see cref="BaseUrl"/>):
/// <c>files/{name}</c> with Content-Length; <c>chunked/{name}</c> without it (chunked, in pieces);
/// <c>versioned/{name}</c> with a strong ETag that <see cref="ChangeFile"/> changes, honouring one Range and If-Match;
/// <c>missing/{anything}</c> 404; <c>generated/{length}/{seed}</c> synthetic bytes without Content-Length; <c>drop/{name}</c> announces the full Content-Length, sends half,
/// flushes and aborts the connection; <c>stall/{name}</c> sends half and then nothing (until the
/// client leaves, at most <see cref="StallLimit"/>); <c>slow-head/{name}</c> sends nothing at all; <c>delayed/{ms}/{name}</c>
/// answers after ms milliseconds; <c>headers-only/{times}/{name}</c> (no validator) ends its first <c>times</c> responses after the head.
/// Every request is counted.
/// Fault endpoints, each serving like <c>versioned/</c> when healthy (strong ETag, Range, If-Match), with a request
/// counter per path: <c>reset/{after}/{times}/{name}</c> sends <c>after</c> bytes of the asked slice and resets, for the first
/// <c>times</c> requests; <c>error/{times}/{name}</c> answers 503 the first <c>times</c> requests; <c>ignore-range/{name}</c>,
/// <c>changing-etag/{name}</c> and <c>wrong-length/{name}</c> reset the first request after half the file, then
/// answer every Range with the whole file (200), change the ETag on every request (so If-Match gets 412),
/// or claim a Content-Range total one byte longer; <c>stall-once/{name}</c> sends half the first time and then nothing.
/// </summary>
internal sealed class OriginServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<string> _ranges = new();
    private readonly ConcurrentDictionary<string, int> _versions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _hits = new(StringComparer.Ordinal);
    private int _inFlight;
    private int _maxInFlight;
    private int _delayed;
    private int _maxDelayed;

    private OriginServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; private set; }

    public int RequestCount => _requests.Count;

    /// <summary>Requests being answered now: a client's origin request left open shows here.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most requests ever answered at the same time.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary><c>delayed/</c> requests waiting for their response head now.</summary>
    public int Delayed => Volatile.Read(ref _delayed);

    /// <summary>The most <c>delayed/</c> requests ever waiting at the same time: how far ahead a client opened files.</summary>
    public int MaxDelayed => Volatile.Read(ref _maxDelayed);

    private static void CountUp(ref int count, ref int max)
    {
        int now = Interlocked.Increment(ref count);
        for (int seen = Volatile.Read(ref max); now > seen; seen = Volatile.Read(ref max))
        {
            Interlocked.CompareExchange(ref max, now, seen);
        }
    }

    /// <summary>How many requests the fault endpoint path (e.g. <c>reset/100/1/a.bin</c>) has had.</summary>
    public int HitsOf(string path) => _hits.GetValueOrDefault(path);

    public IReadOnlyCollection<string> Requests => _requests;

    /// <summary>The Range header of every <c>versioned/</c> request ("" when none), in order.</summary>
    public IReadOnlyCollection<string> VersionedRanges => _ranges;

    /// <summary>The current ETag of <c>versioned/{name}</c>, quotes included.</summary>
    public string ETagOf(string name) => $"\"v{_versions.GetValueOrDefault(name)}-{name}\"";

    /// <summary>Replaces the content of <paramref name="name"/> and gives <c>versioned/</c> a new ETag.</summary>
    public void ChangeFile(string name, byte[] content)
    {
        _files[name] = content;
        _versions.AddOrUpdate(name, 1, (_, v) => v + 1);
    }

    public static async Task<OriginServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var origin = new OriginServer(app, new Uri("http://127.0.0.1/"));
        app.Use(async (context, next) =>
        {
            origin._requests.Enqueue(context.Request.Method + " " + context.Request.Path + context.Request.QueryString);
            CountUp(ref origin._inFlight, ref origin._maxInFlight);
            try
            {
                await next(context);
            }
            finally
            {
                Interlocked.Decrement(ref origin._inFlight);
            }
        });
        app.MapGet("/reset/{after:int}/{times:int}/{name}", (int after, int times, string name, HttpContext context) =>
        {
            int hit = origin.Hit($"reset/{after}/{times}/{name}");
            return origin.ServeFaultyAsync(context, name, origin.ETagOf(name), resetAfter: hit <= times ? after : -1);
        });
        app.MapGet("/error/{times:int}/{name}", (int times, string name, HttpContext context) =>
        {
            if (origin.Hit($"error/{times}/{name}") <= times)
            {
                context.Response.StatusCode = 503;
                return Task.CompletedTask;
            }

            return origin.ServeFaultyAsync(context, name, origin.ETagOf(name));
        });
        app.MapGet("/stall-once/{name}", async (string name, HttpContext context) =>
        {
            if (origin.Hit($"stall-once/{name}") > 1)
            {
                await origin.ServeFaultyAsync(context, name, origin.ETagOf(name));
                return;
            }

            if (origin.FindOr404(name, context) is not { } content)
            {
                return;
            }

            context.Response.Headers.ETag = origin.ETagOf(name);
            await SendFirstHalfAsync(context, content);
            await StallAsync(context);
            context.Abort();
        });
        foreach (string fault in new[] { "ignore-range", "changing-etag", "wrong-length" })
        {
            // Three literal routes: the slim builder has no regex route constraint.
            app.MapGet("/" + fault + "/{name}", (string name, HttpContext context) =>
            {
                int hit = origin.Hit($"{fault}/{name}");
                bool firstRequest = hit == 1;
                string etag = fault == "changing-etag" ? $"\"r{hit}-{name}\"" : origin.ETagOf(name);
                return origin.ServeFaultyAsync(context, name, etag,
                    resetAfter: firstRequest ? (origin._files.TryGetValue(name, out var c) ? c.Length / 2 : 0) : -1,
                    ignoreRange: !firstRequest && fault == "ignore-range",
                    extraTotal: !firstRequest && fault == "wrong-length" ? 1 : 0);
            });
        }
        app.MapGet("/files/{name}", async (string name, HttpContext context) =>
        {
            if (origin.FindOr404(name, context) is not { } content)
            {
                return;
            }

            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = content.Length;
            context.Response.Headers.LastModified = "Tue, 14 Jul 2026 09:30:00 GMT";
            await context.Response.Body.WriteAsync(content, context.RequestAborted);
        });
        app.MapGet("/chunked/{name}", async (string name, HttpContext context) =>
        {
            if (origin.FindOr404(name, context) is not { } content)
            {
                return;
            }

            context.Response.ContentType = "application/octet-stream";
            // No Content-Length: Kestrel answers chunked. Several pieces, flushed one by one.
            int piece = Math.Max(1, content.Length / 4);
            for (int offset = 0; offset < content.Length; offset += piece)
            {
                await context.Response.Body.WriteAsync(content.AsMemory(offset, Math.Min(piece, content.Length - offset)), context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
            }
        });
        app.MapGet("/versioned/{name}", (string name, HttpContext context) =>
        {
            // A strong ETag per version, single ranges (206 + Content-Range) and If-Match (412), as S3 does: the fault
            // endpoints' healthy behaviour.
            if (origin._files.ContainsKey(name))
            {
                origin._ranges.Enqueue((string?)context.Request.Headers.Range ?? "");
            }

            return origin.ServeFaultyAsync(context, name, origin.ETagOf(name));
        });
        app.MapGet("/missing/{name}", (HttpContext context) =>
        {
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });
        app.MapGet("/drop/{name}", async (string name, HttpContext context) =>
        {
            if (origin.FindOr404(name, context) is not { } content)
            {
                return;
            }

            await SendFirstHalfAsync(context, content);
            await Task.Delay(50, context.RequestAborted);
            context.Abort();
        });

        app.MapGet("/generated/{length:long}/{seed:long}", async (long length, long seed, HttpContext context) =>
        {
            // Synthetic bytes without Content-Length: a file of any size whose length the origin does not announce.
            context.Response.ContentType = "application/octet-stream";
            byte[] block = new byte[1 << 20];
            for (long position = 0; position < length; position += block.Length)
            {
                int n = (int)Math.Min(block.Length, length - position);
                RawZipServer.Origin.SyntheticOrigin.Fill(block.AsSpan(0, n), position, (ulong)seed);
                await context.Response.Body.WriteAsync(block.AsMemory(0, n), context.RequestAborted);
            }
        });
        app.MapGet("/delayed/{ms:int}/{name}", async (int ms, string name, HttpContext context) =>
        {
            // An origin far away: every response head comes ms later. The wait ends early when the client gives up.
            CountUp(ref origin._delayed, ref origin._maxDelayed);
            try
            {
                await Task.Delay(ms, context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref origin._delayed);
            }

            if (origin.FindOr404(name, context) is { } content)
            {
                context.Response.ContentLength = content.Length;
                await context.Response.Body.WriteAsync(content, context.RequestAborted);
            }
        });
        app.MapGet("/headers-only/{times:int}/{name}", async (int times, string name, HttpContext context) =>
        {
            // No validator at all; the first `times` responses end after their head, as when an origin drops an idle connection.
            if (origin.FindOr404(name, context) is not { } content)
            {
                return;
            }

            context.Response.ContentLength = content.Length;
            if (origin.Hit($"headers-only/{times}/{name}") <= times)
            {
                await context.Response.StartAsync(context.RequestAborted);
                await context.Response.Body.FlushAsync(context.RequestAborted);
                await Task.Delay(50, context.RequestAborted);
                context.Abort();
                return;
            }

            await context.Response.Body.WriteAsync(content, context.RequestAborted);
        });
        app.MapGet("/stall/{name}", async (string name, HttpContext context) =>
        {
            if (origin.FindOr404(name, context) is not { } content)
            {
                return;
            }

            await SendFirstHalfAsync(context, content);
            await StallAsync(context);
            context.Abort();
        });
        app.MapGet("/slow-head/{name}", async (HttpContext context) =>
        {
            await StallAsync(context);
            context.Abort();
        });

        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        origin.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return origin;
    }

    private int Hit(string path) => _hits.AddOrUpdate(path, 1, (_, n) => n + 1);

    /// <summary>
    /// Serves <paramref name="name"/> as <c>versioned/</c> does under <paramref name="etag"/>, then misbehaves: resets after
    /// <paramref name="resetAfter"/> body bytes (≥ 0), answers 200 with the whole file whatever the Range, or claims a total
    /// <paramref name="extraTotal"/> bytes longer in Content-Range.
    /// </summary>
    private async Task ServeFaultyAsync(HttpContext context, string name, string etag, int resetAfter = -1, bool ignoreRange = false, int extraTotal = 0)
    {
        if (FindOr404(name, context) is not { } content)
        {
            return;
        }

        context.Response.Headers.ETag = etag;
        context.Response.Headers.LastModified = "Tue, 14 Jul 2026 09:30:00 GMT";
        string? ifMatch = context.Request.Headers.IfMatch;
        if (ifMatch is not null && ifMatch != etag)
        {
            context.Response.StatusCode = 412;
            return;
        }

        string? range = context.Request.Headers.Range;
        long from = 0, to = content.Length - 1;
        if (!ignoreRange && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
        {
            string[] parts = range[6..].Split('-');
            from = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            to = parts[1].Length == 0 ? content.Length - 1 : Math.Min(long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), content.Length - 1);
            context.Response.StatusCode = 206;
            context.Response.Headers.ContentRange = $"bytes {from}-{to}/{content.Length + extraTotal}";
        }

        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = to - from + 1;
        var body = content.AsMemory((int)from, (int)(to - from + 1));
        if (resetAfter >= 0 && resetAfter < body.Length)
        {
            await context.Response.Body.WriteAsync(body[..resetAfter], context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
            await Task.Delay(50, context.RequestAborted);
            context.Abort();
            return;
        }

        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    /// <summary>The file called <paramref name="name"/>, or null after answering 404.</summary>
    private byte[]? FindOr404(string name, HttpContext context)
    {
        if (_files.TryGetValue(name, out byte[]? content))
        {
            return content;
        }

        context.Response.StatusCode = 404;
        return null;
    }

    /// <summary>Announces the full Content-Length of <paramref name="content"/>, then sends and flushes only its first half.</summary>
    private static async Task SendFirstHalfAsync(HttpContext context, byte[] content)
    {
        context.Response.ContentType = "application/octet-stream";
        context.Response.ContentLength = content.Length;
        await context.Response.Body.WriteAsync(content.AsMemory(0, content.Length / 2), context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    /// <summary>Waits until the client goes away, at most <see cref="StallLimit"/>.</summary>
    private static async Task StallAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(StallLimit, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static TimeSpan StallLimit { get; } = TimeSpan.FromSeconds(40);

    /// <summary>Makes <paramref name="content"/> available as <c>files/</c>, <c>chunked/</c> and <c>drop/</c> <paramref name="name"/>.</summary>
    public byte[] AddFile(string name, byte[] content)
    {
        _files[name] = content;
        return content;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
