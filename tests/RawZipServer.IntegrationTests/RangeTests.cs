using System.IO.Hashing;
using System.Net;
using RawZipServer.IntegrationTests.Infrastructure;
using static RawZipServer.IntegrationTests.Infrastructure.RangeHelpers;

namespace RawZipServer.IntegrationTests;

/// <summary>Validators and single ranges (SPEC §3 "Ranges and validators"): every range equals the same slice of the full download.</summary>
public sealed class RangeTests(ITestOutputHelper output)
{
    /// <summary>Directory-origin files: tiny, empty, a few hundred KiB; a directory; CRCs for all, none, or every other.</summary>
    private static string MixedManifest(TestServer server, string crcs, bool etags = false)
    {
        var random = new Random(8);
        var files = new List<(string, string?, string?, long, uint?, string?)>();
        int[] sizes = [1, 0, 300_000, 17, 65_536, 150_001];
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] content = new byte[sizes[i]];
            random.NextBytes(content);
            string name = $"f{i}.bin";
            server.WriteFile(name, content);
            bool crc = crcs == "all" || (crcs == "mixed" && i % 2 == 0);
            string? etag = etags ? DirectoryETag(Path.Combine(server.FilesDirectory, name)) : null;
            files.Add(($"dir{i % 2}/{name}", null, name, content.Length, crc ? Crc32.HashToUInt32(content) : null, etag));
            if (i == 2)
            {
                files.Add(("empty folder/", null, null, 0, null, null));
            }
        }

        return ManifestJson(files);
    }

    /// <summary>The directory origin's ETag: last write ticks and length, hex.</summary>
    private static string DirectoryETag(string path)
    {
        var info = new FileInfo(path);
        return $"\"{info.LastWriteTimeUtc.Ticks:x}-{info.Length:x}\"";
    }

    [Theory]
    [InlineData("all", false, true)]
    [InlineData("none", false, true)]
    [InlineData("mixed", false, true)]
    [InlineData("none", true, false)]
    public async Task EveryPieceBoundaryAndRandomRangesEqualTheSliceOfTheFullDownload(string crcs, bool etags, bool warm)
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteManifest("a", MixedManifest(server, crcs, etags));
        using var client = server.CreateClient();
        byte[] full;
        string etag;
        if (warm)
        {
            using var response = await client.GetAsync("/archive/a");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            etag = response.Headers.ETag!.ToString();
            full = await response.Content.ReadAsByteArrayAsync();
        }
        else
        {
            // Cold: the first request is already a range; manifest etags make it servable. The full download comes last.
            var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/archive/a"));
            etag = head.Headers.ETag!.ToString();
            full = [];
        }

        var ranges = new List<(long, long)>();
        var random = new Random(88);
        long length = warm ? full.Length : (await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/archive/a"))).Content.Headers.ContentLength!.Value;
        if (warm)
        {
            foreach (long p in PieceBoundaries(full))
            {
                for (long d = -1; d <= 1; d++)
                {
                    long start = p + d;
                    if (start >= 0 && start < length)
                    {
                        ranges.Add((start, length - 1));
                        ranges.Add((start, Math.Min(length - 1, start + random.Next(0, 40))));
                        ranges.Add((Math.Max(0, start - random.Next(0, 40)), start));
                    }
                }
            }
        }

        for (int i = 0; i < 60; i++)
        {
            long a = random.NextInt64(length), b = random.NextInt64(length);
            ranges.Add((Math.Min(a, b), Math.Max(a, b)));
        }

        var slices = new List<(long, long, byte[])>();
        foreach (var (from, to) in ranges)
        {
            var (status, response, body) = await GetRangeAsync(client, "/archive/a", from, to, etag);
            using (response)
            {
                Assert.True(status == HttpStatusCode.PartialContent, $"bytes={from}-{to}: {status}");
                Assert.Equal($"bytes {from}-{to}/{length}", response.Content.Headers.ContentRange!.ToString());
                Assert.Equal(to - from + 1, body.Length);
                slices.Add((from, to, body));
            }
        }

        if (!warm)
        {
            full = await client.GetByteArrayAsync("/archive/a");
        }

        Assert.Equal(length, full.Length);
        foreach (var (from, to, body) in slices)
        {
            Assert.True(full.AsSpan((int)from, (int)(to - from + 1)).SequenceEqual(body), $"bytes={from}-{to} differ from the full download");
        }
    }

    [Fact]
    public async Task HeadAnswersValidatorsWithoutOriginTrafficAndTheETagSurvivesARestart()
    {
        await using var origin = await OriginServer.StartAsync();
        origin.AddFile("x", new byte[1000]);
        origin.AddFile("y", new byte[10]);
        string manifest = $$"""
            {"files":[
              {"path":"a/x","origin":"web","source":"versioned/x","size":1000,"modified":"{{Modified}}"},
              {"path":"y","origin":"web","source":"versioned/y","size":10,"crc32":"12345678","modified":"2026-08-01T10:00:00.5Z"}]}
            """;
        var settings = new Dictionary<string, string?> { ["Response:CacheControl"] = "public, max-age=86400" };
        string? firstETag = null;
        for (int run = 0; run < 2; run++)
        {
            await using var server = await TestServer.StartAsync(output, origin.BaseUrl, settings);
            server.WriteManifest("v", manifest);
            using var client = server.CreateClient();
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/archive/v"));
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal("bytes", Assert.Single(head.Headers.AcceptRanges));
            string etag = head.Headers.ETag!.ToString();
            Assert.Matches("^\"rz1-[0-9a-f]{32}\"$", etag);
            Assert.False(head.Headers.ETag.IsWeak);
            Assert.Equal(new DateTimeOffset(2026, 8, 1, 10, 0, 0, TimeSpan.Zero), head.Content.Headers.LastModified);
            Assert.Equal("public, max-age=86400", head.Headers.CacheControl!.ToString());
            Assert.Equal(0, origin.RequestCount);
            firstETag ??= etag;
            Assert.Equal(firstETag, etag);
        }
    }

    [Fact]
    public async Task AnArchiveWithATimeFromTheRequestHasNoValidatorsAndIgnoresRange()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteFile("x", new byte[100]);
        server.WriteManifest("t", """{"files":[{"path":"x","source":"x","size":100}]}""");
        using var client = server.CreateClient();
        var (status, response, body) = await GetRangeAsync(client, "/archive/t", 10, 20);
        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.Null(response.Headers.ETag);
            Assert.Empty(response.Headers.AcceptRanges);
            Assert.Equal(response.Content.Headers.ContentLength, body.Length);
        }
    }

    [Fact]
    public async Task TarRangesAroundEveryBlockEqualTheSliceOfTheFullDownload()
    {
        await using var server = await TestServer.StartAsync(output);
        var random = new Random(80);
        var files = new List<(string, string?, string?, long, uint?, string?)>();
        int[] sizes = [0, 1, 511, 512, 513, 20_000];
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] content = new byte[sizes[i]];
            random.NextBytes(content);
            server.WriteFile($"t{i}", content);
            // A path over 100 bytes gets a pax header before its ustar header.
            string path = i == 4 ? new string('p', 120) + "/long.bin" : $"t{i}.bin";
            files.Add((path, null, $"t{i}", content.Length, null, null));
        }

        files.Add(("folder/", null, null, 0, null, null));
        server.WriteManifest("t", ManifestJson(files).Replace("{\"files\"", "{\"format\":\"tar\",\"files\"", StringComparison.Ordinal));
        using var client = server.CreateClient();
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/archive/t"));
        Assert.Equal("bytes", Assert.Single(head.Headers.AcceptRanges));
        string etag = head.Headers.ETag!.ToString();
        byte[] full = await client.GetByteArrayAsync("/archive/t");
        for (long block = 0; block <= full.Length; block += 512)
        {
            for (long start = block - 1; start <= block + 1; start++)
            {
                if (start < 0 || start >= full.Length)
                {
                    continue;
                }

                foreach (long end in new[] { full.Length - 1, Math.Min(full.Length - 1, start + random.Next(0, 1500)) })
                {
                    var (status, response, body) = await GetRangeAsync(client, "/archive/t", start, end, etag);
                    using (response)
                    {
                        Assert.True(status == HttpStatusCode.PartialContent, $"bytes={start}-{end}: {status}");
                        Assert.True(full.AsSpan((int)start, (int)(end - start + 1)).SequenceEqual(body), $"tar bytes={start}-{end} differ from the full download");
                    }
                }
            }
        }
    }

    [Fact]
    public async Task UnsatisfiableIfRangeMismatchMultiRangeAndMalformedRange()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteManifest("m", MixedManifest(server, "all"));
        using var client = server.CreateClient();
        byte[] full = await client.GetByteArrayAsync("/archive/m");
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/archive/m"));
        string etag = head.Headers.ETag!.ToString();
        string lastModified = head.Content.Headers.LastModified!.Value.ToString("R");

        async Task<(HttpStatusCode, HttpResponseMessage, byte[])> Raw(string range, string? ifRange = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/archive/m");
            request.Headers.TryAddWithoutValidation("Range", range);
            if (ifRange is not null)
            {
                request.Headers.TryAddWithoutValidation("If-Range", ifRange);
            }

            var response = await client.SendAsync(request);
            return (response.StatusCode, response, await response.Content.ReadAsByteArrayAsync());
        }

        var (status, response, body) = await Raw($"bytes={full.Length}-");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, status);
        Assert.Equal($"bytes */{full.Length}", response.Content.Headers.ContentRange!.ToString());

        (status, _, body) = await Raw("bytes=-0");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, status);

        foreach (string whole in new[] { "bytes=0-9,20-29", "bytes=9-3", "bytes=x-", "lines=0-9", "bytes=" })
        {
            (status, _, body) = await Raw(whole);
            Assert.True(status == HttpStatusCode.OK, $"{whole}: {status}");
            Assert.Equal(full, body);
        }

        foreach (string stale in new[] { "\"rz1-00000000000000000000000000000000\"", "W/" + etag, "Tue, 14 Jul 2020 09:30:00 GMT" })
        {
            (status, _, body) = await Raw("bytes=100-", stale);
            Assert.True(status == HttpStatusCode.OK, $"If-Range {stale}: {status}");
            Assert.Equal(full, body);
        }

        // Matching validators, and the suffix form.
        (status, _, body) = await Raw("bytes=100-", lastModified);
        Assert.Equal(HttpStatusCode.PartialContent, status);
        Assert.Equal(full[100..], body);
        (status, response, body) = await Raw("bytes=-50", etag);
        Assert.Equal(HttpStatusCode.PartialContent, status);
        Assert.Equal(full[^50..], body);
        Assert.Equal($"bytes {full.Length - 50}-{full.Length - 1}/{full.Length}", response.Content.Headers.ContentRange!.ToString());
    }
}
