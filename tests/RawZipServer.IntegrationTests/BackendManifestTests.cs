using System.IO.Hashing;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using RawZipServer.Hosting;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>SPEC §3 "Backend manifests", against a real in-test Kestrel backend.</summary>
public sealed class BackendManifestTests(ITestOutputHelper output)
{
    private static Dictionary<string, string?> Settings(BackendServer backend, params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?> { ["Manifests:BackendUrl"] = backend.ManifestsUrl.AbsoluteUri };
        foreach (var (key, value) in more)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static void AssertOneLineReason(RawResponse response, string statusLine)
    {
        Assert.Equal(statusLine, response.StatusLine);
        Assert.True(response.Complete, response.ToString());
        Assert.Equal("text/plain; charset=utf-8", response.Header("Content-Type"));
        Assert.DoesNotContain('\n', response.BodyText.TrimEnd('\n'));
        Assert.NotEmpty(response.BodyText.Trim());
    }

    private static string Crc(byte[] content) => Crc32.HashToUInt32(content).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task JsonManifestFromTheBackendIsStreamedWithUserHeadersForwardedAndRangeNot()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        var spec = new ArchiveSpec { Name = "from-backend.zip" }
            .File("docs/a.txt", "a.txt", server.WriteFile("a.txt", "alpha"u8.ToArray()))
            .Synthetic("big/r.bin", 100_000, 7);
        backend.Handler = BackendServer.Answer(200, spec.ToJson());

        var response = await Requests.SendAsync(server, Requests.Get("/archive/album-1",
            "Cookie: sessionid=abc123\r\nAuthorization: Basic dXNlcjpwdw==\r\nX-Forwarded-For: 203.0.113.9\r\nRange: bytes=0-9\r\nIf-Range: \"x\"\r\nX-Not-Forwarded: 1\r\n"));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Contains("from-backend.zip", response.Header("Content-Disposition"), StringComparison.Ordinal);
        await ArchiveReaders.VerifyAsync(response.Body, spec.Expected, output, "JSON manifest from the backend");
        var hit = Assert.Single(backend.Hits);
        Assert.Equal("/manifests/album-1", hit.Path);
        Assert.Equal("sessionid=abc123", hit.Header("Cookie"));
        Assert.Equal("Basic dXNlcjpwdw==", hit.Header("Authorization"));
        Assert.Equal("203.0.113.9, 127.0.0.1", hit.Header("X-Forwarded-For"));
        Assert.Null(hit.Header("Range"));
        Assert.Null(hit.Header("If-Range"));
        Assert.Null(hit.Header("X-Not-Forwarded"));
    }

    [Fact]
    public async Task WithoutIncomingForwardedForTheClientAddressAloneIsSent()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        backend.Handler = BackendServer.Answer(200, """{ "files": [] }""");

        var response = await Requests.SendAsync(server, Requests.Get("/archive/empty"));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        var hit = Assert.Single(backend.Hits);
        Assert.Equal("127.0.0.1", hit.Header("X-Forwarded-For"));
        Assert.Null(hit.Header("Cookie"));
        Assert.Null(hit.Header("Authorization"));
    }

    /// <summary>Lines laid out as in nginx mod_zip's README: padded columns, a leading slash, spaces in names, CRLF.</summary>
    private static (string Text, List<ExpectedEntry> Expected) ModZipManifest(TestServer server)
    {
        byte[] foo = server.WriteFile("foo.txt", Encoding.ASCII.GetBytes(new string('f', 428)));
        byte[] bar = server.WriteFile("bar.txt", Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("bar line\n", 1000))));
        byte[] spaced = server.WriteFile("sub dir/My File.txt", "percent-encoded location"u8.ToArray());
        string text = $"{Crc(foo)} {foo.Length,-6} /foo.txt   My Document1.txt\r\n"
            + $"{Crc(bar)} {bar.Length} /bar.txt   My Other Document1.txt\r\n"
            + $"- {spaced.Length} /sub%20dir/My%20File.txt Folder/Unknown CRC.txt\r\n";
        return (text, [ExpectedEntry.File("My Document1.txt", foo), ExpectedEntry.File("My Other Document1.txt", bar), ExpectedEntry.File("Folder/Unknown CRC.txt", spaced)]);
    }

    [Fact]
    public async Task ModZipTextIsReadWhenTheContentTypeIsTextPlain()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        var (text, expected) = ModZipManifest(server);
        backend.Handler = BackendServer.Answer(200, text, "text/plain; charset=utf-8");

        var response = await Requests.SendAsync(server, Requests.Get("/archive/docs"));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Contains("docs.zip", response.Header("Content-Disposition"), StringComparison.Ordinal);
        await ArchiveReaders.VerifyAsync(response.Body, expected, output, "mod_zip text/plain from the backend");
    }

    [Fact]
    public async Task ModZipTextIsReadWhenTheBackendSendsXArchiveFilesZip()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        var (text, expected) = ModZipManifest(server);
        // What a mod_zip application sends to nginx: any content type, the X-Archive-Files header decides.
        backend.Handler = BackendServer.Answer(200, text, "application/octet-stream", ("X-Archive-Files", "zip"));

        var response = await Requests.SendAsync(server, Requests.Get("/archive/docs"));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        await ArchiveReaders.VerifyAsync(response.Body, expected, output, "mod_zip X-Archive-Files from the backend");
    }

    [Theory]
    [InlineData(401, "HTTP/1.1 401 Unauthorized")]
    [InlineData(403, "HTTP/1.1 403 Forbidden")]
    [InlineData(404, "HTTP/1.1 404 Not Found")]
    [InlineData(410, "HTTP/1.1 410 Gone")]
    public async Task BackendRefusalsAreRelayedWithTheirStatusAndTheConnectionStaysUsable(int status, string statusLine)
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        backend.Handler = BackendServer.Answer(status, "<html>multi\nline\npage</html>", "text/html");
        using var connection = server.Connect();

        await connection.SendAsync(Requests.Get("/archive/secret") + Requests.Get("/healthz"));
        var refused = await connection.ReadResponseAsync();
        var health = await connection.ReadResponseAsync();

        AssertOneLineReason(refused, statusLine);
        Assert.Contains(status.ToString(System.Globalization.CultureInfo.InvariantCulture), refused.BodyText, StringComparison.Ordinal);
        Assert.Equal("HTTP/1.1 200 OK", health.StatusLine);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    [InlineData(400)]
    [InlineData(204)]
    public async Task OtherBackendStatusesAre502(int status)
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        backend.Handler = (_, context) =>
        {
            context.Response.StatusCode = status;
            return Task.CompletedTask;
        };

        var response = await Requests.SendAsync(server, Requests.Get("/archive/x"));

        AssertOneLineReason(response, "HTTP/1.1 502 Bad Gateway");
        Assert.Contains($"answered {status}", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARedirectFromTheBackendIsNotFollowed()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var other = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        other.Handler = BackendServer.Answer(200, """{ "files": [] }""");
        backend.Handler = (_, context) =>
        {
            context.Response.StatusCode = 302;
            context.Response.Headers.Location = other.ManifestsUrl + "x";
            return Task.CompletedTask;
        };

        var response = await Requests.SendAsync(server, Requests.Get("/archive/x"));

        AssertOneLineReason(response, "HTTP/1.1 502 Bad Gateway");
        Assert.Empty(other.Hits);
    }

    [Fact]
    public async Task ABackendManifestOverTheSizeLimitIs502WhetherAnnouncedOrStreamed()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend, ("Limits:MaxManifestBytes", "1000")));
        string big = """{ "files": [], "name": "x.zip" }""" + new string(' ', 5000);
        long streamed = 0;
        backend.Handler = async (id, context) =>
        {
            context.Response.ContentType = "application/json";
            if (id == "announced")
            {
                context.Response.ContentLength = big.Length;
                await context.Response.WriteAsync(big, context.RequestAborted);
                return;
            }

            // No Content-Length: 1 KiB pieces, for up to 10 MiB, until the server stops reading.
            byte[] piece = Encoding.ASCII.GetBytes(new string(' ', 1024));
            try
            {
                for (int i = 0; i < 10 * 1024; i++)
                {
                    await context.Response.Body.WriteAsync(piece, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    Interlocked.Add(ref streamed, piece.Length);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or ConnectionAbortedException)
            {
                // the server hung up, as it should
            }
        };

        var announced = await Requests.SendAsync(server, Requests.Get("/archive/announced"));
        var chunked = await Requests.SendAsync(server, Requests.Get("/archive/chunked"));

        AssertOneLineReason(announced, "HTTP/1.1 502 Bad Gateway");
        Assert.Contains("Limits:MaxManifestBytes", announced.BodyText, StringComparison.Ordinal);
        AssertOneLineReason(chunked, "HTTP/1.1 502 Bad Gateway");
        Assert.Contains("Limits:MaxManifestBytes", chunked.BodyText, StringComparison.Ordinal);
        Assert.True(Interlocked.Read(ref streamed) < 10L * 1024 * 1024, "the server stopped reading at the cap");
    }

    [Fact]
    public async Task ASlowBackendIs502AfterTheBackendTimeout()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend, ("Manifests:BackendTimeout", "00:00:01")));
        backend.Handler = async (_, context) =>
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var response = await Requests.SendAsync(server, Requests.Get("/archive/slow"));

        AssertOneLineReason(response, "HTTP/1.1 502 Bad Gateway");
        Assert.Contains("Manifests:BackendTimeout", response.BodyText, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"answered after {clock.Elapsed}");
    }

    [Fact]
    public async Task AnUnreachableBackendIs502()
    {
        // A port that was free a moment ago: nothing listens there.
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        int port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var server = await TestServer.StartAsync(output, settings: new Dictionary<string, string?> { ["Manifests:BackendUrl"] = $"http://127.0.0.1:{port}/m/" });

        var response = await Requests.SendAsync(server, Requests.Get("/archive/x"));

        AssertOneLineReason(response, "HTTP/1.1 502 Bad Gateway");
    }

    [Theory]
    [InlineData("application/json", "{ \"files\": [ ")]
    [InlineData("application/json", "<html>not json</html>")]
    [InlineData("text/plain", "this is not a mod_zip line")]
    [InlineData("text/plain", "1234abcd notanumber /foo.txt name.txt")]
    public async Task AnUnreadableBackendManifestIs502(string contentType, string body)
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        backend.Handler = BackendServer.Answer(200, body, contentType);

        var response = await Requests.SendAsync(server, Requests.Get("/archive/x"));

        AssertOneLineReason(response, "HTTP/1.1 502 Bad Gateway");
        Assert.Contains("unreadable", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReadableButInvalidBackendManifestIs400NamingTheEntry()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        backend.Handler = BackendServer.Answer(200, """{ "files": [ { "path": "ok/" }, { "path": "/etc/passwd", "source": "a.txt" } ] }""");

        var response = await Requests.SendAsync(server, Requests.Get("/archive/x"));

        AssertOneLineReason(response, "HTTP/1.1 400 Bad Request");
        Assert.Contains("manifest entry 1", response.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AManifestInTheDirectoryWinsAndTheBackendIsNotAsked()
    {
        await using var backend = await BackendServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, settings: Settings(backend));
        server.WriteManifest("local", new ArchiveSpec().Synthetic("a.bin", 10, 1));
        backend.Handler = BackendServer.Answer(500, "");

        var response = await Requests.SendAsync(server, Requests.Get("/archive/local"));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.Empty(backend.Hits);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ForwardHeadersBindAsAListOrACommaSeparatedValue(bool indexed)
    {
        await using var backend = await BackendServer.StartAsync();
        var settings = indexed
            ? Settings(backend, ("Manifests:ForwardHeaders:0", "Cookie"), ("Manifests:ForwardHeaders:1", "X-Session-Token"))
            : Settings(backend, ("Manifests:ForwardHeaders", "Cookie, X-Session-Token"));
        await using var server = await TestServer.StartAsync(output, settings: settings);
        backend.Handler = BackendServer.Answer(200, """{ "files": [] }""");

        var response = await Requests.SendAsync(server, Requests.Get("/archive/x",
            "Cookie: a=1\r\nx-session-token: tok\r\nAuthorization: Bearer not-for-the-backend\r\n"));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        var hit = Assert.Single(backend.Hits);
        Assert.Equal("a=1", hit.Header("Cookie"));
        Assert.Equal("tok", hit.Header("X-Session-Token"));
        Assert.Null(hit.Header("Authorization"));
    }

    [Theory]
    [InlineData("Range")]
    [InlineData("Host")]
    [InlineData("Content-Length")]
    public void ForwardingRangeOrFramingHeadersIsAConfigurationError(string header)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Manifests:BackendUrl"] = "http://127.0.0.1:1/m/",
            ["Manifests:ForwardHeaders"] = "Cookie," + header,
        }).Build();

        var ex = Assert.Throws<OptionsException>(() => ServerOptionsLoader.Load(config));
        Assert.Contains("Manifests:ForwardHeaders", ex.Message, StringComparison.Ordinal);
    }
}
