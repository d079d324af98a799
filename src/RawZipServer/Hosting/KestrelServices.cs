using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;

namespace RawZipServer.Hosting;

/// <summary>
/// Kestrel's <c>ListenOptions.UseHttps</c> takes its helpers (an internal HTTPS configuration service, Kestrel's
/// metrics) from the application services, which only <c>UseKestrelCore()</c>/<c>UseKestrelHttpsConfiguration()</c>
/// register, and only on an <see cref="IWebHostBuilder"/>. This adapter runs those two public registrations on our
/// own service collection, so TLS is Kestrel's own middleware without a web host.
/// </summary>
internal sealed class KestrelServices(IServiceCollection services) : IWebHostBuilder
{
    public static IServiceCollection AddKestrelTls(IServiceCollection services)
    {
        new KestrelServices(services).UseKestrelCore().UseKestrelHttpsConfiguration();
        // The HTTPS initializer asks for the host environment (it would look for a development certificate there; ours is given).
        services.AddSingleton<IHostEnvironment>(new ServerEnvironment());
        // Kestrel's TLS middleware records handshake metrics on a meter of its own (not exported by /metrics).
        services.AddMetrics();
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
