using System.Net;
using RawZipServer.IntegrationTests.Infrastructure;
using static RawZipServer.IntegrationTests.Infrastructure.RangeHelpers;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// A CDN edge fills its cache with consecutive ranges over several connections, its very first request
/// already a range (cold store): with an Immutable origin the missing CRCs are computed by reading.
/// </summary>
public sealed class CdnEdgeTests(ITestOutputHelper output)
{
    private const int Chunk = 8 << 20;

    [Fact]
    public async Task ConsecutiveEightMiBRangesOverSeveralConnectionsMakeTheFullArchive()
    {
        await using var server = await TestServer.StartAsync(output, settings: new Dictionary<string, string?> { ["Origins:synthetic:Immutable"] = "true" });
        var expected = new List<ExpectedEntry>();
        var files = new List<(string, string?, string?, long, uint?, string?)>();
        foreach (var (name, size, seed, withCrc) in new[] { ("one.bin", 20_000_000L, 1UL, false), ("two.bin", 7_340_033L, 2UL, true), ("three.bin", 1_000L, 3UL, false) })
        {
            var entry = ExpectedEntry.Synthetic(name, size, seed);
            expected.Add(entry);
            files.Add((name, "synthetic", $"/{size}/{seed}", size, withCrc ? entry.Crc : null, null));
        }

        files.Add(("folder/", null, null, 0, null, null));
        expected.Add(ExpectedEntry.Directory("folder/"));
        server.WriteManifest("cdn", ManifestJson(files));

        HttpClient[] clients = [server.CreateClient(), server.CreateClient(), server.CreateClient()];
        try
        {
            using var head = await clients[0].SendAsync(new HttpRequestMessage(HttpMethod.Head, "/archive/cdn"));
            long length = head.Content.Headers.ContentLength!.Value;
            string etag = head.Headers.ETag!.ToString();
            int count = (int)((length + Chunk - 1) / Chunk);
            var parts = new byte[count][];
            var tasks = new List<Task>();
            for (int c = 0; c < clients.Length; c++)
            {
                int lane = c;
                tasks.Add(Task.Run(async () =>
                {
                    for (int i = lane; i < count; i += clients.Length)
                    {
                        long from = (long)i * Chunk, to = Math.Min(length, from + Chunk) - 1;
                        var (status, response, body) = await GetRangeAsync(clients[lane], "/archive/cdn", from, to, etag);
                        using (response)
                        {
                            Assert.True(status == HttpStatusCode.PartialContent, $"chunk {i}: {status}");
                            Assert.Equal(etag, response.Headers.ETag!.ToString());
                            parts[i] = body;
                        }
                    }
                }));
            }

            await Task.WhenAll(tasks);
            byte[] assembled = [.. parts.SelectMany(p => p)];
            byte[] full = await clients[0].GetByteArrayAsync("/archive/cdn");
            Assert.Equal(full.Length, assembled.Length);
            Assert.True(full.AsSpan().SequenceEqual(assembled), "the assembled ranges differ from the full download");

            string path = Path.Combine(Path.GetTempPath(), "rawzip-cdn-" + Guid.NewGuid().ToString("N") + ".zip");
            try
            {
                await File.WriteAllBytesAsync(path, assembled);
                var limit = TimeSpan.FromMinutes(2);
                await ArchiveReaders.UnzipAsync(path, expected, limit);
                await ArchiveReaders.SevenZipAsync(path, limit);
                await ArchiveReaders.PythonAsync(path, expected, limit);
            }
            finally
            {
                File.Delete(path);
            }
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }
}
