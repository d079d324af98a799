using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// SPEC §3: after the first body byte a failure can only abort the connection (fixed length: short;
/// chunked: no last chunk). A client must never receive a complete-looking archive with wrong content.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    private static byte[] Bytes(int n, int seed)
    {
        byte[] b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    private void AssertAborted(RawResponse response)
    {
        output.WriteLine("aborted response: " + response);
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.False(response.Complete, "the transfer must be cut short, got a complete response: " + response);
        if (response.Framing == "content-length")
        {
            Assert.True(response.Body.Length < long.Parse(response.Header("Content-Length")!, System.Globalization.CultureInfo.InvariantCulture));
        }
        else
        {
            Assert.Equal("chunked", response.Framing);
        }
    }

    /// <summary>
    /// Serves <paramref name="spec"/> as archive <paramref name="id"/> over a raw connection; the response must be
    /// cut short (<see cref="AssertAborted"/>) and, when <paramref name="framing"/> is given, framed that way.
    /// </summary>
    private async Task<RawResponse> GetAbortedAsync(TestServer server, string id, ArchiveSpec spec, string? framing = null)
    {
        server.WriteManifest(id, spec);
        var response = await Requests.SendAsync(server, Requests.Get("/archive/" + id));
        if (framing is not null)
        {
            Assert.Equal(framing, response.Framing);
        }

        AssertAborted(response);
        return response;
    }

    private static async Task AssertServesGoodArchiveAsync(TestServer server, ITestOutputHelper output)
    {
        var spec = new ArchiveSpec().Synthetic("after/ok.bin", 100_000, 77).Synthetic("after/ok2.bin", 1000, 78, size: false);
        server.WriteManifest("good-after-fault", spec);
        var response = await Requests.SendAsync(server, Requests.Get("/archive/good-after-fault"));
        Assert.True(response.Complete, response.ToString());
        await ArchiveReaders.VerifyAsync(response.Body, spec.Expected, output, "good archive after a fault");
    }

    [Fact]
    public async Task OriginDroppingInTheSecondEntryCutsAFixedLengthResponseShortAndTheServerStaysUsable()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var spec = new ArchiveSpec()
            .File("first.bin", "first.bin", server.WriteFile("first.bin", Bytes(200_000, 1)))
            .File("dropped.bin", "drop/dropped.bin", origin.AddFile("dropped.bin", Bytes(400_000, 2)), origin: "web")
            .Synthetic("third.bin", 1000, 3);

        var response = await GetAbortedAsync(server, "drop", spec, framing: "content-length");
        // How much of the first entry arrives before the abort depends on the socket's timing; the status line
        // shows the failure came after the head, and AssertAborted that the body is short.
        Assert.Contains(origin.Requests, r => r.StartsWith("GET /drop/dropped.bin", StringComparison.Ordinal));
        await AssertServesGoodArchiveAsync(server, output);
    }

    [Fact]
    public async Task OriginDroppingInTheSecondEntryLeavesAChunkedResponseWithoutItsLastChunk()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var spec = new ArchiveSpec()
            .File("first.bin", "first.bin", server.WriteFile("first.bin", Bytes(200_000, 1)), size: false, crc: false)
            .File("dropped.bin", "drop/dropped.bin", origin.AddFile("dropped.bin", Bytes(400_000, 2)), size: false, crc: false, origin: "web");

        await GetAbortedAsync(server, "drop", spec, framing: "chunked");
        await AssertServesGoodArchiveAsync(server, output);
    }

    [Fact]
    public async Task HttpClientSeesAnOriginDropAsAFailedDownload()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 300_000, 1)
            .File("dropped.bin", "drop/dropped.bin", origin.AddFile("dropped.bin", Bytes(400_000, 2)), origin: "web");
        server.WriteManifest("drop-sized", spec);
        spec.Files[1] = spec.Files[1] with { Size = null };
        server.WriteManifest("drop-chunked", spec);
        using var client = server.CreateClient();

        foreach (string id in new[] { "drop-sized", "drop-chunked" })
        {
            var ex = await Record.ExceptionAsync(() => client.GetByteArrayAsync("/archive/" + id));
            output.WriteLine($"{id}: {ex?.GetType().Name}: {ex?.Message} / {ex?.InnerException?.Message}");
            Assert.True(ex is HttpRequestException or IOException, $"{id}: expected a failed download, got {ex?.ToString() ?? "a complete body"}");
        }

        using var fresh = server.CreateClient();
        var good = new ArchiveSpec().Synthetic("ok.bin", 5000, 9);
        server.WriteManifest("good", good);
        await ArchiveReaders.VerifyAsync(await fresh.GetByteArrayAsync("/archive/good"), good.Expected, output, "HttpClient after faults");
    }

    [Fact]
    public async Task ManifestSizeDisagreeingWithTheOriginContentLengthOfALaterEntryAborts()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 100_000, 1)
            .File("wrong-size.bin", "files/w.bin", origin.AddFile("w.bin", Bytes(50_000, 4)), origin: "web");
        spec.Files[1] = spec.Files[1] with { Size = 40_000, Crc32 = null };

        await GetAbortedAsync(server, "size", spec, framing: "content-length");
        await AssertServesGoodArchiveAsync(server, output);
    }

    [Fact]
    public async Task ManifestSizeDisagreeingWithALaterDirectoryFileAborts()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 100_000, 1)
            .File("wrong-size.bin", "w.bin", server.WriteFile("w.bin", Bytes(50_000, 4)), crc: false);
        spec.Files[1] = spec.Files[1] with { Size = 60_000 };

        await GetAbortedAsync(server, "size", spec);
    }

    [Fact]
    public async Task OriginWithoutContentLengthEndingBeforeTheManifestSizeAborts()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 100_000, 1)
            .File("short.bin", "chunked/s.bin", origin.AddFile("s.bin", Bytes(50_000, 5)), crc: false, origin: "web");
        spec.Files[1] = spec.Files[1] with { Size = 60_000 };

        await GetAbortedAsync(server, "short", spec);
    }

    [Fact]
    public async Task OriginWithoutContentLengthLongerThanTheManifestSizeAborts()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 100_000, 1)
            .File("long.bin", "chunked/l.bin", origin.AddFile("l.bin", Bytes(50_000, 6)), crc: false, origin: "web");
        spec.Files[1] = spec.Files[1] with { Size = 40_000 };

        await GetAbortedAsync(server, "long", spec);
    }

    [Fact]
    public async Task WrongManifestCrcOfTheLastEntryAbortsAFixedLengthResponse()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 100_000, 1, crc: true)
            .File("wrong-crc.bin", "c.bin", server.WriteFile("c.bin", Bytes(30_000, 7)));
        spec.Files[1] = spec.Files[1] with { Crc32 = "12345678" };

        await GetAbortedAsync(server, "crc", spec, framing: "content-length");
        await AssertServesGoodArchiveAsync(server, output);
    }

    [Fact]
    public async Task WrongManifestCrcOfAMiddleEntryAbortsAChunkedResponse()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 100_000, 1, size: false)
            .Synthetic("wrong-crc.bin", 30_000, 2, crc: true)
            .Synthetic("last.bin", 30_000, 3);
        spec.Files[1] = spec.Files[1] with { Crc32 = "0badc0de" };

        await GetAbortedAsync(server, "crc", spec, framing: "chunked");
    }

    [Fact]
    public async Task ManifestCrcContradictingAnEmptyOriginFileAborts()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec()
            .Synthetic("first.bin", 10_000, 1)
            .File("empty.bin", "empty.bin", server.WriteFile("empty.bin", []), size: false);
        spec.Files[1] = spec.Files[1] with { Crc32 = "deadbeef" };
        server.WriteManifest("crc", spec);

        RawResponse response;
        try
        {
            response = await Requests.SendAsync(server, Requests.Get("/archive/crc"));
        }
        catch (IOException ex)
        {
            // The abort came so soon after the first bytes that the reset discarded them unread: still no archive.
            output.WriteLine("reset before the status line was read: " + ex.Message);
            return;
        }

        AssertAborted(response);
    }
}
