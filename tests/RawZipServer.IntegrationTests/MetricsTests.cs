using System.Globalization;
using System.Net;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>SPEC §3 <c>GET /metrics</c>: Prometheus text whose counts and bytes follow real downloads.</summary>
public sealed class MetricsTests(ITestOutputHelper output)
{
    [Fact]
    public async Task MetricsCountACompletedAndAnAbortedDownloadWithTheirBytes()
    {
        await using var server = await TestServer.StartAsync(output);
        using var client = server.CreateClient();

        // Before any archive: every series is there at 0, so rate() works from the first scrape.
        var before = await ScrapeAsync(client);
        Assert.Equal(0, before["rawzip_archives_started_total"]);
        Assert.Equal(0, before["rawzip_archives_aborted_total{reason=\"origin\"}"]);
        Assert.Equal(0, before["rawzip_archives_active"]);

        byte[] small = server.WriteFile("small.bin", RandomBytes(10_000, 1));
        var good = new ArchiveSpec().Synthetic("big.bin", 300_000, 5).File("small.bin", "small.bin", small);
        server.WriteManifest("good", good);
        long goodLength;
        using (var response = await client.GetAsync("/archive/good"))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            byte[] archive = await response.Content.ReadAsByteArrayAsync();
            goodLength = archive.Length;
            Assert.Equal(response.Content.Headers.ContentLength, goodLength);
            await ArchiveReaders.VerifyAsync(archive, good.Expected, output, "archive counted by /metrics");
        }

        // The second entry's size contradicts the manifest: found when it is opened, after the first entry went out.
        var bad = new ArchiveSpec().Synthetic("first.bin", 200_000, 6).File("wrong.bin", "small.bin", small);
        bad.Files[1] = bad.Files[1] with { Size = 10_001 };
        server.WriteManifest("bad", bad);
        using (var abortClient = server.CreateClient())
        {
            var failure = await Record.ExceptionAsync(() => abortClient.GetByteArrayAsync("/archive/bad"));
            Assert.True(failure is HttpRequestException or IOException, "the aborted download must fail on the client: " + failure);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/archive/missing")).StatusCode);

        var after = await Poll.UntilAsync(() => ScrapeAsync(client), m =>
            m["rawzip_archives_aborted_total{reason=\"origin\"}"] == 1 && m["rawzip_archive_duration_seconds_count"] == 2 && m["rawzip_archives_active"] == 0);
        output.WriteLine(string.Join("\n", after.Select(p => $"{p.Key} {p.Value}")));
        Assert.Equal(2, after["rawzip_archives_started_total"]);
        Assert.Equal(1, after["rawzip_archives_completed_total"]);
        Assert.Equal(1, after["rawzip_archives_aborted_total{reason=\"origin\"}"]);
        Assert.Equal(0, after["rawzip_archives_aborted_total{reason=\"client\"}"]);
        Assert.Equal(1, after["rawzip_archives_refused_total{status=\"404\"}"]);
        Assert.Equal(2, after["rawzip_time_to_first_byte_seconds_count"]);
        Assert.Equal(2, after["rawzip_archive_duration_seconds_count"]);
        Assert.Equal(0, after["rawzip_archives_active"]);
        Assert.True(after["rawzip_connections_active"] >= 1, "this scrape's own connection is open");
        Assert.Equal(2, after["rawzip_origin_requests_total{origin=\"synthetic\"}"]);
        Assert.Equal(2, after["rawzip_origin_requests_total{origin=\"files\"}"]);

        // Origin bytes: the good archive's two files, and the aborted one's first entry (its second failed on opening).
        Assert.Equal(300_000 + 10_000 + 200_000, after["rawzip_origin_bytes_total"]);
        // Response bytes: the good archive with its head, and the aborted one up to its first entry's data (pumped
        // with a flush per read), plus its head and local header at most.
        Assert.InRange(after["rawzip_response_bytes_total"], goodLength + 200_000, goodLength + 1024 + 200_000 + 1024);
    }

    [Fact]
    public async Task MetricsAreServedWithThePrometheusContentTypeAndOtherMethodsAre405()
    {
        await using var server = await TestServer.StartAsync(output);
        using var client = server.CreateClient();
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        string text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE rawzip_archives_started_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE rawzip_time_to_first_byte_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("rawzip_time_to_first_byte_seconds_bucket{le=\"+Inf\"} 0\n", text, StringComparison.Ordinal);

        using var post = await client.PostAsync("/metrics", new ByteArrayContent([]));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    /// <summary>Every sample line as "name{labels}" → value; comments must be HELP or TYPE.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient client)
    {
        string text = await client.GetStringAsync("/metrics");
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith('#'))
            {
                Assert.True(line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal), line);
                continue;
            }

            int space = line.LastIndexOf(' ');
            samples.Add(line[..space], double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture));
        }

        return samples;
    }

    private static byte[] RandomBytes(int n, int seed)
    {
        byte[] b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }
}
