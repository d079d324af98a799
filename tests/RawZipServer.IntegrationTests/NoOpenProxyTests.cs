using System.Text;
using System.Text.Json;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// SPEC §4 / issue 4 "No open proxy": whatever way a manifest arrives (JSON or mod_zip text from the
/// manifest folder, JSON or mod_zip from the backend, a POST body), a source can never make the server
/// talk to another scheme, host or port, and the entry and size limits hold.
/// </summary>
public sealed class NoOpenProxyTests(ITestOutputHelper output)
{
    private const string Key = "proxy-test-key";

    public enum Channel
    {
        DirectoryJson,
        DirectoryModZip,
        BackendJson,
        BackendModZip,
        Post,
    }

    /// <summary>Sources that try to leave the origin. None contains a space, so each also fits a mod_zip line.</summary>
    public static TheoryData<Channel, string> HostileSources()
    {
        string[] sources =
        [
            "../secret.txt",
            "a/../../secret.txt",
            "%2e%2e/secret.txt",
            "a/%2E%2E/%2e%2e/secret.txt",
            ".%2e/secret.txt",
            "./secret.txt",
            "//evil.example/secret.txt",
            "//127.0.0.1:1/secret.txt",
            "http://evil.example/secret.txt",
            "https://127.0.0.1:1/secret.txt",
            "HTTP:/evil.example/x",
            "file:///etc/passwd",
            "\\\\evil.example\\share\\x",
            "a\\..\\..\\x",
            "a/%2f%2fevil.example/x",
            "a/%5c..%5cx",
        ];
        var data = new TheoryData<Channel, string>();
        foreach (var channel in Enum.GetValues<Channel>())
        {
            foreach (string source in sources)
            {
                data.Add(channel, source);
            }
        }

        return data;
    }

    private static bool IsModZip(Channel channel) => channel is Channel.DirectoryModZip or Channel.BackendModZip;

    /// <summary>Serves <paramref name="manifest"/> through <paramref name="channel"/> and returns the response to it.</summary>
    private async Task<RawResponse> RequestAsync(Channel channel, string manifest, Uri webOrigin, Dictionary<string, string?>? extra = null)
    {
        await using var backend = await BackendServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Manifests:BackendUrl"] = backend.ManifestsUrl.AbsoluteUri,
            ["Auth:ApiKeys"] = Key,
            // mod_zip locations are on the default origin: make it the HTTP one, the one a proxy attack aims at.
            ["DefaultOrigin"] = "web",
        };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        await using var server = await TestServer.StartAsync(output, webOrigin, settings);
        switch (channel)
        {
            case Channel.DirectoryJson:
                server.WriteManifest("m", manifest);
                break;
            case Channel.DirectoryModZip:
                await File.WriteAllTextAsync(Path.Combine(server.ManifestsDirectory, "m.txt"), manifest);
                break;
            case Channel.BackendJson:
                backend.Handler = BackendServer.Answer(200, manifest);
                break;
            case Channel.BackendModZip:
                backend.Handler = BackendServer.Answer(200, manifest, "text/plain");
                break;
            case Channel.Post:
                int length = Encoding.UTF8.GetByteCount(manifest);
                return await Requests.SendAsync(server,
                    $"POST /archive HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Key}\r\nContent-Length: {length}\r\n\r\n{manifest}");
        }

        var response = await Requests.SendAsync(server, Requests.Get("/archive/m"));
        if (channel is Channel.BackendJson or Channel.BackendModZip)
        {
            Assert.Single(backend.Hits);
        }

        return response;
    }

    private static string Manifest(Channel channel, string hostileSource) => IsModZip(channel)
        ? $"- 3 ok.txt ok.txt\n- 5 {hostileSource} evil.txt\n"
        : $$"""{ "files": [ { "path": "ok.txt", "source": "ok.txt", "size": 3 }, { "path": "evil.txt", "origin": "web", "source": {{JsonSerializer.Serialize(hostileSource)}}, "size": 5 } ] }""";

    [Theory]
    [MemberData(nameof(HostileSources))]
    public async Task ASourceThatWouldLeaveTheOriginIs400NamingTheEntryAndNoOriginIsContacted(Channel channel, string source)
    {
        await using var origin = await OriginServer.StartAsync();

        var response = await RequestAsync(channel, Manifest(channel, source), origin.BaseUrl);

        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        Assert.Contains("manifest entry 1", response.BodyText, StringComparison.Ordinal);
        Assert.Empty(origin.Requests);
    }

    [Theory]
    [InlineData(Channel.DirectoryJson)]
    [InlineData(Channel.DirectoryModZip)]
    [InlineData(Channel.BackendJson)]
    [InlineData(Channel.BackendModZip)]
    [InlineData(Channel.Post)]
    public async Task AGoodManifestThroughEachChannelReachesOnlyTheConfiguredOrigin(Channel channel)
    {
        await using var origin = await OriginServer.StartAsync();
        byte[] content = origin.AddFile("ok.txt", "hey"u8.ToArray());
        string manifest = IsModZip(channel)
            ? "- 3 files/ok.txt ok.txt\n"
            : """{ "files": [ { "path": "ok.txt", "origin": "web", "source": "files/ok.txt", "size": 3 } ] }""";

        var response = await RequestAsync(channel, manifest, origin.BaseUrl);

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        await ArchiveReaders.VerifyAsync(response.Body, [ExpectedEntry.File("ok.txt", content)], output, channel.ToString());
        Assert.Equal(["GET /files/ok.txt"], origin.Requests);
    }

    [Theory]
    [InlineData(Channel.DirectoryJson)]
    [InlineData(Channel.DirectoryModZip)]
    [InlineData(Channel.BackendJson)]
    [InlineData(Channel.BackendModZip)]
    [InlineData(Channel.Post)]
    public async Task MaxEntriesHoldsForEveryChannel(Channel channel)
    {
        await using var origin = await OriginServer.StartAsync();
        string manifest = IsModZip(channel)
            ? "- 1 files/a a\n- 1 files/b b\n- 1 files/c c\n"
            : """{ "files": [ { "path": "a", "source": "files/a" }, { "path": "b", "source": "files/b" }, { "path": "c", "source": "files/c" } ] }""";

        var response = await RequestAsync(channel, manifest, origin.BaseUrl, new() { ["Limits:MaxEntries"] = "2" });

        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        Assert.Contains("Limits:MaxEntries", response.BodyText, StringComparison.Ordinal);
        Assert.Empty(origin.Requests);
    }

    [Theory]
    [InlineData(Channel.DirectoryJson, 413)]
    [InlineData(Channel.DirectoryModZip, 413)]
    [InlineData(Channel.BackendJson, 502)]
    [InlineData(Channel.BackendModZip, 502)]
    [InlineData(Channel.Post, 413)]
    public async Task MaxManifestBytesHoldsForEveryChannel(Channel channel, int status)
    {
        await using var origin = await OriginServer.StartAsync();
        var lines = new StringBuilder();
        var files = new List<string>();
        for (int i = 0; i < 100; i++)
        {
            lines.Append(System.Globalization.CultureInfo.InvariantCulture, $"- 1 files/f{i} f{i}\n");
            files.Add($$"""{ "path": "f{{i}}", "source": "files/f{{i}}" }""");
        }

        string manifest = IsModZip(channel) ? lines.ToString() : $$"""{ "files": [ {{string.Join(", ", files)}} ] }""";

        var response = await RequestAsync(channel, manifest, origin.BaseUrl, new() { ["Limits:MaxManifestBytes"] = "1000" });

        Assert.Equal(status, response.Status);
        Assert.Contains("Limits:MaxManifestBytes", response.BodyText, StringComparison.Ordinal);
        Assert.Empty(origin.Requests);
    }
}
