using System.Globalization;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// SPEC §2 <c>Upstream:Prefetch</c>, §7: the next files' origin requests are open while the current one streams, the
/// archive keeps the manifest's order, a failure ahead surfaces only at its entry, and a client that leaves takes
/// the requests opened ahead with it.
/// </summary>
public sealed class PrefetchTests(ITestOutputHelper output)
{
    private static byte[] Bytes(int n, int seed)
    {
        byte[] b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    /// <summary>A server whose <c>web</c> origin is <paramref name="origin"/>, opening <paramref name="prefetch"/> files ahead.</summary>
    private Task<TestServer> StartAsync(OriginServer origin, int prefetch) =>
        TestServer.StartAsync(output, origin.BaseUrl, new Dictionary<string, string?> { ["Upstream:Prefetch"] = prefetch.ToString(CultureInfo.InvariantCulture) });

    /// <summary>Files served by <c>delayed/{ms}/</c>, each answered <paramref name="delayMs"/> ms after it was asked for.</summary>
    private static ArchiveSpec DelayedFiles(OriginServer origin, int count, int delayMs, int size = 20_000)
    {
        var spec = new ArchiveSpec();
        for (int i = 0; i < count; i++)
        {
            spec.File($"f{i:D2}.bin", $"delayed/{delayMs}/p{i}.bin", origin.AddFile($"p{i}.bin", Bytes(size, i)), origin: "web");
        }

        return spec;
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(4)]
    public async Task FilesAreRequestedAheadUpToPrefetchAndWrittenInManifestOrder(int prefetch)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await StartAsync(origin, prefetch);
        var spec = DelayedFiles(origin, 12, delayMs: 100);
        server.WriteManifest("many", spec);

        using var client = server.CreateClient();
        byte[] archive = await client.GetByteArrayAsync("/archive/many");

        // The readers compare the entries, in order, with the manifest's.
        await ArchiveReaders.VerifyAsync(archive, spec.Expected, output, $"prefetch {prefetch}");
        output.WriteLine($"prefetch {prefetch}: at most {origin.MaxDelayed} origin requests waiting at once, {origin.RequestCount} in all");
        Assert.Equal(12, origin.RequestCount);
        // A head takes 100 ms, 20 kB take far less: taking file i, the server waits for it and for the `prefetch` after it,
        // and never for more (every file before i has answered).
        Assert.Equal(prefetch + 1, origin.MaxDelayed);
    }

    [Fact]
    public async Task AFileThatFailsAheadAbortsTheArchiveOnlyWhenItsTurnComes()
    {
        await using var origin = await OriginServer.StartAsync();
        var logs = new CapturingLoggerFactory(output);
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl, loggerFactory: logs);
        var spec = DelayedFiles(origin, 3, delayMs: 20, size: 200_000);
        spec.File("gone.bin", "missing/gone.bin", [], origin: "web");
        spec.File("after.bin", "files/after.bin", origin.AddFile("after.bin", Bytes(1000, 99)), origin: "web");
        server.WriteManifest("broken", spec);

        var response = await Requests.SendAsync(server, Requests.Get("/archive/broken"));
        output.WriteLine(response.ToString());
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.False(response.Complete, "an entry whose origin says 404 must cut the archive short: " + response);
        // The 404 was known early (it was opened ahead), yet every entry before it was sent whole. The abort resets the
        // connection, which may drop bytes still in the client's socket buffer, so the server's own count is checked.
        var line = await Poll.UntilAsync(() => Task.FromResult(logs.InCategory("RawZipServer.Access").FirstOrDefault()), l => l is not null);
        Assert.NotNull(line);
        Assert.Equal("aborted", line["Result"]);
        Assert.Contains("entry 3", (string)line["Reason"]!, StringComparison.Ordinal);
        Assert.InRange((long)line["Bytes"]!, 3 * 200_000, 3 * 200_000 + 1000);
        Assert.True(response.Body.AsSpan().IndexOf("gone.bin"u8) < 0, "nothing of the failed entry may be written");

        Assert.Equal(0, await Poll.UntilAsync(() => Task.FromResult(origin.InFlight), n => n == 0, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task AClientThatLeavesCancelsTheRequestsOpenedAhead()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl, new Dictionary<string, string?>
        {
            ["Upstream:IdleTimeout"] = "00:01:00",
            ["Limits:ClientIdleTimeout"] = "00:01:00",
        });
        // The first file (5 MB, within the look-ahead window) waits on this client; the four files after it are opened
        // ahead meanwhile, and their origin would answer only after 30 s.
        var spec = new ArchiveSpec().Synthetic("first.bin", 5_000_000, 1);
        for (int i = 0; i < 6; i++)
        {
            spec.File($"late{i}.bin", $"delayed/30000/late{i}.bin", origin.AddFile($"late{i}.bin", Bytes(100, i)), origin: "web");
        }

        server.WriteManifest("leave", spec);
        using (var connection = server.Connect())
        {
            await connection.SendAsync(Requests.Get("/archive/leave"));
            var (bytes, _) = await connection.DrainAsync(1_000_000, TimeSpan.FromSeconds(10));
            Assert.True(bytes >= 1_000_000, $"expected the first file's bytes, got {bytes}");
            // Four files opened ahead; a fifth when the kernel's socket buffers took the whole first file and the next was taken.
            Assert.InRange(await Poll.UntilAsync(() => Task.FromResult(origin.Delayed), n => n >= 4, TimeSpan.FromSeconds(10)), 4, 5);
        }

        // Only the disconnect can end the delayed requests within this bound (they would answer after 30 s).
        using var client = server.CreateClient();
        await Poll.UntilAsync(() => Task.FromResult(origin.InFlight), n => n == 0, TimeSpan.FromSeconds(10));
        Assert.Equal(0, origin.InFlight);
        Assert.InRange(origin.MaxDelayed, 4, 5);
        string metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("rawzip_archives_active 0", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public async Task AResponseTheOriginDroppedBeforeItsFirstByteIsAskedForAgainWhole(int prefetch)
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await StartAsync(origin, prefetch);
        // No ETag, no Last-Modified: a resume could not be pinned, but nothing of the entry was sent yet.
        var spec = new ArchiveSpec()
            .File("a.bin", "files/a.bin", origin.AddFile("a.bin", Bytes(300_000, 1)), origin: "web")
            .File("b.bin", "headers-only/1/b.bin", origin.AddFile("b.bin", Bytes(200_000, 2)), origin: "web", crc: false);
        server.WriteManifest("dropped", spec);

        using var client = server.CreateClient();
        byte[] archive = await client.GetByteArrayAsync("/archive/dropped");
        await ArchiveReaders.VerifyAsync(archive, spec.Expected, output, $"dropped response, prefetch {prefetch}");
        Assert.Equal(2, origin.HitsOf("headers-only/1/b.bin"));
        string metrics = await client.GetStringAsync("/metrics");
        Assert.Contains("rawzip_origin_retries_total{reason=\"read\"} 1", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFileOpenedAheadThatBreaksIsRetriedAndTheArchiveIsCorrect()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        // Opened ahead while the first file streams, then reset 50 ms after its head and 50 000 bytes: whether the head
        // or the body loses that race (the reset may also drop bytes not read yet), one retry must make the entry whole.
        var spec = new ArchiveSpec()
            .File("first.bin", "files/first.bin", origin.AddFile("first.bin", Bytes(2_000_000, 1)), origin: "web")
            .File("broken.bin", "reset/50000/1/broken.bin", origin.AddFile("broken.bin", Bytes(300_000, 2)), origin: "web", crc: false);
        server.WriteManifest("ahead", spec);

        using var client = server.CreateClient();
        byte[] archive = await client.GetByteArrayAsync("/archive/ahead");
        await ArchiveReaders.VerifyAsync(archive, spec.Expected, output, "a file opened ahead that broke");
        Assert.Equal(2, origin.HitsOf("reset/50000/1/broken.bin"));
        var metrics = await MetricsScrape.ScrapeAsync(client);
        Assert.Equal(1, metrics.GetValueOrDefault("rawzip_origin_retries_total{reason=\"open\"}") + metrics.GetValueOrDefault("rawzip_origin_retries_total{reason=\"read\"}"));
    }
}
