using System.Net;
using System.Text.Json;
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
        await using var server = await ServerProcess.StartBuiltAsync(output, "--Listen=http://127.0.0.1:0");
        Assert.Equal("127.0.0.1", server.Address.Host);
        Assert.NotEqual(0, server.Address.Port);

        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(1) };
        using var response = await client.GetAsync("/archive/demo");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        byte[] archive = await response.Content.ReadAsByteArrayAsync();
        await ArchiveReaders.VerifyAsync(archive, DemoExpectation(directory), output, "demo archive from the rawzip process");

        await server.StopAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, server.ExitCode);
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
