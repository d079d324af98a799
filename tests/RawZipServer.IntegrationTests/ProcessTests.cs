using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using RawZipServer.Hosting;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>The built server binary, as an operator runs it (SPEC §1).</summary>
public sealed class ProcessTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BuiltServerServesTheDemoArchiveAndExitsWithZeroOnSigterm()
    {
        string binary = typeof(ServerHost).Assembly.Location;
        string directory = Path.GetDirectoryName(binary)!;
        Assert.True(File.Exists(Path.Combine(directory, "appsettings.json")), "the build copies appsettings.json beside rawzip.dll");
        Assert.True(File.Exists(Path.Combine(directory, "rawzip.runtimeconfig.json")), "rawzip.dll is runnable with dotnet");
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

        var info = new ProcessStartInfo(dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Another directory on purpose: relative paths in appsettings.json are relative to that file.
            WorkingDirectory = Path.GetTempPath(),
        };
        info.ArgumentList.Add(binary);
        info.ArgumentList.Add("--Listen=http://127.0.0.1:0");
        foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(k => k.StartsWith("RAWZIP_", StringComparison.Ordinal)))
        {
            info.Environment.Remove(key);
        }

        var lines = Channel.CreateUnbounded<string>();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Writer.TryWrite(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lines.Writer.TryWrite("stderr: " + e.Data);
            }
        };
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            Uri address;
            using (var startup = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while (true)
                {
                    string line = await lines.Reader.ReadAsync(startup.Token);
                    output.WriteLine("server: " + line);
                    if (line.StartsWith("Listening on ", StringComparison.Ordinal))
                    {
                        address = new Uri(line["Listening on ".Length..]);
                        break;
                    }
                }
            }

            Assert.Equal("127.0.0.1", address.Host);
            Assert.NotEqual(0, address.Port);

            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };
            using var response = await client.GetAsync("/archive/demo");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            byte[] archive = await response.Content.ReadAsByteArrayAsync();
            await ArchiveReaders.VerifyAsync(archive, DemoExpectation(directory), output, "demo archive from the rawzip process");

            var kill = await ArchiveReaders.RunAsync("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
            Assert.Equal(0, kill.ExitCode);
            using (var exit = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
            {
                await process.WaitForExitAsync(exit.Token);
            }

            Assert.Equal(0, process.ExitCode);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            lines.Writer.TryComplete();
            while (lines.Reader.TryRead(out string? rest))
            {
                output.WriteLine("server: " + rest);
            }
        }
    }

    /// <summary>The entries of demo/manifests/demo.json, with bytes from demo/samples or the synthetic generator.</summary>
    internal static List<ExpectedEntry> DemoExpectation(string directory)
    {
        using var manifest = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, "demo", "manifests", "demo.json")));
        var expected = new List<ExpectedEntry>();
        foreach (var file in manifest.RootElement.GetProperty("files").EnumerateArray())
        {
            string path = file.GetProperty("path").GetString()!;
            if (!file.TryGetProperty("source", out var source))
            {
                expected.Add(ExpectedEntry.Directory(path));
            }
            else if (file.TryGetProperty("origin", out var origin) && origin.GetString() == "synthetic")
            {
                string[] parts = source.GetString()!.Trim('/').Split('/');
                expected.Add(ExpectedEntry.Synthetic(path, long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture),
                    parts.Length > 1 ? ulong.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0));
            }
            else
            {
                expected.Add(ExpectedEntry.File(path, File.ReadAllBytes(Path.Combine(directory, "demo", "samples", source.GetString()!))));
            }
        }

        return expected;
    }
}
