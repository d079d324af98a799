using System.Diagnostics;
using System.Globalization;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// Issue 5, item 2: a client that disconnects mid-stream releases everything at once — the active-archive count goes
/// back to 0 and no origin request stays open (counted by the origin server), whether the server was waiting on the
/// client or on a stalled origin.
/// </summary>
public sealed class ClientFaultTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("generated/200000000/5", "an origin streaming fast (server waiting on the client)")]
    [InlineData("stall/half.bin", "an origin that stalled (server waiting on the origin)")]
    [InlineData("slow-head/half.bin", "an origin that never answers (server opening the second file)")]
    public async Task ClientDisconnectingMidStreamReleasesTheArchiveSlotAndTheOriginRequest(string source, string label)
    {
        await using var origin = await OriginServer.StartAsync();
        origin.AddFile("half.bin", new byte[2_000_000]);
        // Long idle timeouts: only the disconnect can end the origin request within the test's bound.
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl, new Dictionary<string, string?>
        {
            ["Upstream:IdleTimeout"] = "00:01:00",
            ["Limits:ClientIdleTimeout"] = "00:01:00",
        });
        server.WriteManifest("big", $$"""{"files":[{"path":"first.bin","origin":"synthetic","source":"100000/1"},{"path":"big.bin","origin":"web","source":"{{source}}"}]}""");
        using var client = server.CreateClient();

        for (int round = 0; round < 3; round++)
        {
            using (var connection = server.Connect())
            {
                await connection.SendAsync(Requests.Get("/archive/big"));
                // Read well into the origin's entry (past the 100 kB first entry), then go away; for the stalled or silent
                // origin, everything the server sent, so it is left waiting on the origin, not on this client.
                bool stalled = source.StartsWith("stall/", StringComparison.Ordinal);
                bool waitsOnOrigin = !source.StartsWith("generated/", StringComparison.Ordinal);
                var (bytes, end) = await connection.DrainAsync(waitsOnOrigin ? long.MaxValue : 600_000, TimeSpan.FromSeconds(waitsOnOrigin ? 2 : 10));
                if (stalled)
                {
                    Assert.True(bytes > 1_000_000, $"expected the stalled origin's first half, got {bytes}");
                }

                output.WriteLine($"{label}, round {round}: read {bytes} bytes ({end ?? "still open"}), origin in flight {origin.InFlight}");
                Assert.True(bytes > 100_000, $"expected bytes of the origin's entry, got {bytes}");
                Assert.Equal(1, origin.InFlight);
            }

            var stopwatch = Stopwatch.StartNew();
            var metrics = await Poll.UntilAsync(() => MetricsScrape.ScrapeAsync(client), m => m["rawzip_archives_active"] == 0 && origin.InFlight == 0, TimeSpan.FromSeconds(10));
            output.WriteLine($"released after {stopwatch.Elapsed}");
            Assert.Equal(0, metrics["rawzip_archives_active"]);
            Assert.Equal(0, origin.InFlight);
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"released after {stopwatch.Elapsed}: the disconnect must cancel at once, not at a timeout");
            Assert.Equal(round + 1, metrics["rawzip_archives_aborted_total{reason=\"client\"}"]);
        }

        // And the server still serves.
        var good = new ArchiveSpec().Synthetic("ok.bin", 5000, 9);
        server.WriteManifest("good", good);
        await ArchiveReaders.VerifyAsync(await client.GetByteArrayAsync("/archive/good"), good.Expected, output, "archive after client faults");
    }
}
