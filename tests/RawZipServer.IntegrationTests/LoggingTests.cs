using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using RawZipServer.Hosting;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>One access-log line per request with its fields, and startup configuration lines without secrets.</summary>
public sealed class LoggingTests(ITestOutputHelper output)
{
    private const string Access = "RawZipServer.Access";

    [Fact]
    public async Task AccessLineOfASignedDownloadHasItsFieldsTheSignatureRedactedAndTheForwardedClient()
    {
        var logs = new CapturingLoggerFactory(output);
        await using var server = await TestServer.StartAsync(output, settings: new Dictionary<string, string?>
        {
            ["Auth:SigningSecret"] = "s3cret",
            ["Logging:TrustedProxies"] = "127.0.0.1",
        }, loggerFactory: logs);
        var spec = new ArchiveSpec().Synthetic("a.bin", 50_000, 1).Synthetic("b.bin", 7, 2).Directory("dir/");
        server.WriteManifest("signed", spec);
        long expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        string signature = Convert.ToHexStringLower(HMACSHA256.HashData("s3cret"u8, Encoding.UTF8.GetBytes($"signed\n{expires}")));

        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/archive/signed?expires={expires}&signature={signature}");
        // From a trusted proxy (127.0.0.1): the nearest untrusted address of the chain is the client.
        request.Headers.Add("X-Forwarded-For", "198.51.100.7, 203.0.113.9");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        byte[] archive = await response.Content.ReadAsByteArrayAsync();
        await ArchiveReaders.VerifyAsync(archive, spec.Expected, output, "signed archive");

        var line = await Poll.UntilAsync(() => Task.FromResult(logs.InCategory(Access).FirstOrDefault()), l => l is not null);
        Assert.NotNull(line);
        Assert.Equal("GET", line["Method"]);
        Assert.Equal($"/archive/signed?expires={expires}&signature=REDACTED", line["Path"]);
        Assert.DoesNotContain(signature, line.Message, StringComparison.Ordinal);
        Assert.Equal(200, line["Status"]);
        Assert.InRange((long)line["Bytes"]!, archive.Length + 100, archive.Length + 1024);
        Assert.Equal(3, line["Entries"]);
        Assert.Equal("ok", line["Result"]);
        Assert.InRange((double)line["DurationMs"]!, 0, 60_000);
        Assert.Equal("203.0.113.9", line["Client"]);

        // A wrong signature: refused, logged with the reason, the signature still redacted.
        using var forged = new HttpRequestMessage(HttpMethod.Get, $"/archive/signed?expires={expires}&signature={new string('0', 64)}");
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(forged)).StatusCode);
        var refused = await Poll.UntilAsync(() => Task.FromResult(logs.InCategory(Access).Skip(1).FirstOrDefault()), l => l is not null);
        Assert.NotNull(refused);
        Assert.Equal(403, refused["Status"]);
        Assert.Equal("refused", refused["Result"]);
        Assert.Contains("signature=REDACTED", (string)refused["Path"]!, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)refused["Reason"]));
        Assert.Equal(-1, refused["Entries"]);
    }

    [Fact]
    public async Task AccessLineOfAnAbortedDownloadSaysAbortedAndWhyAndIgnoresForwardedForFromUntrustedPeers()
    {
        var logs = new CapturingLoggerFactory(output);
        await using var server = await TestServer.StartAsync(output, loggerFactory: logs);
        byte[] small = server.WriteFile("small.bin", new byte[1000]);
        var bad = new ArchiveSpec().Synthetic("first.bin", 100_000, 6).File("wrong.bin", "small.bin", small);
        bad.Files[1] = bad.Files[1] with { Size = 999 };
        server.WriteManifest("bad", bad);

        using var client = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/archive/bad");
        request.Headers.Add("X-Forwarded-For", "198.51.100.7");
        var failure = await Record.ExceptionAsync(async () => await (await client.SendAsync(request)).Content.ReadAsByteArrayAsync());
        Assert.NotNull(failure);

        var line = await Poll.UntilAsync(() => Task.FromResult(logs.InCategory(Access).FirstOrDefault()), l => l is not null);
        Assert.NotNull(line);
        Assert.Equal(200, line["Status"]);
        Assert.Equal("aborted", line["Result"]);
        Assert.Contains("999", (string)line["Reason"]!, StringComparison.Ordinal);
        Assert.Equal(2, line["Entries"]);
        Assert.True((long)line["Bytes"]! >= 100_000, "the first entry went out before the abort");
        // No Logging:TrustedProxies: anyone could have written that header.
        Assert.Equal("127.0.0.1", line["Client"]);
    }

    [Theory]
    [InlineData("manifest")]
    [InlineData("first origin file")]
    public async Task AClientLeavingBeforeTheResponseHeadGetsAnAccessLineWith499ClientGone(string waitingOn)
    {
        var logs = new CapturingLoggerFactory(output);
        await using var backend = await BackendServer.StartAsync();
        await using var origin = await OriginServer.StartAsync();
        var backendCalled = new TaskCompletionSource();
        backend.Handler = async (_, context) =>
        {
            // Never answers: the server is left waiting on the manifest until its client goes.
            backendCalled.TrySetResult();
            await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        };
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl, new Dictionary<string, string?>
        {
            ["Manifests:BackendUrl"] = backend.ManifestsUrl.AbsoluteUri,
            ["Upstream:IdleTimeout"] = "00:01:00",
        }, loggerFactory: logs);
        // The directory wins over the backend: only "stored" is found there, and its first file never arrives.
        server.WriteManifest("stored", """{"files":[{"path":"slow.bin","origin":"web","source":"slow-head/a.bin","size":10}]}""");
        string id = waitingOn == "manifest" ? "from-backend" : "stored";

        using (var connection = server.Connect())
        {
            await connection.SendAsync(Requests.Get("/archive/" + id));
            if (waitingOn == "manifest")
            {
                await backendCalled.Task.WaitAsync(TimeSpan.FromSeconds(10));
            }
            else
            {
                Assert.Equal(1, await Poll.UntilAsync(() => Task.FromResult(origin.InFlight), n => n == 1, TimeSpan.FromSeconds(10)));
            }
        }

        var line = await Poll.UntilAsync(() => Task.FromResult(logs.InCategory(Access).FirstOrDefault()), l => l is not null, TimeSpan.FromSeconds(10));
        Assert.NotNull(line);
        Assert.Equal("/archive/" + id, line["Path"]);
        Assert.Equal(499, line["Status"]);
        Assert.Equal("client-gone", line["Result"]);
        Assert.Equal(0L, line["Bytes"]);
        Assert.Contains("client left while the " + waitingOn, (string)line["Reason"]!, StringComparison.Ordinal);
        Assert.Equal(0, await Poll.UntilAsync(() => Task.FromResult(origin.InFlight), n => n == 0, TimeSpan.FromSeconds(10)));
        Assert.Single(logs.InCategory(Access));
    }

    [Fact]
    public void StartupLinesShowTheEffectiveConfigurationWithSecretsRedacted()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Listen"] = "http://127.0.0.1:0",
            ["Auth:SigningSecret"] = "top-secret-1",
            ["Auth:ApiKeys:0"] = "top-secret-2",
            ["Auth:ApiKeys:1"] = "top-secret-3",
            ["Origins:s3:BaseUrl"] = "https://bucket.example/",
            ["Origins:s3:Headers:Authorization"] = "top-secret-4",
            ["Tls:CertificatePassword"] = "top-secret-5",
            ["Tls:CertificatePath"] = "/etc/rawzip/cert.pfx",
        }).Build();
        var logs = new CapturingLoggerFactory(output);
        StartupLog.Write(logs.CreateLogger("RawZipServer.Startup"), config);
        var lines = logs.Events.Select(e => e.Message).ToList();
        Assert.All(lines, l => Assert.DoesNotContain("top-secret", l, StringComparison.Ordinal));
        Assert.Contains("config Listen = http://127.0.0.1:0", lines);
        Assert.Contains("config Origins:s3:BaseUrl = https://bucket.example/", lines);
        Assert.Contains("config Tls:CertificatePath = /etc/rawzip/cert.pfx", lines);
        Assert.Contains("config Auth:SigningSecret = ***", lines);
        Assert.Contains("config Auth:ApiKeys:1 = ***", lines);
        Assert.Contains("config Origins:s3:Headers:Authorization = ***", lines);
        Assert.Equal(8, lines.Count);
    }
}
