using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RawZipServer.Connection;
using RawZipServer.Manifest;
using RawZipServer.Metrics;
using RawZipServer.Origin;

namespace RawZipServer.Hosting;

/// <summary>
/// Kestrel, started directly: a socket transport and one <see cref="ArchiveConnectionHandler"/> per
/// endpoint. No web host, no middleware; the handler speaks HTTP/1.1 itself.
/// </summary>
internal sealed class ServerHost : IAsyncDisposable
{
    private readonly KestrelServer _server;
    private readonly ServiceProvider _services;
    private readonly HttpClient _originClient;
    private readonly ServerContext _context;

    private ServerHost(KestrelServer server, ServiceProvider services, HttpClient originClient, ServerContext context)
    {
        _server = server;
        _services = services;
        _originClient = originClient;
        _context = context;
    }

    /// <summary>The bound addresses, real ports included when port 0 was asked for.</summary>
    public IReadOnlyList<string> Addresses => [.. _server.Features.Get<IServerAddressesFeature>()!.Addresses];

    public static async Task<ServerHost> StartAsync(ServerOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var originClient = new HttpClient(new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.None, // bytes go into the archive as the origin stores them
            AllowAutoRedirect = false, // a redirect could lead away from the configured origin
            UseCookies = false,
            UseProxy = false,
            ConnectTimeout = options.Upstream.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // bounded per request by Upstream:* instead
        };

        var origins = new Dictionary<string, Origin.Origin>(StringComparer.OrdinalIgnoreCase);
        foreach (var o in options.Origins)
        {
            origins[o.Name] = o switch
            {
                { Synthetic: true } => new SyntheticOrigin(o.Name) { Immutable = o.Immutable },
                { Directory: { } dir } => new DirectoryOrigin(o.Name, dir) { Immutable = o.Immutable },
                _ => new HttpOrigin(o.Name, o.BaseUrl!, o.Headers, originClient, options.Upstream.IdleTimeout) { Immutable = o.Immutable },
            };
        }

        var registry = new OriginRegistry(origins, options.DefaultOrigin);
        var reader = new ManifestReader(registry, options.Limits.MaxEntries);
        // The backend shares the origins' client: no redirects, no cookie jar (the client's Cookie header is forwarded as is).
        var backend = options.Backend is { } b ? new BackendManifestSource(b, originClient, reader, options.Limits.MaxManifestBytes) : null;
        var store = new ManifestStore(options.ManifestsDirectory, reader, options.Limits.MaxManifestBytes, backend);

        var metrics = new ServerMetrics();
        var context = new ServerContext(options, store, registry, metrics);
        metrics.ObserveActiveArchives(() => context.ActiveArchives);
        var services = new ServiceCollection()
            .AddSingleton(loggerFactory)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>))
            .AddSingleton(context);
        KestrelServices.AddKestrelTransport(services);
        if (options.Tls is not null)
        {
            KestrelServices.AddKestrelTls(services);
        }

        var provider = services.BuildServiceProvider();

        var kestrelOptions = new KestrelServerOptions { ApplicationServices = provider, AddServerHeader = false };
        // Kestrel applies this in front of every endpoint's connection delegate, our handler's included.
        kestrelOptions.Limits.MaxConcurrentConnections = options.Limits.MaxConcurrentConnections;
        foreach (var uri in options.Listen)
        {
            var address = uri.Host switch
            {
                "localhost" => IPAddress.Loopback,
                _ => IPAddress.Parse(uri.Host.Trim('[', ']')),
            };
            kestrelOptions.Listen(address, uri.Port, listen =>
            {
                if (uri.Scheme == "https")
                {
                    // Kestrel's TLS connection middleware in front of our handler: it sees plain HTTP/1.1 bytes either way.
                    listen.UseHttps(options.Tls!.Certificate);
                }

                listen.UseConnectionHandler<ArchiveConnectionHandler>();
            });
        }

        var transport = provider.GetRequiredService<IConnectionListenerFactory>();
        var server = new KestrelServer(Options.Create(kestrelOptions), transport, loggerFactory);
        await server.StartAsync(new NoHttpApplication(), cancellationToken).ConfigureAwait(false);
        return new ServerHost(server, provider, originClient, context);
    }

    /// <summary>
    /// SIGTERM's graceful stop: <c>/healthz</c> turns 503 and new archives are refused with 503 (the listeners stay open so
    /// load balancers see it), in-flight archives go on until none is left or <paramref name="drainTimeout"/> has passed;
    /// then the server stops and aborts whatever is still running.
    /// </summary>
    /// <returns>How many archives were still in progress when the drain time ran out (0 when all finished).</returns>
    public async Task<int> DrainAndStopAsync(TimeSpan drainTimeout)
    {
        _context.BeginDrain();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (_context.ActiveArchives > 0 && deadline.Elapsed < drainTimeout)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }

        int left = _context.ActiveArchives;
        // Only idle or refused connections (and the archives past their time) are left: a short grace, then abort.
        using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1)))
        {
            await _server.StopAsync(stop.Token).ConfigureAwait(false);
        }

        return left;
    }

    /// <summary>Stops accepting, lets connections finish until <paramref name="cancellationToken"/> fires, then aborts the rest.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _server.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _server.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        _server.Dispose();
        _originClient.Dispose();
        _context.Exporter.Dispose();
        _context.Metrics.Dispose();
        await _services.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Kestrel's StartAsync wants an HTTP application, but every endpoint ends in our connection handler, so it is never called.</summary>
    private sealed class NoHttpApplication : IHttpApplication<object>
    {
        public object CreateContext(IFeatureCollection contextFeatures) => throw new NotSupportedException();

        public Task ProcessRequestAsync(object context) => throw new NotSupportedException();

        public void DisposeContext(object context, Exception? exception)
        {
        }
    }
}
