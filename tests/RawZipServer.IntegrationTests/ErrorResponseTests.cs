using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>SPEC §3 "Errors": exact status lines and one-line reasons, over raw sockets.</summary>
public sealed class ErrorResponseTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> s_smallHeadLimit = new() { ["Limits:MaxRequestHeadersBytes"] = "1024" };

    private async Task<RawResponse> SendAsync(string request, Uri? webOrigin = null)
    {
        await using var server = await TestServer.StartAsync(output, webOrigin, s_smallHeadLimit);
        return await Requests.SendAsync(server, request);
    }

    private static void AssertTextResponse(RawResponse response, string statusLine)
    {
        Assert.Equal(statusLine, response.StatusLine);
        Assert.True(response.Complete, response.ToString());
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        string text = response.BodyText;
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', text.TrimEnd('\n'));
        Assert.True(text.Trim().Length > 0, "a reason is given");
    }

    [Fact]
    public async Task UnknownManifestIs404()
    {
        var response = await SendAsync(Requests.Get("/archive/nope"));
        AssertTextResponse(response, "HTTP/1.1 404 Not Found");
        Assert.Contains("nope", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidManifestIs400NamingTheEntryIndex()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteFile("ok.txt", "ok"u8.ToArray());
        server.WriteManifest("bad", """
            { "files": [
              { "path": "ok.txt", "source": "ok.txt" },
              { "path": "dir/" },
              { "path": "../escape.txt", "source": "ok.txt" }
            ] }
            """);

        var response = await Requests.SendAsync(server, Requests.Get("/archive/bad"));

        AssertTextResponse(response, "HTTP/1.1 400 Bad Request");
        Assert.Contains("manifest entry 2", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManifestThatIsNotJsonIs400()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteManifest("bad", "{ \"files\": [ ");

        var response = await Requests.SendAsync(server, Requests.Get("/archive/bad"));

        AssertTextResponse(response, "HTTP/1.1 400 Bad Request");
    }

    [Fact]
    public async Task DeleteOnAnArchiveIs405AllowingGetAndHead()
    {
        var response = await SendAsync("DELETE /archive/x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        AssertTextResponse(response, "HTTP/1.1 405 Method Not Allowed");
        Assert.Equal("GET, HEAD", response.Header("Allow"));
    }

    [Fact]
    public async Task GetOnTheArchiveCollectionIs405AllowingPost()
    {
        var response = await SendAsync(Requests.Get("/archive"));
        AssertTextResponse(response, "HTTP/1.1 405 Method Not Allowed");
        Assert.Equal("POST", response.Header("Allow"));
    }

    [Fact]
    public async Task RequestLineLongerThanTheHeadLimitIs414()
    {
        var response = await SendAsync(Requests.Get("/archive/" + new string('a', 2000)));
        AssertTextResponse(response, "HTTP/1.1 414 URI Too Long");
        Assert.Equal("close", response.Header("Connection"));
    }

    [Fact]
    public async Task HeadersLargerThanTheHeadLimitAre431()
    {
        string headers = string.Concat(Enumerable.Range(0, 40).Select(i => $"X-Filler-{i}: {new string('v', 40)}\r\n"));
        var response = await SendAsync(Requests.Get("/healthz", headers));
        AssertTextResponse(response, "HTTP/1.1 431 Request Header Fields Too Large");
        Assert.Equal("close", response.Header("Connection"));
    }

    [Fact]
    public async Task ChunkedRequestBodyIs501()
    {
        var response = await SendAsync("GET /archive/x HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
        AssertTextResponse(response, "HTTP/1.1 501 Not Implemented");
    }

    [Fact]
    public async Task Http2RequestLineIs505()
    {
        var response = await SendAsync("GET /healthz HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n");
        AssertTextResponse(response, "HTTP/1.1 505 HTTP Version Not Supported");
    }

    [Fact]
    public async Task Http11RequestWithoutHostIs400()
    {
        var response = await SendAsync("GET /healthz HTTP/1.1\r\n\r\n");
        AssertTextResponse(response, "HTTP/1.1 400 Bad Request");
    }

    [Fact]
    public async Task FirstFileMissingAtTheHttpOriginIs502()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        server.WriteManifest("gone", """
            { "files": [
              { "path": "empty/" },
              { "path": "a.bin", "origin": "web", "source": "missing/a.bin", "size": 10 },
              { "path": "b.bin", "origin": "synthetic", "source": "/10" }
            ] }
            """);

        var response = await Requests.SendAsync(server, Requests.Get("/archive/gone"));

        AssertTextResponse(response, "HTTP/1.1 502 Bad Gateway");
        Assert.Contains("404", response.BodyText, StringComparison.Ordinal);
        Assert.Equal(["GET /missing/a.bin"], origin.Requests);
    }

    [Fact]
    public async Task FirstFileMissingInTheDirectoryOriginIs502()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteManifest("gone", """{ "files": [ { "path": "a.bin", "source": "not-there.bin" } ] }""");

        var response = await Requests.SendAsync(server, Requests.Get("/archive/gone"));

        AssertTextResponse(response, "HTTP/1.1 502 Bad Gateway");
    }

    [Fact]
    public async Task ErrorBeforeTheBodyKeepsTheConnectionUsable()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteManifest("ok", new ArchiveSpec().Synthetic("r.bin", 1000, 1));
        using var connection = server.Connect();

        await connection.SendAsync(Requests.Get("/archive/nope") + Requests.Get("/archive/ok"));
        var missing = await connection.ReadResponseAsync();
        var ok = await connection.ReadResponseAsync();

        Assert.Equal("HTTP/1.1 404 Not Found", missing.StatusLine);
        Assert.Equal("HTTP/1.1 200 OK", ok.StatusLine);
        Assert.True(ok.Complete);
    }

    [Fact]
    public async Task HealthzAnswers200Ok()
    {
        var response = await SendAsync(Requests.Get("/healthz"));
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Equal("ok", response.BodyText.Trim());
    }

    [Fact]
    public async Task UnknownPathIs404()
    {
        var response = await SendAsync(Requests.Get("/nothing-here"));
        AssertTextResponse(response, "HTTP/1.1 404 Not Found");
    }

    [Fact]
    public async Task ASymlinkLeadingOutOfTheDirectoryOriginIsNotServed()
    {
        await using var server = await TestServer.StartAsync(output);
        string outside = Path.Combine(Path.GetTempPath(), $"rawzip-it-outside-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(outside, "secret");
        try
        {
            File.CreateSymbolicLink(Path.Combine(server.FilesDirectory, "link.txt"), outside);
            Directory.CreateSymbolicLink(Path.Combine(server.FilesDirectory, "tmp"), Path.GetTempPath());
            server.WriteManifest("link", """{ "files": [ { "path": "a.txt", "source": "link.txt" } ] }""");
            server.WriteManifest("dirlink", $$"""{ "files": [ { "path": "a.txt", "source": "tmp/{{Path.GetFileName(outside)}}" } ] }""");
            server.WriteManifest("dots", """{ "files": [ { "path": "a.txt", "source": "sub/%2e%2e/%2e%2e/etc/passwd" } ] }""");

            var link = await Requests.SendAsync(server, Requests.Get("/archive/link"));
            var dirLink = await Requests.SendAsync(server, Requests.Get("/archive/dirlink"));
            var dots = await Requests.SendAsync(server, Requests.Get("/archive/dots"));

            AssertTextResponse(link, "HTTP/1.1 502 Bad Gateway");
            AssertTextResponse(dirLink, "HTTP/1.1 502 Bad Gateway");
            AssertTextResponse(dots, "HTTP/1.1 400 Bad Request");
            Assert.Contains("manifest entry 0", dots.BodyText, StringComparison.Ordinal);
        }
        finally
        {
            // Remove the links first, so no recursive delete can ever walk through them.
            File.Delete(Path.Combine(server.FilesDirectory, "link.txt"));
            if (Directory.Exists(Path.Combine(server.FilesDirectory, "tmp")))
            {
                Directory.Delete(Path.Combine(server.FilesDirectory, "tmp"));
            }

            File.Delete(outside);
        }
    }
}
