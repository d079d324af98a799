using System.Net;
using System.Net.Http.Headers;
using System.Text;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>SPEC §3 <c>POST /archive</c>: bearer keys, Content-Length rules, the archive streamed as the response.</summary>
public sealed class PostArchiveTests(ITestOutputHelper output)
{
    private const string Key = "k-0123456789abcdef";

    private static Dictionary<string, string?> Keys(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Auth:ApiKeys:0"] = "another-key", ["Auth:ApiKeys:1"] = Key };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return values;
    }

    private static string Post(string body, string extraHeaders = "", string? authorization = "Bearer " + Key) =>
        $"POST /archive HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + (authorization is null ? "" : $"Authorization: {authorization}\r\n")
        + $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{extraHeaders}\r\n{body}";

    [Fact]
    public async Task APostedManifestIsStreamedBackAsTheArchive()
    {
        await using var server = await TestServer.StartAsync(output, settings: Keys());
        var spec = new ArchiveSpec { Name = "posted.zip" }
            .File("a/b.txt", "b.txt", server.WriteFile("b.txt", "posted bytes"u8.ToArray()))
            .Synthetic("s.bin", 300_000, 3, size: false)
            .Directory("empty/");
        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/archive") { Content = new StringContent(spec.ToJson(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        using var response = await client.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("posted.zip", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        await ArchiveReaders.VerifyAsync(body, spec.Expected, output, "POST /archive");
    }

    [Fact]
    public async Task APostedManifestWithoutANameIsArchiveZipAndASingleKeyValueWorks()
    {
        await using var server = await TestServer.StartAsync(output, settings: new Dictionary<string, string?> { ["Auth:ApiKeys"] = Key });
        var spec = new ArchiveSpec().Synthetic("x.bin", 1000, 1);

        var response = await Requests.SendAsync(server, Post(spec.ToJson()));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Contains("filename=\"archive.zip\"", response.Header("Content-Disposition"), StringComparison.Ordinal);
        await ArchiveReaders.VerifyAsync(response.Body, spec.Expected, output, "POST, single key");
    }

    [Fact]
    public async Task TheConnectionStaysUsableAfterAPostWhoseBodyWasRead()
    {
        await using var server = await TestServer.StartAsync(output, settings: Keys());
        var first = new ArchiveSpec().Synthetic("one.bin", 5000, 1);
        var second = new ArchiveSpec { Name = "two.zip" }.Synthetic("two.bin", 7000, 2);
        using var connection = server.Connect();

        // Pipelined in one write: the body boundary is all that separates the requests.
        await connection.SendAsync(Post(first.ToJson()) + Post("""{ "files": [ { "path": "../x", "source": "a" } ] }""") + Post(second.ToJson()) + Requests.Get("/healthz"));
        var r1 = await connection.ReadResponseAsync();
        var r2 = await connection.ReadResponseAsync();
        var r3 = await connection.ReadResponseAsync();
        var r4 = await connection.ReadResponseAsync();

        Assert.Equal("HTTP/1.1 200 OK", r1.StatusLine);
        Assert.Equal("HTTP/1.1 400 Bad Request", r2.StatusLine);
        Assert.Contains("manifest entry 0", r2.BodyText, StringComparison.Ordinal);
        Assert.Equal("HTTP/1.1 200 OK", r3.StatusLine);
        Assert.Contains("two.zip", r3.Header("Content-Disposition"), StringComparison.Ordinal);
        Assert.Equal("HTTP/1.1 200 OK", r4.StatusLine);
        await ArchiveReaders.VerifyAsync(r1.Body, first.Expected, output, "first POST on the connection");
        await ArchiveReaders.VerifyAsync(r3.Body, second.Expected, output, "third POST on the connection");
    }

    [Fact]
    public async Task WithoutConfiguredKeysPostIsRefusedWith403AndTheConnectionCloses()
    {
        await using var server = await TestServer.StartAsync(output);
        using var connection = server.Connect();

        await connection.SendAsync(Post("""{ "files": [] }"""));
        var response = await connection.ReadResponseAsync();

        Assert.Equal("HTTP/1.1 403 Forbidden", response.StatusLine);
        Assert.Contains("Auth:ApiKeys", response.BodyText, StringComparison.Ordinal);
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key")]
    [InlineData("Bearer k-0123456789abcdeF")]
    [InlineData("Bearer k-0123456789abcde")]
    [InlineData("Basic " + Key)]
    [InlineData("Bearer")]
    public async Task AMissingOrWrongKeyIs401WithWwwAuthenticateBearer(string? authorization)
    {
        await using var server = await TestServer.StartAsync(output, settings: Keys());
        using var connection = server.Connect();

        await connection.SendAsync(Post("""{ "files": [] }""", authorization: authorization));
        var response = await connection.ReadResponseAsync();

        Assert.Equal("HTTP/1.1 401 Unauthorized", response.StatusLine);
        Assert.Equal("Bearer", response.Header("WWW-Authenticate"));
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task TheBearerSchemeIsCaseInsensitive()
    {
        await using var server = await TestServer.StartAsync(output, settings: Keys());

        var response = await Requests.SendAsync(server, Post("""{ "files": [] }""", authorization: "bearer " + Key));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
    }

    [Fact]
    public async Task APostWithoutContentLengthIs411()
    {
        await using var server = await TestServer.StartAsync(output, settings: Keys());
        using var connection = server.Connect();

        await connection.SendAsync($"POST /archive HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Key}\r\n\r\n");
        var response = await connection.ReadResponseAsync();

        Assert.Equal("HTTP/1.1 411 Length Required", response.StatusLine);
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413BeforeItIsSentAndTheConnectionCloses()
    {
        await using var server = await TestServer.StartAsync(output, settings: Keys(("Limits:MaxManifestBytes", "1000")));
        using var connection = server.Connect();

        // Announces 100 MB but sends only the head and a few bytes: the answer must not wait for the rest.
        await connection.SendAsync($"POST /archive HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Key}\r\nContent-Length: 100000000\r\n\r\n{{ \"files\": [");
        var response = await connection.ReadResponseAsync(timeout: TimeSpan.FromSeconds(10));

        Assert.Equal("HTTP/1.1 413 Content Too Large", response.StatusLine);
        Assert.Contains("Limits:MaxManifestBytes", response.BodyText, StringComparison.Ordinal);
        Assert.Equal("close", response.Header("Connection"));
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ABodyAtExactlyTheLimitIsAccepted()
    {
        string body = """{ "files": [] }""";
        string padded = body + new string(' ', 1000 - body.Length);
        await using var server = await TestServer.StartAsync(output, settings: Keys(("Limits:MaxManifestBytes", "1000")));

        var response = await Requests.SendAsync(server, Post(padded));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
    }

    [Fact]
    public async Task ABodyThatStopsArrivingIsRefusedAfterTheTimeoutAndTheConnectionCloses()
    {
        await using var server = await TestServer.StartAsync(output, settings: Keys(("Limits:RequestHeadersTimeout", "00:00:01")));
        using var connection = server.Connect();

        await connection.SendAsync($"POST /archive HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {Key}\r\nContent-Length: 50\r\n\r\n{{ \"files\"");
        var response = await connection.ReadResponseAsync(timeout: TimeSpan.FromSeconds(15));

        Assert.Equal("HTTP/1.1 400 Bad Request", response.StatusLine);
        Assert.True(await connection.IsClosedByServerAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ABodyArrivingInManySmallPiecesIsReadWhole()
    {
        await using var server = await TestServer.StartAsync(output, settings: Keys());
        var spec = new ArchiveSpec();
        for (int i = 0; i < 2000; i++)
        {
            spec.Synthetic($"f{i:D4}.bin", 10, (ulong)i);
        }

        byte[] request = Encoding.UTF8.GetBytes(Post(spec.ToJson()));
        using var connection = server.Connect();
        // Many writes of 4000 bytes: the body spans many transport reads.
        for (int offset = 0; offset < request.Length; offset += 4000)
        {
            await connection.SendAsync(request[offset..Math.Min(request.Length, offset + 4000)]);
        }

        var response = await connection.ReadResponseAsync();

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        await ArchiveReaders.VerifyAsync(response.Body, spec.Expected, output, "2000 entries posted in pieces");
    }
}
