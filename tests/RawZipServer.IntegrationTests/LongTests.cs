using System.Diagnostics;
using System.Net;
using RawZipServer.IntegrationTests.Infrastructure;
using RawZipServer.Tests.Shared;

namespace RawZipServer.IntegrationTests;

[CollectionDefinition("Long", DisableParallelization = true)]
public sealed class LongCollection;

/// <summary>ZIP64 by size (an entry over 4 GiB) and by count (70,000 entries). Run alone: they use disk and CPU.</summary>
[Collection("Long")]
[Trait("Category", "Long")]
public sealed class LongTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_readerTimeout = TimeSpan.FromMinutes(4);

    /// <summary>
    /// Streams archive <paramref name="id"/> straight to <paramref name="path"/> with a large buffer, logs how long it
    /// took, and checks that the file is exactly as long as the announced Content-Length; returns that length.
    /// </summary>
    private async Task<long> DownloadToFileAsync(TestServer server, string id, string path)
    {
        var clock = Stopwatch.StartNew();
        long? announced = await DownloadAsync(server, id, path);
        long length = new FileInfo(path).Length;
        output.WriteLine($"downloaded {length} bytes in {clock.Elapsed.TotalSeconds:0.0}s ({length / clock.Elapsed.TotalSeconds / 1e6:0} MB/s)");
        Assert.Equal(announced, length);
        return length;
    }

    /// <summary>Streams an archive to disk; returns the announced Content-Length (or null).</summary>
    private static async Task<long?> DownloadAsync(TestServer server, string id, string path)
    {
        using var client = server.CreateClient();
        using var response = await client.GetAsync("/archive/" + id, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        long? length = response.Content.Headers.NonValidated.Contains("Content-Length") ? response.Content.Headers.ContentLength : null;
        await using var body = await response.Content.ReadAsStreamAsync();
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous);
        await body.CopyToAsync(file, 4 << 20);
        return length;
    }

    [Fact]
    public async Task EntryLargerThan4GiBFromTheSyntheticOriginGetsZip64AndPassesEveryReader()
    {
        const long big = 4_831_838_208; // 4.5 GiB
        var total = Stopwatch.StartNew();
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec { Name = "big.zip" }
            .File("before.txt", "before.txt", server.WriteFile("before.txt", "before the big one\n"u8.ToArray()))
            .Synthetic("big/4.5GiB.bin", big, 11)
            .Synthetic("after/64KiB.bin", 65_536, 2, crc: true);
        output.WriteLine($"expected CRCs computed in {total.Elapsed.TotalSeconds:0.0}s");
        server.WriteManifest("big", spec);
        using var zip = TempFile.Create();

        long length = await DownloadToFileAsync(server, "big", zip.Path);

        Assert.True(length > big);
        using (var directory = ZipInspector.ReadFile(zip.Path))
        {
            Assert.True(directory.Zip64End is not null, "an entry over 4 GiB needs the ZIP64 end record");
            Assert.Equal(3, directory.EntryCount);
            var before = directory.Entries[0].Central;
            Assert.Null(before.Zip64Extra);
            Assert.Equal(20, before.VersionNeeded);
            var huge = directory.Entries[1].Central;
            Assert.NotNull(huge.Zip64Extra);
            Assert.Equal(45, huge.VersionNeeded);
            Assert.Equal(big, huge.UncompressedSize);
            Assert.True(huge.HasDataDescriptor, "no CRC in the manifest: descriptor (24-byte ZIP64 form)");
            Assert.Equal(24, directory.Entries[1].Descriptor?.Length);
            Assert.Equal(spec.Expected[1].Crc, huge.Crc);
            var after = directory.Entries[2].Central;
            Assert.True(after.LocalHeaderOffset > uint.MaxValue);
            Assert.True(after.Zip64Extra is not null, "an offset past 4 GiB goes into the central ZIP64 extra");
            Assert.False(after.HasDataDescriptor);
        }

        var clock = Stopwatch.StartNew();
        await ArchiveReaders.VerifyFileAsync(zip.Path, spec.Expected, output, "4.5 GiB entry", s_readerTimeout);
        var sevenZipList = await ArchiveReaders.RunAsync("7z", ["l", "-slt", zip.Path], s_readerTimeout);
        Assert.Contains($"CRC = {spec.Expected[1].Crc:X8}", sevenZipList.StdOut, StringComparison.Ordinal);
        var unzipList = await ArchiveReaders.RunAsync("unzip", ["-v", zip.Path], s_readerTimeout);
        Assert.Contains($"{spec.Expected[1].Crc:x8}  big/4.5GiB.bin", unzipList.StdOut, StringComparison.Ordinal);
        output.WriteLine($"readers took {clock.Elapsed.TotalSeconds:0.0}s; whole test {total.Elapsed.TotalSeconds:0.0}s");
    }

    [Fact]
    public async Task SeventyThousandEntriesGetZip64EndRecordsByCountAndPassEveryReader()
    {
        const int count = 70_000;
        var total = Stopwatch.StartNew();
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec { Name = "many.zip" };
        for (int i = 0; i < count; i++)
        {
            spec.Synthetic($"tiny/{i / 1000:D2}/{i:D5}.bin", 1, (ulong)i, crc: i % 2 == 0);
        }

        server.WriteManifest("many", spec);
        using var zip = TempFile.Create();

        await DownloadToFileAsync(server, "many", zip.Path);

        using (var directory = ZipInspector.ReadFile(zip.Path))
        {
            Assert.True(directory.Zip64End is not null, "65535 entries or more need the ZIP64 end record");
            Assert.Equal(0xFFFF, directory.End.EntriesTotal);
            Assert.Equal(count, directory.EntryCount);
            Assert.All(directory.Entries, e => Assert.Null(e.Central.Zip64Extra));
        }

        var clock = Stopwatch.StartNew();
        await ArchiveReaders.VerifyFileAsync(zip.Path, spec.Expected, output, "70,000 entries", s_readerTimeout);
        output.WriteLine($"readers took {clock.Elapsed.TotalSeconds:0.0}s; whole test {total.Elapsed.TotalSeconds:0.0}s");
    }

    [Fact]
    public async Task AnEntryOfUnknownSizeReaching4GiBAbortsTheArchive()
    {
        // SPEC §5: written without ZIP64, so it must never reach 0xFFFFFFFF bytes.
        var clock = Stopwatch.StartNew();
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        server.WriteManifest("unknown-huge", """
            { "files": [
              { "path": "small.bin", "origin": "synthetic", "source": "/1000/1" },
              { "path": "huge.bin", "origin": "web", "source": "generated/4296015872/2" }
            ] }
            """);
        using var connection = server.Connect();
        await connection.SendAsync(Requests.Get("/archive/unknown-huge"));

        var head = await connection.ReadResponseAsync(headRequest: true);
        var (bytes, end) = await connection.DrainAsync(max: 5L << 30, TimeSpan.FromMinutes(4));

        output.WriteLine($"{head}; drained {bytes} bytes, then {end ?? "no end"}, in {clock.Elapsed.TotalSeconds:0.0}s");
        Assert.Equal(200, head.Status);
        Assert.Equal("chunked", head.Header("Transfer-Encoding"));
        Assert.NotNull(end);
        Assert.False(System.Text.Encoding.ASCII.GetString(connection.LastBytes).EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal), "no terminating chunk");
        Assert.InRange(bytes, 4_000_000_000L, 4_400_000_000L);
    }
}
