using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>HTTP framing over raw sockets: HEAD, keep-alive and pipelining, HTTP/1.0.</summary>
public sealed class HttpProtocolTests(ITestOutputHelper output)
{
    private static readonly Random s_random = new(99);

    private static byte[] Bytes(int n)
    {
        byte[] b = new byte[n];
        lock (s_random)
        {
            s_random.NextBytes(b);
        }

        return b;
    }

    /// <summary>Headers that may differ between two responses to the same request.</summary>
    private static IEnumerable<KeyValuePair<string, string>> Stable(RawResponse r) =>
        r.Headers.Where(h => !string.Equals(h.Key, "Date", StringComparison.OrdinalIgnoreCase));

    [Fact]
    public async Task HeadAnswersTheHeadersOfGetWithoutBodyAndWithoutOriginRequests()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var spec = new ArchiveSpec { Name = "Grüße.zip" }
            .File("one.bin", "files/one.bin", origin.AddFile("one.bin", Bytes(40_000)), origin: "web")
            .File("two/two.bin", "chunked/two.bin", origin.AddFile("two.bin", Bytes(10_000)), crc: false, origin: "web")
            .Directory("empty/");
        server.WriteManifest("sized", spec);

        using var connection = server.Connect();
        await connection.SendAsync(Requests.Head("/archive/sized"));
        var head = await connection.ReadResponseAsync(headRequest: true);
        // The next response on the connection must start right after the head: HEAD sent no body.
        await connection.SendAsync(Requests.Get("/healthz"));
        var health = await connection.ReadResponseAsync();

        Assert.Equal("HTTP/1.1 200 OK", head.StatusLine);
        Assert.Equal("HTTP/1.1 200 OK", health.StatusLine);
        Assert.Equal("ok", health.BodyText.TrimEnd('\n'));
        Assert.Equal(0, origin.RequestCount);
        Assert.Null(head.Header("Transfer-Encoding"));
        long announced = long.Parse(head.Header("Content-Length")!, System.Globalization.CultureInfo.InvariantCulture);

        await connection.SendAsync(Requests.Get("/archive/sized"));
        var get = await connection.ReadResponseAsync();

        Assert.True(get.Complete, get.ToString());
        Assert.Equal(announced, get.Body.Length);
        Assert.Equal(Stable(get), Stable(head));
        Assert.Equal(2, origin.RequestCount);
        Assert.Contains("filename*=UTF-8''Gr%C3%BC%C3%9Fe.zip", head.Header("Content-Disposition"), StringComparison.Ordinal);
        await ArchiveReaders.VerifyAsync(get.Body, spec.Expected, output, "GET after HEAD");
    }

    [Fact]
    public async Task HeadOfAnArchiveOfUnknownLengthAnnouncesChunkedLikeGet()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var spec = new ArchiveSpec()
            .File("one.bin", "chunked/one.bin", origin.AddFile("one.bin", Bytes(40_000)), size: false, origin: "web");
        server.WriteManifest("unsized", spec);

        var head = await Requests.SendAsync(server, Requests.Head("/archive/unsized"), headRequest: true);
        Assert.Equal(0, origin.RequestCount);
        var get = await Requests.SendAsync(server, Requests.Get("/archive/unsized"));

        Assert.Equal("HTTP/1.1 200 OK", head.StatusLine);
        Assert.Equal("chunked", head.Header("Transfer-Encoding"));
        Assert.Null(head.Header("Content-Length"));
        Assert.Equal(Stable(get), Stable(head));
        Assert.True(get.Complete, get.ToString());
        await ArchiveReaders.VerifyAsync(get.Body, spec.Expected, output, "GET after HEAD, chunked");
    }

    [Fact]
    public async Task TwoArchivesOnOneKeepAliveConnectionOneAfterTheOtherAndPipelinedInOneWrite()
    {
        await using var server = await TestServer.StartAsync(output);
        var sized = new ArchiveSpec()
            .File("a/first.bin", "first.bin", server.WriteFile("first.bin", Bytes(100_000)))
            .Synthetic("b/random.bin", 300_000, 3)
            .File("c/empty.txt", "empty.txt", server.WriteFile("empty.txt", []), crc: false);
        var unsized = new ArchiveSpec()
            .File("x/second.bin", "second.bin", server.WriteFile("second.bin", Bytes(77_777)), size: false, crc: false)
            .Directory("y/")
            .Synthetic("z/random.bin", 200_000, 4, size: false);
        server.WriteManifest("sized", sized);
        server.WriteManifest("unsized", unsized);

        using var connection = server.Connect();
        var responses = new List<RawResponse>();
        await connection.SendAsync(Requests.Get("/archive/sized"));
        responses.Add(await connection.ReadResponseAsync());
        await connection.SendAsync(Requests.Get("/archive/unsized"));
        responses.Add(await connection.ReadResponseAsync());
        // Pipelined: both requests in one write, answered in order.
        await connection.SendAsync(Requests.Get("/archive/unsized") + Requests.Get("/archive/sized"));
        responses.Add(await connection.ReadResponseAsync());
        responses.Add(await connection.ReadResponseAsync());

        foreach (var r in responses)
        {
            output.WriteLine(r.ToString());
            Assert.Equal("HTTP/1.1 200 OK", r.StatusLine);
            Assert.True(r.Complete, r.ToString());
            Assert.Null(r.Header("Connection"));
        }

        Assert.Equal(["content-length", "chunked", "chunked", "content-length"], responses.Select(r => r.Framing));
        Assert.Equal(responses[0].Body, responses[3].Body);
        Assert.Equal(responses[1].Body, responses[2].Body);
        Assert.Equal(0, await connection.PendingBytesAsync(TimeSpan.FromMilliseconds(200)));
        Assert.False(await connection.IsClosedByServerAsync(TimeSpan.FromMilliseconds(200)), "keep-alive: the connection stays open");
        await ArchiveReaders.VerifyAsync(responses[0].Body, sized.Expected, output, "keep-alive archive 1 (Content-Length)");
        await ArchiveReaders.VerifyAsync(responses[1].Body, unsized.Expected, output, "keep-alive archive 2 (chunked)");
    }

    [Fact]
    public async Task ConnectionCloseIsHonoured()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec().Synthetic("r.bin", 10_000, 1);
        server.WriteManifest("a", spec);

        using var connection = server.Connect();
        await connection.SendAsync(Requests.Get("/archive/a", "Connection: close\r\n"));
        var response = await connection.ReadResponseAsync();

        Assert.True(response.Complete, response.ToString());
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
        await ArchiveReaders.VerifyAsync(response.Body, spec.Expected, output, "Connection: close");
    }

    [Fact]
    public async Task Http10RequestForAnArchiveOfUnknownLengthIsNotChunkedAndEndsAtClose()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec()
            .File("a.bin", "a.bin", server.WriteFile("a.bin", Bytes(50_000)), size: false, crc: false)
            .Synthetic("b.bin", 123_456, 9, size: false);
        server.WriteManifest("old", spec);

        using var connection = server.Connect();
        await connection.SendAsync("GET /archive/old HTTP/1.0\r\n\r\n");
        var response = await connection.ReadResponseAsync();

        output.WriteLine(response.ToString());
        Assert.StartsWith("HTTP/1.1 200 ", response.StatusLine, StringComparison.Ordinal);
        Assert.Null(response.Header("Transfer-Encoding"));
        Assert.Null(response.Header("Content-Length"));
        Assert.Equal("until close", response.Framing);
        Assert.Equal("eof", response.EndReason);
        await ArchiveReaders.VerifyAsync(response.Body, spec.Expected, output, "HTTP/1.0, until close");
    }

    [Fact]
    public async Task Http10RequestForAnArchiveOfKnownLengthHasContentLength()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec().Synthetic("b.bin", 65_536, 2, crc: true);
        server.WriteManifest("old", spec);

        var response = await Requests.SendAsync(server, "GET /archive/old HTTP/1.0\r\n\r\n");

        Assert.Equal("content-length", response.Framing);
        Assert.True(response.Complete, response.ToString());
        await ArchiveReaders.VerifyAsync(response.Body, spec.Expected, output, "HTTP/1.0, Content-Length");
    }

    [Theory]
    [InlineData("/archive/unknown", "HTTP/1.1 404 Not Found", null)]
    [InlineData("/nothing-here", "HTTP/1.1 404 Not Found", null)]
    [InlineData("/archive/bad%20id", "HTTP/1.1 400 Bad Request", null)]
    [InlineData("/healthz", "HTTP/1.1 200 OK", null)]
    public async Task HeadOfAnErrorOrStatusResponseSendsNoBodyOnAKeptAliveConnection(string target, string statusLine, string? allow)
    {
        await HeadThenHealthzAsync(target, statusLine, allow);
    }

    [Fact]
    public async Task HeadOfTheArchiveCollectionIs405WithoutBody()
    {
        await HeadThenHealthzAsync("/archive", "HTTP/1.1 405 Method Not Allowed", "POST");
    }

    private async Task HeadThenHealthzAsync(string target, string statusLine, string? allow)
    {
        await using var server = await TestServer.StartAsync(output);
        using var connection = server.Connect();

        await connection.SendAsync(Requests.Head(target));
        var head = await connection.ReadResponseAsync(headRequest: true);
        await connection.SendAsync(Requests.Get("/healthz"));
        var next = await connection.ReadResponseAsync();

        Assert.Equal(statusLine, head.StatusLine);
        Assert.Equal(allow, head.Header("Allow"));
        Assert.Equal("HTTP/1.1 200 OK", next.StatusLine);
        Assert.Equal("ok", next.BodyText.Trim());
    }
}
