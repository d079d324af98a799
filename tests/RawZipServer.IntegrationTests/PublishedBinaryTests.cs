using System.Net;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// <c>make publish</c>'s self-contained single-file <c>dist/rawzip</c>, run as an operator would (no dotnet on
/// the path needed) on the demo configuration beside it. Uses <c>dist/rawzip</c> when it is newer than every
/// source file, else runs <c>make publish</c>, which takes a while: tagged Long.
/// </summary>
public sealed class PublishedBinaryTests(ITestOutputHelper output)
{
    [Fact]
    [Trait("Category", "Long")]
    public async Task PublishedBinaryServesTheDemoArchive()
    {
        string root = RepositoryRoot();
        string binary = Path.Combine(root, "dist", "rawzip");
        // A binary older than any source file would test yesterday's server: publish again then.
        var newestSource = Directory.EnumerateFiles(Path.Combine(root, "src", "RawZipServer"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .Max(File.GetLastWriteTimeUtc);
        if (!File.Exists(binary) || File.GetLastWriteTimeUtc(binary) < newestSource)
        {
            var publish = await ArchiveReaders.RunAsync("make", ["-C", root, "publish"], TimeSpan.FromMinutes(10));
            output.WriteLine(publish.Output);
            Assert.Equal(0, publish.ExitCode);
        }

        Assert.True(File.Exists(binary), "make publish leaves dist/rawzip");
        Assert.False(File.Exists(Path.Combine(root, "dist", "rawzip.dll")), "a single file, not a framework-dependent folder");
        Assert.True(File.Exists(Path.Combine(root, "dist", "appsettings.json")), "the demo configuration sits beside the binary");

        await using var server = await ServerProcess.StartAsync(binary, ["--Listen=http://127.0.0.1:0"], output, TimeSpan.FromSeconds(60), removeDotnetVariables: true);
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(1) };
        using var response = await client.GetAsync("/archive/demo");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        byte[] archive = await response.Content.ReadAsByteArrayAsync();
        await ArchiveReaders.VerifyAsync(archive, ProcessTests.DemoExpectation(Path.Combine(root, "dist")), output, "demo archive from dist/rawzip");
        Assert.Contains("rawzip_archives_started_total 1", await client.GetStringAsync("/metrics"), StringComparison.Ordinal);

        await server.StopAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(0, server.ExitCode);
    }

    internal static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        for (int i = 0; i < 10 && directory is not null; i++, directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "RawZipServer.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("RawZipServer.sln not found above " + AppContext.BaseDirectory);
    }
}
