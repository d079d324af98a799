using System.Runtime.InteropServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace RawZipServer.Hosting;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args is [SignCommand.Name, ..])
        {
            return SignCommand.Run(args[1..], Console.Out, Console.Error, DateTimeOffset.UtcNow);
        }

        var config = BuildConfiguration(args);
        using var loggerFactory = CreateLoggerFactory(config);

        ServerOptions options;
        try
        {
            options = ServerOptionsLoader.Load(config);
        }
        catch (OptionsException ex)
        {
            await Console.Error.WriteLineAsync($"rawzip: configuration error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true; // we stop ourselves, after draining
            stop.TrySetResult();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        StartupLog.Write(loggerFactory.CreateLogger("RawZipServer.Startup"), config);
        var host = await ServerHost.StartAsync(options, loggerFactory).ConfigureAwait(false);
        foreach (string address in host.Addresses)
        {
            Console.WriteLine($"Listening on {address}");
        }

        await stop.Task.ConfigureAwait(false);
        Console.WriteLine($"Stopping: draining for at most {options.DrainTimeout} (Shutdown:DrainTimeout)");
        int aborted = await host.DrainAndStopAsync(options.DrainTimeout).ConfigureAwait(false);
        Console.WriteLine(aborted == 0 ? "Stopped: every archive finished" : $"Stopped: {aborted} archive(s) aborted at the end of the drain");

        await host.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Console logging as configured under <c>Logging</c>: <c>Logging:Console:FormatterName</c> is <c>simple</c>
    /// (one line per event, the default) or <c>json</c> (one JSON object per line, fields under "State").
    /// </summary>
    public static ILoggerFactory CreateLoggerFactory(IConfiguration config) => LoggerFactory.Create(logging => logging
        .AddConfiguration(config.GetSection("Logging"))
        .AddConsole()
        .AddSimpleConsole(console =>
        {
            console.SingleLine = true;
            console.TimestampFormat = "HH:mm:ss ";
        })
        .AddJsonConsole(json =>
        {
            json.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            json.UseUtcTimestamp = true;
        })
        // Each Add*Console above also makes itself the formatter; the configured name (else simple) must win.
        .Services.Configure<ConsoleLoggerOptions>(console =>
            console.FormatterName = config["Logging:Console:FormatterName"] ?? ConsoleFormatterNames.Simple));

    /// <summary>SPEC §1: appsettings.json beside the binary, then --config=PATH, then RAWZIP_* variables, then the command line.</summary>
    public static IConfigurationRoot BuildConfiguration(string[] args)
    {
        var builder = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        foreach (string arg in args)
        {
            if (arg.StartsWith("--config=", StringComparison.Ordinal))
            {
                builder.AddJsonFile(Path.GetFullPath(arg["--config=".Length..]), optional: false, reloadOnChange: false);
            }
        }

        return builder.AddEnvironmentVariables("RAWZIP_").AddCommandLine(args).Build();
    }
}
