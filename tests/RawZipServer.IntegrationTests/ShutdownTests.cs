using System.Diagnostics;
using System.Net;
using System.Text;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// Issue 5, item 4: on SIGTERM the process drains — <c>/healthz</c> turns 503, new archive requests get 503, in-flight
/// archives go on up to <c>Shutdown:DrainTimeout</c>, then the rest are aborted and the process exits 0.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    [Fact]
    public async Task SigtermDrainsInFlightArchivesRefusesNewOnesAbortsTheRestAtTheDrainTimeAndExitsZero()
    {
        string manifests = Path.Combine(Path.GetTempPath(), "rawzip-drain-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(manifests);
        var finishing = new ArchiveSpec().Synthetic("finishing.bin", 20_000_000, 5);
        File.WriteAllText(Path.Combine(manifests, "finishing.json"), finishing.ToJson());
        File.WriteAllText(Path.Combine(manifests, "stuck.json"), new ArchiveSpec().Synthetic("stuck.bin", 500_000_000, 6).ToJson());
        File.WriteAllText(Path.Combine(manifests, "late.json"), new ArchiveSpec().Synthetic("late.bin", 1000, 7).ToJson());

        await using var server = await ServerProcess.StartBuiltAsync(output, "--Listen=http://127.0.0.1:0", "--Manifests:Directory=" + manifests, "--Shutdown:DrainTimeout=00:00:10");
        var address = server.Address;
        try
        {
            var endPoint = new IPEndPoint(IPAddress.Parse(address.Host), address.Port);
            using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(20) };
            client.DefaultRequestHeaders.ConnectionClose = true;
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

            // Two archives in flight whose clients do not read yet: the server blocks on full socket buffers.
            using var finishingConnection = RawHttpConnection.Connect(endPoint);
            await finishingConnection.SendAsync(Requests.Get("/archive/finishing"));
            using var stuckConnection = RawHttpConnection.Connect(endPoint);
            await stuckConnection.SendAsync(Requests.Get("/archive/stuck"));
            // SIGTERM only once both archives are really in flight (their first bytes arrived), as DrainTests does.
            Assert.True(await finishingConnection.PendingBytesAsync(TimeSpan.FromSeconds(10)) > 0, "the finishing archive started");
            Assert.True(await stuckConnection.PendingBytesAsync(TimeSpan.FromSeconds(10)) > 0, "the stuck archive started");

            await server.SendSigtermAsync();
            var stopwatch = Stopwatch.StartNew();

            var health = await Poll.UntilAsync(async () => (await client.GetAsync("/healthz")).StatusCode, s => s == HttpStatusCode.ServiceUnavailable, TimeSpan.FromSeconds(4));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health);
            using (var late = await client.GetAsync("/archive/late"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, late.StatusCode);
                Assert.NotNull(late.Headers.RetryAfter);
            }

            // The in-flight archive whose client reads now finishes, complete and correct.
            var finished = await finishingConnection.ReadResponseAsync();
            Assert.True(finished.Complete, "the in-flight archive must finish during the drain: " + finished);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"finished after {stopwatch.Elapsed}, past the drain time");

            await server.WaitForExitAsync(TimeSpan.FromSeconds(20));
            output.WriteLine($"exited after {stopwatch.Elapsed}");
            Assert.Equal(0, server.ExitCode);
            Assert.True(stopwatch.Elapsed >= TimeSpan.FromSeconds(9.5), $"exited after {stopwatch.Elapsed}: the stuck archive must have had the drain time");

            // The archive still in flight at the end of the drain was aborted: its response is cut short.
            var stuck = await stuckConnection.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30));
            Assert.Equal("HTTP/1.1 200 OK", stuck.StatusLine);
            Assert.False(stuck.Complete, "the archive still running at the drain time must be aborted");

            await ArchiveReaders.VerifyAsync(finished.Body, finishing.Expected, output, "archive finished during the drain");
        }
        finally
        {
            Directory.Delete(manifests, recursive: true);
        }
    }
}

/// <summary>The drain in process (what SIGTERM calls), for what the process test cannot see cheaply: POST refused, the aborted count.</summary>
public sealed class DrainTests(ITestOutputHelper output)
{
    private const string Key = "drain-test-key";

    [Fact]
    public async Task DrainingRefusesGetPostAndHealthzWithoutWaitingForIdleConnectionsAndAbortsWhatOutlivesTheDrain()
    {
        await using var server = await TestServer.StartAsync(output, settings: new Dictionary<string, string?> { ["Auth:ApiKeys"] = Key });
        server.WriteManifest("stuck", new ArchiveSpec().Synthetic("stuck.bin", 500_000_000, 6));
        server.WriteManifest("late", new ArchiveSpec().Synthetic("late.bin", 1000, 7));
        using var idle = server.Connect(); // a keep-alive connection with no request must not hold the drain
        using var stuck = server.Connect();
        await stuck.SendAsync(Requests.Get("/archive/stuck"));
        // Drain only once the archive is really in flight; a fixed sleep lost that race on a loaded machine.
        Assert.True(await stuck.PendingBytesAsync(TimeSpan.FromSeconds(10)) > 0, "the stuck archive started");

        var stopwatch = Stopwatch.StartNew();
        var drain = server.DrainAndStopAsync(TimeSpan.FromSeconds(3));

        var health = await Requests.SendAsync(server, Requests.Get("/healthz"));
        Assert.Equal(503, health.Status);
        Assert.Equal("close", health.Header("Connection"));
        var late = await Requests.SendAsync(server, Requests.Get("/archive/late"));
        Assert.Equal(503, late.Status);
        Assert.Equal("1", late.Header("Retry-After"));
        string body = new ArchiveSpec().Synthetic("p.bin", 10, 1).ToJson();
        var post = await Requests.SendAsync(server, $"POST /archive HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {Key}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");
        Assert.Equal(503, post.Status);

        Assert.Equal(1, await drain);
        output.WriteLine($"drained in {stopwatch.Elapsed}");
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(2.8), TimeSpan.FromSeconds(8));
        var cut = await stuck.ReadResponseAsync(timeout: TimeSpan.FromSeconds(30));
        Assert.Equal("HTTP/1.1 200 OK", cut.StatusLine);
        Assert.False(cut.Complete);
    }

    [Fact]
    public async Task WithNothingInFlightTheDrainEndsAtOnce()
    {
        await using var server = await TestServer.StartAsync(output);
        var stopwatch = Stopwatch.StartNew();
        Assert.Equal(0, await server.DrainAndStopAsync(TimeSpan.FromSeconds(30)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"took {stopwatch.Elapsed}");
    }
}
