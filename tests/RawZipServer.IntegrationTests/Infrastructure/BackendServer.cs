using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>One request as the backend saw it: the path and every header (names lower-cased).</summary>
internal sealed record BackendHit(string Path, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out string? value) ? value : null;
}

/// <summary>
/// A real Kestrel on 127.0.0.1:0 playing the web application that answers manifest requests under
/// <c>/manifests/{id}</c>; each test sets <see cref="Handler"/>. Every request is recorded.
/// </summary>
internal sealed class BackendServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<BackendHit> _hits = new();

    private BackendServer(WebApplication app) => _app = app;

    /// <summary>The value for <c>Manifests:BackendUrl</c>.</summary>
    public Uri ManifestsUrl { get; private set; } = new("http://127.0.0.1/");

    public Func<string, HttpContext, Task> Handler { get; set; } = (_, context) =>
    {
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    };

    public IReadOnlyCollection<BackendHit> Hits => _hits;

    public static async Task<BackendServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Urls.Add("http://127.0.0.1:0");
        var backend = new BackendServer(app);
        app.MapGet("/manifests/{id}", (string id, HttpContext context) =>
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
            backend._hits.Enqueue(new BackendHit(context.Request.Path + context.Request.QueryString, headers));
            return backend.Handler(id, context);
        });
        app.MapGet("/elsewhere/{id}", (string id, HttpContext context) => backend.Handler(id, context));
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        backend.ManifestsUrl = new Uri(address.TrimEnd('/') + "/manifests/");
        return backend;
    }

    /// <summary>A handler answering <paramref name="status"/> with <paramref name="body"/> and <paramref name="contentType"/>.</summary>
    public static Func<string, HttpContext, Task> Answer(int status, string body, string contentType = "application/json", params (string Name, string Value)[] headers) =>
        async (_, context) =>
        {
            context.Response.StatusCode = status;
            context.Response.ContentType = contentType;
            foreach (var (name, value) in headers)
            {
                context.Response.Headers[name] = value;
            }

            await context.Response.WriteAsync(body, context.RequestAborted);
        };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
