using System.Diagnostics;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>Limits:RequestHeadersTimeout, Limits:ClientIdleTimeout and Upstream:IdleTimeout, set to one second.</summary>
public sealed class TimeoutTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> s_shortTimeouts = new()
    {
        ["Limits:RequestHeadersTimeout"] = "00:00:01",
        ["Limits:ClientIdleTimeout"] = "00:00:01",
        ["Upstream:IdleTimeout"] = "00:00:01",
    };

    [Fact]
    public async Task ASilentConnectionIsClosedAfterTheRequestHeadersTimeout()
    {
        await using var server = await TestServer.StartAsync(output, settings: s_shortTimeouts);
        using var silent = server.Connect();
        using var partial = server.Connect();
        await partial.SendAsync("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        var clock = Stopwatch.StartNew();

        Assert.True(await silent.IsClosedByServerAsync(TimeSpan.FromSeconds(10)), "a silent connection is closed");
        Assert.True(await partial.IsClosedByServerAsync(TimeSpan.FromSeconds(10)), "a head that never ends is closed");
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(8));
    }

    [Fact]
    public async Task AnIdleKeepAliveConnectionIsClosedAfterTheRequestHeadersTimeout()
    {
        await using var server = await TestServer.StartAsync(output, settings: s_shortTimeouts);
        using var connection = server.Connect();
        await connection.SendAsync(Requests.Get("/healthz"));
        var response = await connection.ReadResponseAsync();

        Assert.Equal(200, response.Status);
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AClientThatStopsReadingIsCutOffAfterTheClientIdleTimeout()
    {
        await using var server = await TestServer.StartAsync(output, settings: s_shortTimeouts);
        server.WriteManifest("huge", new ArchiveSpec().Raw(new ManifestFile { Path = "huge.bin", Origin = "synthetic", Source = "/2147483648/1", Size = 2147483648 }));
        using var connection = server.Connect();
        await connection.SendAsync(Requests.Get("/archive/huge"));
        Assert.True(await connection.PendingBytesAsync(TimeSpan.FromSeconds(5)) > 0, "the archive started");

        await Task.Delay(TimeSpan.FromSeconds(4)); // not reading: the server's flushes wait past the idle timeout
        var (bytes, end) = await connection.DrainAsync(max: 256L << 20, TimeSpan.FromSeconds(20));

        output.WriteLine($"read {bytes} buffered bytes, then {end ?? "no end"}");
        Assert.NotNull(end);
        Assert.True(bytes < 256L << 20, "the server stopped sending");
    }

    [Fact]
    public async Task AnOriginThatStallsMidBodyAbortsTheArchiveAfterTheUpstreamIdleTimeout()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl, s_shortTimeouts);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 10_000, 1)
            .File("stalled.bin", "stall/s.bin", origin.AddFile("s.bin", new byte[100_000]), origin: "web");
        server.WriteManifest("stall", spec);
        using var connection = server.Connect();
        await connection.SendAsync(Requests.Get("/archive/stall"));

        var response = await connection.ReadResponseAsync(timeout: TimeSpan.FromSeconds(15));

        output.WriteLine(response.ToString());
        Assert.Equal(200, response.Status);
        Assert.False(response.Complete);
    }

    [Fact]
    public async Task AFirstOriginThatNeverAnswersIs502AfterTheUpstreamIdleTimeout()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl, s_shortTimeouts);
        server.WriteManifest("slow", """{ "files": [ { "path": "a.bin", "origin": "web", "source": "slow-head/a.bin" } ] }""");
        var clock = Stopwatch.StartNew();

        var response = await Requests.SendAsync(server, Requests.Get("/archive/slow"));

        Assert.Equal("HTTP/1.1 502 Bad Gateway", response.StatusLine);
        Assert.Contains("timed out", response.BodyText, StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AClientPausingLongerThanTheUpstreamIdleTimeoutStillGetsTheWholeArchive()
    {
        // Upstream:IdleTimeout bounds how long the origin is silent, not how long the client takes:
        // while the server waits on a slow client, the origin read is not in progress.
        await using var origin = await OriginServer.StartAsync();
        // 2 s leaves a loaded machine time to open the origin (the same timeout bounds its response headers); the pause is twice that.
        var settings = new Dictionary<string, string?> { ["Upstream:IdleTimeout"] = "00:00:02", ["Limits:ClientIdleTimeout"] = "00:00:30" };
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl, settings);
        byte[] content = new byte[32 << 20];
        new Random(3).NextBytes(content);
        var spec = new ArchiveSpec().File("big.bin", "files/big.bin", origin.AddFile("big.bin", content), origin: "web");
        server.WriteManifest("slow-client", spec);
        using var connection = server.Connect();
        await connection.SendAsync(Requests.Get("/archive/slow-client"));
        Assert.True(await connection.PendingBytesAsync(TimeSpan.FromSeconds(5)) > 0, "the archive started");

        await Task.Delay(TimeSpan.FromSeconds(4)); // the server's flushes wait on this client meanwhile
        var response = await connection.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30));

        output.WriteLine(response.ToString());
        Assert.True(response.Complete, "a slow client is not an idle origin: " + response);
        await ArchiveReaders.VerifyAsync(response.Body, spec.Expected, output, "after a client pause");
    }
}
