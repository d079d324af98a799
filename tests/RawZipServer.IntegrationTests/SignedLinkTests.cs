using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RawZipServer.Hosting;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>SPEC §3 signed links: <c>?expires=&amp;signature=</c>, HMAC-SHA256 over <c>"{id}\n{expires}"</c>.</summary>
public sealed class SignedLinkTests(ITestOutputHelper output)
{
    private const string Secret = "a-test-secret-ü";

    private static readonly Dictionary<string, string?> s_signed = new() { ["Auth:SigningSecret"] = Secret };

    /// <summary>Computed here, independently of the server's code.</summary>
    private static string Sign(string id, long expires, string secret = Secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{id}\n{expires}")));

    private static long InOneHour => DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600;

    private async Task<TestServer> StartWithDemoAsync()
    {
        var server = await TestServer.StartAsync(output, settings: s_signed);
        server.WriteManifest("demo", new ArchiveSpec().Synthetic("a.bin", 1000, 1));
        server.WriteManifest("other", new ArchiveSpec().Synthetic("b.bin", 1000, 2));
        return server;
    }

    [Fact]
    public async Task AValidSignatureServesTheArchiveInLowerOrUpperHex()
    {
        await using var server = await StartWithDemoAsync();
        long expires = InOneHour;
        string signature = Sign("demo", expires);

        var lower = await Requests.SendAsync(server, Requests.Get($"/archive/demo?expires={expires}&signature={signature}"));
        var upper = await Requests.SendAsync(server, Requests.Get($"/archive/demo?signature={signature.ToUpperInvariant()}&expires={expires}"));
        var head = await Requests.SendAsync(server, Requests.Head($"/archive/demo?expires={expires}&signature={signature}"), headRequest: true);

        Assert.Equal("HTTP/1.1 200 OK", lower.StatusLine);
        await ArchiveReaders.VerifyAsync(lower.Body, new ArchiveSpec().Synthetic("a.bin", 1000, 1).Expected, output, "signed link");
        Assert.Equal("HTTP/1.1 200 OK", upper.StatusLine);
        Assert.Equal("HTTP/1.1 200 OK", head.StatusLine);
    }

    [Theory]
    [InlineData("")]
    [InlineData("?expires=4102444800")]
    [InlineData("?signature=00")]
    [InlineData("?expires=abc&signature=00")]
    public async Task AMissingOrMalformedSignatureIs403(string query)
    {
        await using var server = await StartWithDemoAsync();

        var response = await Requests.SendAsync(server, Requests.Get("/archive/demo" + query));
        var head = await Requests.SendAsync(server, Requests.Head("/archive/demo" + query), headRequest: true);

        Assert.Equal("HTTP/1.1 403 Forbidden", response.StatusLine);
        Assert.Equal("HTTP/1.1 403 Forbidden", head.StatusLine);
    }

    [Fact]
    public async Task AWrongSignatureATamperedIdOrATamperedExpiryIs403()
    {
        await using var server = await StartWithDemoAsync();
        long expires = InOneHour;
        string signature = Sign("demo", expires);

        var wrongSecret = await Requests.SendAsync(server, Requests.Get($"/archive/demo?expires={expires}&signature={Sign("demo", expires, "other-secret")}"));
        var otherId = await Requests.SendAsync(server, Requests.Get($"/archive/other?expires={expires}&signature={signature}"));
        var longer = await Requests.SendAsync(server, Requests.Get($"/archive/demo?expires={expires + 86400}&signature={signature}"));
        var flipped = await Requests.SendAsync(server, Requests.Get($"/archive/demo?expires={expires}&signature={(signature[0] == '0' ? '1' : '0')}{signature[1..]}"));

        Assert.Equal("HTTP/1.1 403 Forbidden", wrongSecret.StatusLine);
        Assert.Equal("HTTP/1.1 403 Forbidden", otherId.StatusLine);
        Assert.Equal("HTTP/1.1 403 Forbidden", longer.StatusLine);
        Assert.Equal("HTTP/1.1 403 Forbidden", flipped.StatusLine);
    }

    [Fact]
    public async Task AGenuineButExpiredLinkIs410AndAForgedExpiredOneIs403()
    {
        await using var server = await StartWithDemoAsync();
        long expired = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 10;

        var genuine = await Requests.SendAsync(server, Requests.Get($"/archive/demo?expires={expired}&signature={Sign("demo", expired)}"));
        var forged = await Requests.SendAsync(server, Requests.Get($"/archive/demo?expires={expired}&signature={Sign("demo", expired, "x")}"));

        Assert.Equal("HTTP/1.1 410 Gone", genuine.StatusLine);
        Assert.Equal("HTTP/1.1 403 Forbidden", forged.StatusLine);
    }

    [Fact]
    public async Task WithoutASigningSecretNoSignatureIsNeeded()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteManifest("demo", new ArchiveSpec().Synthetic("a.bin", 10, 1));

        var response = await Requests.SendAsync(server, Requests.Get("/archive/demo"));

        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
    }

    [Fact]
    public async Task TheSignCommandOfTheBuiltBinaryPrintsALinkTheServerAccepts()
    {
        await using var server = await StartWithDemoAsync();
        string binary = typeof(ServerHost).Assembly.Location;
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

        var result = await ArchiveReaders.RunAsync(dotnet, [binary, "sign", "demo", "--expires", "600", "--base-url", server.BaseAddress.AbsoluteUri, "--Auth:SigningSecret=" + Secret], TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, result.ToString());
        var link = new Uri(result.StdOut.Trim());
        Assert.Equal("/archive/demo", link.AbsolutePath);
        long expires = long.Parse(System.Web.HttpUtility.ParseQueryString(link.Query)["expires"]!, CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 500, 700);
        var response = await Requests.SendAsync(server, Requests.Get(link.PathAndQuery));
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
        Assert.True(response.Complete);
    }

    [Fact]
    public async Task TheSignCommandWithoutASecretFailsWithExitCode2()
    {
        string binary = typeof(ServerHost).Assembly.Location;
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

        var result = await ArchiveReaders.RunAsync(dotnet, [binary, "sign", "demo", "--expires", "600"], TimeSpan.FromSeconds(60));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Auth:SigningSecret", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>The README's Python recipe (standard library only), run as written, yields links the server accepts.</summary>
    [Fact]
    public async Task TheReadmePythonRecipeMakesLinksTheServerAccepts()
    {
        await using var server = await StartWithDemoAsync();
        const string script = """
            import hashlib, hmac, sys, time

            def signed_archive_url(base_url, archive_id, secret, ttl_seconds=3600):
                expires = int(time.time()) + ttl_seconds
                message = f"{archive_id}\n{expires}".encode()
                signature = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
                return f"{base_url}/archive/{archive_id}?expires={expires}&signature={signature}"

            print(signed_archive_url(sys.argv[1], sys.argv[2], sys.argv[3]))
            """;

        var result = await ArchiveReaders.RunAsync("python3", ["-c", script, server.BaseAddress.AbsoluteUri.TrimEnd('/'), "demo", Secret], TimeSpan.FromSeconds(30));

        Assert.True(result.ExitCode == 0, result.ToString());
        var link = new Uri(result.StdOut.Trim());
        var response = await Requests.SendAsync(server, Requests.Get(link.PathAndQuery));
        Assert.Equal("HTTP/1.1 200 OK", response.StatusLine);
    }
}
