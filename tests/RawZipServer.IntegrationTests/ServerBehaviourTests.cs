using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>Determinism, duplicate names, manifests added at run time, concurrency limit, clients that leave.</summary>
public sealed class ServerBehaviourTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TheSameManifestYieldsTheSameBytesTwice()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec()
            .File("a/1.txt", "1.txt", server.WriteFile("1.txt", "one\n"u8.ToArray()))
            .File("a/2.txt", "2.txt", server.WriteFile("2.txt", "two\n"u8.ToArray()), crc: false)
            .Directory("b/")
            .Synthetic("c/r.bin", 100_000, 5, crc: true);
        server.WriteManifest("same", spec);

        var first = await Requests.SendAsync(server, Requests.Get("/archive/same"));
        await Task.Delay(1100); // a different Date and request time must not change the archive
        var second = await Requests.SendAsync(server, Requests.Get("/archive/same"));

        Assert.True(first.Complete && second.Complete);
        Assert.Equal(first.Body, second.Body);
        await ArchiveReaders.VerifyAsync(first.Body, spec.Expected, output, "deterministic archive");
    }

    [Fact]
    public async Task PastMaxConcurrentConnectionsANewConnectionIsClosedAndServedAgainOnceOneLeaves()
    {
        await using var server = await TestServer.StartAsync(output, settings: new Dictionary<string, string?> { ["Limits:MaxConcurrentConnections"] = "1" });
        var first = server.Connect();
        await first.SendAsync(Requests.Get("/healthz"));
        Assert.Equal(200, (await first.ReadResponseAsync()).Status); // the first connection is in, and stays open (keep-alive)

        using (var second = server.Connect())
        {
            // Well inside Limits:RequestHeadersTimeout (10 s), so only the connection limit can close it.
            Assert.True(await second.IsClosedByServerAsync(TimeSpan.FromSeconds(3)), "a connection past the limit is closed");
        }

        first.Dispose();
        var health = await Poll.UntilAsync(async () =>
        {
            try
            {
                return (await Requests.SendAsync(server, Requests.Get("/healthz"))).Status;
            }
            catch (IOException)
            {
                return 0; // the server has not yet counted the first connection out
            }
        }, status => status == 200, TimeSpan.FromSeconds(10));
        Assert.Equal(200, health);
    }

    [Fact]
    public async Task DuplicatePathsAreRenamedWithANumberBeforeTheExtension()
    {
        await using var server = await TestServer.StartAsync(output);
        byte[] one = server.WriteFile("1", "1"u8.ToArray());
        byte[] two = server.WriteFile("2", "22"u8.ToArray());
        byte[] three = server.WriteFile("3", "333"u8.ToArray());
        var spec = new ArchiveSpec()
            .File("dir/photo.tar.gz", "1", one)
            .File("DIR/Photo.tar.gz", "2", two)
            .File("dir/photo.tar.gz", "3", three);
        server.WriteManifest("dupes", spec);
        var expected = new List<ExpectedEntry>
        {
            ExpectedEntry.File("dir/photo.tar.gz", one),
            ExpectedEntry.File("DIR/Photo (2).tar.gz", two),
            ExpectedEntry.File("dir/photo (3).tar.gz", three),
        };

        var response = await Requests.SendAsync(server, Requests.Get("/archive/dupes"));

        Assert.True(response.Complete, response.ToString());
        await ArchiveReaders.VerifyAsync(response.Body, expected, output, "renamed duplicates");
    }

    [Fact]
    public async Task AFileThatIsAlsoAFolderOfAnotherEntryIs400NamingBothEntries()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteFile("x", "x"u8.ToArray());
        server.WriteManifest("clash", """{ "files": [ { "path": "a", "source": "x" }, { "path": "a/b", "source": "x" } ] }""");

        var response = await Requests.SendAsync(server, Requests.Get("/archive/clash"));

        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        Assert.Contains("manifest entry 0", response.BodyText, StringComparison.Ordinal);
        Assert.Contains("entry 1", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AManifestWrittenWhileTheServerRunsIsFound()
    {
        await using var server = await TestServer.StartAsync(output);
        var before = await Requests.SendAsync(server, Requests.Get("/archive/late"));
        var spec = new ArchiveSpec().Synthetic("late.bin", 1234, 1);
        server.WriteManifest("late", spec);
        var after = await Requests.SendAsync(server, Requests.Get("/archive/late"));

        Assert.Equal(404, before.Status);
        Assert.Equal(200, after.Status);
        await ArchiveReaders.VerifyAsync(after.Body, spec.Expected, output, "manifest added at run time");
    }

    [Fact]
    public async Task AClientLeavingMidArchiveDoesNotDisturbTheNextOne()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteManifest("huge", new ArchiveSpec().Raw(new ManifestFile { Path = "huge.bin", Origin = "synthetic", Source = "/2147483648/1" }));
        var small = new ArchiveSpec().Synthetic("small.bin", 10_000, 2);
        server.WriteManifest("small", small);

        using (var leaving = server.Connect())
        {
            await leaving.SendAsync(Requests.Get("/archive/huge"));
            Assert.True(await leaving.PendingBytesAsync(TimeSpan.FromSeconds(10)) > 0, "the big archive started");
        }

        var response = await Requests.SendAsync(server, Requests.Get("/archive/small"));
        Assert.True(response.Complete, response.ToString());
        await ArchiveReaders.VerifyAsync(response.Body, small.Expected, output, "archive after a client left");
    }

    [Fact]
    public async Task MoreArchivesThanTheConcurrencyLimitGet503WithRetryAfter()
    {
        await using var server = await TestServer.StartAsync(output, settings: new Dictionary<string, string?> { ["Limits:MaxConcurrentArchives"] = "1" });
        server.WriteManifest("huge", new ArchiveSpec().Raw(new ManifestFile { Path = "huge.bin", Origin = "synthetic", Source = "/2147483648/1", Size = 2147483648 }));
        var small = new ArchiveSpec().Synthetic("small.bin", 10_000, 2);
        server.WriteManifest("small", small);

        RawResponse refused;
        using (var busy = server.Connect())
        {
            // Not reading: back-pressure keeps this archive in progress.
            await busy.SendAsync(Requests.Get("/archive/huge"));
            Assert.True(await busy.PendingBytesAsync(TimeSpan.FromSeconds(10)) > 0, "the big archive started");
            refused = await Requests.SendAsync(server, Requests.Get("/archive/small"));
        }

        Assert.Equal("HTTP/1.1 503 Service Unavailable", refused.StatusLine);
        Assert.Equal("1", refused.Header("Retry-After"));
        var health = await Requests.SendAsync(server, Requests.Get("/healthz"));
        Assert.Equal(200, health.Status);

        // Once the busy client is gone its slot frees up (bounded wait).
        RawResponse? served = null;
        for (int attempt = 0; attempt < 50; attempt++)
        {
            served = await Requests.SendAsync(server, Requests.Get("/archive/small"));
            if (served.Status == 200)
            {
                break;
            }

            await Task.Delay(100);
        }

        Assert.Equal(200, served!.Status);
        await ArchiveReaders.VerifyAsync(served.Body, small.Expected, output, "archive after the limit freed");
    }
}
