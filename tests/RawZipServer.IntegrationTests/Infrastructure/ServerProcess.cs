using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using RawZipServer.Hosting;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>
/// A rawzip process run as an operator runs it: started from another working directory with no
/// <c>RAWZIP_*</c> variables of the test's own, its <c>Listening on</c> line read, stopped with SIGTERM.
/// Everything it prints goes to the test output.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines;
    private readonly ITestOutputHelper _output;

    private ServerProcess(Process process, Channel<string> lines, ITestOutputHelper output, Uri address)
    {
        _process = process;
        _lines = lines;
        _output = output;
        Address = address;
    }

    public Uri Address { get; }

    public int ExitCode => _process.ExitCode;

    /// <summary>The built rawzip.dll, run with the same dotnet host as the tests.</summary>
    public static Task<ServerProcess> StartBuiltAsync(ITestOutputHelper output, params string[] arguments)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        return StartAsync(dotnet, [typeof(ServerHost).Assembly.Location, .. arguments], output, TimeSpan.FromSeconds(30), removeDotnetVariables: false);
    }

    /// <param name="removeDotnetVariables">Also drop <c>DOTNET_*</c>: a self-contained binary must not work by the test's own .NET installation.</param>
    public static async Task<ServerProcess> StartAsync(string fileName, IEnumerable<string> arguments, ITestOutputHelper output, TimeSpan startupTimeout, bool removeDotnetVariables)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Another directory on purpose: relative paths in appsettings.json are relative to that file.
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(k => k.StartsWith("RAWZIP_", StringComparison.Ordinal) || (removeDotnetVariables && k.StartsWith("DOTNET_", StringComparison.Ordinal))))
        {
            info.Environment.Remove(key);
        }

        var lines = Channel.CreateUnbounded<string>();
        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lines.Writer.TryWrite(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lines.Writer.TryWrite("stderr: " + e.Data); } };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var startup = new CancellationTokenSource(startupTimeout);
            while (true)
            {
                string line = await lines.Reader.ReadAsync(startup.Token);
                output.WriteLine("server: " + line);
                if (line.StartsWith("Listening on ", StringComparison.Ordinal))
                {
                    return new ServerProcess(process, lines, output, new Uri(line["Listening on ".Length..]));
                }
            }
        }
        catch
        {
            await new ServerProcess(process, lines, output, new Uri("http://127.0.0.1/")).DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends SIGTERM (what systemd and Ctrl+C's sibling send) and waits for the exit.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        await SendSigtermAsync();
        await WaitForExitAsync(timeout);
    }

    public async Task SendSigtermAsync()
    {
        // Process.Kill is SIGKILL; the drain is only reachable through SIGTERM.
        var kill = await ArchiveReaders.RunAsync("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
        Assert.Equal(0, kill.ExitCode);
    }

    public async Task WaitForExitAsync(TimeSpan timeout)
    {
        using var exit = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(exit.Token);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _lines.Writer.TryComplete();
        while (_lines.Reader.TryRead(out string? rest))
        {
            _output.WriteLine("server: " + rest);
        }

        _process.Dispose();
    }
}
