using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace RawZipServer.Hosting;

/// <summary>
/// Kestrel's socket transport and <c>ListenOptions.UseHttps</c> take their helpers (the memory pool factory, an internal
/// HTTPS configuration service, Kestrel's metrics) from the application services, which only <c>UseKestrelCore()</c>,
/// <c>UseSockets()</c> and <c>UseKestrelHttpsConfiguration()</c> register, and only on an <see cref="IWebHostBuilder"/>.
/// This adapter runs those public registrations on our own service collection, so the transport and TLS are Kestrel's
/// own without a web host.
/// </summary>
internal sealed class KestrelServices(IServiceCollection services) : IWebHostBuilder
{
    /// <summary>
    /// Kestrel's core services and the socket transport (resolve <see cref="Microsoft.AspNetCore.Connections.IConnectionListenerFactory"/>).
    /// </summary>
    /// <remarks>
    /// Through these registrations the transport's pipes get Kestrel's pinned block pool (4 KiB blocks, kept and reused;
    /// after a 1000-client run its idle blocks were still held 30 s later). A <c>SocketTransportFactory</c> constructed directly gets
    /// <c>MemoryPool&lt;byte&gt;.Shared</c> instead (its internal default factory), so every pipe segment came from
    /// <c>ArrayPool&lt;byte&gt;.Shared</c>, whose small per-core cache a thousand slow connections overflow: fresh arrays,
    /// promoted and piling up in the GC heap (issue 6, perf/slow-clients.sh).
    /// </remarks>
    public static IServiceCollection AddKestrelTransport(IServiceCollection services)
    {
        new KestrelServices(services).UseKestrelCore().UseSockets();
        // The pool factory and Kestrel's TLS middleware record metrics on meters of their own (not exported by /metrics).
        services.AddMetrics();
        return services;
    }

    /// <summary>Adds what <c>ListenOptions.UseHttps</c> needs; after <see cref="AddKestrelTransport"/>.</summary>
    public static IServiceCollection AddKestrelTls(IServiceCollection services)
    {
        new KestrelServices(services).UseKestrelHttpsConfiguration();
        // The HTTPS initializer asks for the host environment (it would look for a development certificate there; ours is given).
        services.AddSingleton<IHostEnvironment>(new ServerEnvironment());
        return services;
    }

    private sealed class ServerEnvironment : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = Environments.Production;
        public string ApplicationName { get; set; } = "rawzip";
        public string ContentRootPath { get; set; } = AppContext.BaseDirectory;
        public IFileProvider ContentRootFileProvider { get; set; } = new NullFileProvider();
    }

    public IWebHostBuilder ConfigureServices(Action<IServiceCollection> configureServices)
    {
        configureServices(services);
        return this;
    }

    public IWebHostBuilder ConfigureServices(Action<WebHostBuilderContext, IServiceCollection> configureServices)
    {
        configureServices(new WebHostBuilderContext { Configuration = new ConfigurationBuilder().Build() }, services);
        return this;
    }

    // Part of the interface only; this adapter never builds a host.
#pragma warning disable ASPDEPR008
    public IWebHost Build() => throw new NotSupportedException("registrations only");
#pragma warning restore ASPDEPR008

    public IWebHostBuilder ConfigureAppConfiguration(Action<WebHostBuilderContext, IConfigurationBuilder> configureDelegate) => this;

    public string? GetSetting(string key) => null;

    public IWebHostBuilder UseSetting(string key, string? value) => this;
}
