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
/// <c>missing/{anything}</c> 404; <c>generated/{length}/{seed}</c> synthetic bytes without Content-Length; <c>drop/{name}</c> announces the full Content-Length, sends half,
/// flushes and aborts the connection; <c>stall/{name}</c> sends half and then nothing (until the
/// client leaves, at most <see cref="StallLimit"/>); <c>slow-head/{name}</c> sends nothing at all.
/// Every request is counted.
/// </summary>
internal sealed class OriginServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _requests = new();

    private OriginServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; private set; }

    public int RequestCount => _requests.Count;

    public IReadOnlyCollection<string> Requests => _requests;

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
            await next(context);
        });
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
