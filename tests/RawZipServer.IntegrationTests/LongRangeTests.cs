using System.Buffers.Binary;
using System.Net;
using RawZipServer.IntegrationTests.Infrastructure;
using static RawZipServer.IntegrationTests.Infrastructure.RangeHelpers;

namespace RawZipServer.IntegrationTests;

/// <summary>Ranges of an archive over 4 GiB (ZIP64 records, descriptors) from the synthetic origin, against the full download on disk.</summary>
[Collection("Long")]
[Trait("Category", "Long")]
public sealed class LongRangeTests(ITestOutputHelper output)
{
    private const long Big = 4_400_000_000;

    [Fact]
    public async Task RangesAroundEveryPieceOfAZip64ArchiveEqualTheFullDownload()
    {
        var settings = new Dictionary<string, string?> { ["Origins:synthetic:Immutable"] = "true" };
        (string Path, long Size, uint? Crc, string? Source)[] entries =
        [
            ("small-with-crc.bin", 5000, ExpectedEntry.SyntheticCrc(5000, 7), "/5000/7"),
            ("big/4.1GiB.bin", Big, null, $"/{Big}/5"),
            ("folder/", 0, null, null),
            ("tail.bin", 70_000, null, "/70000/6"),
        ];
        string manifest = ManifestJson(entries.Select(e => (e.Path, e.Source is null ? null : "synthetic", e.Source, e.Size, e.Crc, (string?)null)));
        string path = Path.Combine(Path.GetTempPath(), "rawzip-long-range-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            await using (var server = await TestServer.StartAsync(output, settings: settings))
            {
                server.WriteManifest("big", manifest);
                using var client = server.CreateClient();
                string etag;
                using (var response = await client.GetAsync("/archive/big", HttpCompletionOption.ResponseHeadersRead))
                {
                    etag = response.Headers.ETag!.ToString();
                    await using var body = await response.Content.ReadAsStreamAsync();
                    await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
                    await body.CopyToAsync(file, 4 << 20);
                }

                await using var archive = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
                long length = archive.Length;
                var points = Boundaries(archive, entries.Select(e => e.Size).ToArray());
                output.WriteLine($"{length} bytes, {points.Count} boundaries");
                var random = new Random(4);
                var ranges = new List<(long, long)>();
                foreach (long p in points)
                {
                    for (long d = -1; d <= 1; d++)
                    {
                        long start = p + d;
                        if (start >= 0 && start < length)
                        {
                            ranges.Add((start, Math.Min(length - 1, start + random.Next(0, 100_000))));
                            ranges.Add((Math.Max(0, start - random.Next(0, 100_000)), start));
                        }
                    }
                }

                for (int i = 0; i < 30; i++)
                {
                    long a = random.NextInt64(length);
                    ranges.Add((a, Math.Min(length - 1, a + random.Next(0, 1 << 20))));
                }

                foreach (var (from, to) in ranges)
                {
                    var (status, response, body) = await GetRangeAsync(client, "/archive/big", from, to, etag);
                    using (response)
                    {
                        Assert.True(status == HttpStatusCode.PartialContent, $"bytes={from}-{to}: {status}");
                        byte[] want = new byte[to - from + 1];
                        RandomAccess.Read(archive.SafeFileHandle, want, from);
                        Assert.True(want.AsSpan().SequenceEqual(body), $"bytes={from}-{to} differ from the full download");
                    }
                }
            }

            // Cold store: the descriptor of the 4.1 GiB entry would need reading more than Ranges:MaxCrcReadBytes (4 GiB).
            await using (var cold = await TestServer.StartAsync(output, settings: settings))
            {
                cold.WriteManifest("big", manifest);
                using var client = cold.CreateClient();
                long length = new FileInfo(path).Length;
                using var request = new HttpRequestMessage(HttpMethod.Get, "/archive/big");
                request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(length - 1000, null);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Header starts, data starts and ends (descriptors), then every record signature in the last 64 KiB (directory and end records).</summary>
    private static SortedSet<long> Boundaries(FileStream archive, long[] sizes)
    {
        var points = new SortedSet<long>();
        long position = 0;
        byte[] header = new byte[30];
        foreach (long size in sizes)
        {
            RandomAccess.Read(archive.SafeFileHandle, header, position);
            Assert.Equal(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(header));
            bool descriptor = (BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6)) & 8) != 0;
            ushort extra = BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(28));
            long dataStart = position + 30 + BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(26)) + extra;
            points.Add(position);
            points.Add(dataStart);
            points.Add(dataStart + size);
            bool zip64 = size > 0xFFFFFFFFL;
            position = dataStart + size + (descriptor ? zip64 ? 24 : 16 : 0);
        }

        points.Add(position);
        long tailStart = Math.Max(0, archive.Length - 65536);
        byte[] tail = new byte[archive.Length - tailStart];
        RandomAccess.Read(archive.SafeFileHandle, tail, tailStart);
        foreach (long p in PieceBoundaries(tail))
        {
            points.Add(tailStart + p);
        }

        return points;
    }
}
