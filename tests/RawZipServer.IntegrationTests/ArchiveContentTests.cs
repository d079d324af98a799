using System.Net;
using RawZipServer.IntegrationTests.Infrastructure;
using RawZipServer.Tests.Shared;

namespace RawZipServer.IntegrationTests;

/// <summary>Whole archives from each kind of origin, checked by every reader and byte for byte.</summary>
public sealed class ArchiveContentTests(ITestOutputHelper output)
{
    private const string UnicodePath = "Grüße/Zürich 日本.txt";

    /// <summary>
    /// 200 directory-origin files in nested folders, a unicode name, empty files and a directory entry.
    /// CRCs are given for every third file; with <paramref name="allSizes"/> false every fourth size is left out.
    /// </summary>
    private static ArchiveSpec ManyFiles(TestServer server, bool allSizes)
    {
        var random = new Random(20260714);
        var spec = new ArchiveSpec { Name = "many.zip" };
        for (int i = 0; i < 200; i++)
        {
            string path = i switch
            {
                7 => UnicodePath,
                _ => $"level{i % 5}/sub{i % 3}/deeper{i % 2}/file{i:D3}.bin",
            };
            int size = i % 25 == 0 ? 0 : random.Next(1, 20_000);
            byte[] content = new byte[size];
            random.NextBytes(content);
            server.WriteFile(path, content);
            spec.File(path, path, content, size: allSizes || i % 4 != 1, crc: i % 3 == 0);
            if (i == 100)
            {
                spec.Directory("an empty folder/");
            }
        }

        return spec;
    }

    [Fact]
    public async Task StoredArchiveOfManyDirectoryFilesWithAllSizesKnownHasContentLengthAndPassesEveryReader()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = ManyFiles(server, allSizes: true);
        server.WriteManifest("many", spec);
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/archive/many", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Content.Headers.NonValidated.Contains("Content-Length"), "all sizes known: Content-Length");
        long? announced = response.Content.Headers.ContentLength;
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(body.Length, announced);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal("many.zip", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        await VerifyManyFilesAsync(body, spec, "201 directory-origin entries, Content-Length");
    }

    [Fact]
    public async Task StoredArchiveOfManyDirectoryFilesWithSomeSizesMissingIsChunkedAndPassesEveryReader()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = ManyFiles(server, allSizes: false);
        server.WriteManifest("many", spec);
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/archive/many", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked, "an archive with unknown sizes must be chunked");
        Assert.False(response.Content.Headers.NonValidated.Contains("Content-Length"), "chunked: no Content-Length");
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        await VerifyManyFilesAsync(body, spec, "201 directory-origin entries, chunked");
    }

    [Fact]
    public async Task FilesFromTheHttpOriginIncludingOneWithoutContentLengthStreamChunkedWithDataDescriptors()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var server = await TestServer.StartAsync(output, origin.BaseUrl);
        var random = new Random(7);
        byte[] Bytes(int n)
        {
            byte[] b = new byte[n];
            random.NextBytes(b);
            return b;
        }

        var spec = new ArchiveSpec()
            .File("known/a.bin", "files/a.bin", origin.AddFile("a.bin", Bytes(150_000)), origin: "web")
            .File("unannounced/b.bin", "chunked/b.bin", origin.AddFile("b.bin", Bytes(300_001)), size: false, crc: false, origin: "web")
            .File("size-from-origin/c.bin", "files/c.bin", origin.AddFile("c.bin", Bytes(70_000)), size: false, crc: true, origin: "web")
            .File("unannounced-with-crc/d.bin", "chunked/d.bin", origin.AddFile("d.bin", Bytes(12_345)), size: false, crc: true, origin: "web")
            .File("empty.bin", "files/empty.bin", origin.AddFile("empty.bin", []), origin: "web")
            .File(UnicodePath, "files/u.txt", origin.AddFile("u.txt", "Grüße aus Zürich 日本\n"u8.ToArray()), size: true, crc: false, origin: "web");
        server.WriteManifest("web", spec);
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/archive/web", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked, "sizes missing from the manifest: chunked");
        Assert.False(response.Content.Headers.NonValidated.Contains("Content-Length"), "chunked: no Content-Length");
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(6, origin.RequestCount);
        using var zip = TempFile.Write(body);
        using (var directory = ZipInspector.ReadFile(zip.Path))
        {
            var central = directory.Entries.Select(e => e.Central).ToList();
            Assert.False(central[0].HasDataDescriptor, "size and CRC in the manifest: no descriptor");
            Assert.True(central[1].HasDataDescriptor, "no Content-Length, no CRC: descriptor");
            Assert.False(central[2].HasDataDescriptor, "CRC in the manifest and size from Content-Length: no descriptor");
            Assert.True(central[3].HasDataDescriptor, "no Content-Length: descriptor even with a CRC");
            Assert.True(central[5].HasDataDescriptor, "no CRC: descriptor");
            Assert.True(central[5].IsUtf8, "non-ASCII name: bit 11");
            Assert.False(central[0].IsUtf8, "ASCII name: no bit 11");
        }

        await ArchiveReaders.VerifyFileAsync(zip.Path, spec.Expected, output, "HTTP-origin entries (one without Content-Length), chunked");
    }

    [Fact]
    public async Task EmptyManifestGivesTheValid22ByteEmptyArchive()
    {
        await using var server = await TestServer.StartAsync(output);
        server.WriteManifest("empty", """{ "files": [] }""");
        using var client = server.CreateClient();

        using var response = await client.GetAsync("/archive/empty");
        byte[] body = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(22, response.Content.Headers.ContentLength);
        Assert.Equal(22, body.Length);
        Assert.Equal([0x50, 0x4b, 0x05, 0x06], body[..4]);
        Assert.All(body[4..], b => Assert.Equal(0, b));
        Assert.Equal("empty.zip", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        using var zip = TempFile.Write(body);
        await ArchiveReaders.VerifyFileAsync(zip.Path, [], output, "empty archive");
    }

    /// <summary>Saves a <see cref="ManyFiles"/> archive, checks its descriptors against the manifest, and runs every reader.</summary>
    private async Task VerifyManyFilesAsync(byte[] body, ArchiveSpec spec, string label)
    {
        using var zip = TempFile.Write(body);
        AssertDescriptorsMatchManifest(zip.Path, spec);
        await ArchiveReaders.VerifyFileAsync(zip.Path, spec.Expected, output, label);
    }

    /// <summary>SPEC §5: a data descriptor exactly when the manifest lacks the CRC or the size is unknown before the header.</summary>
    private static void AssertDescriptorsMatchManifest(string path, ArchiveSpec spec)
    {
        using var directory = ZipInspector.ReadFile(path);
        Assert.Equal(spec.Files.Count, directory.Entries.Count);
        for (int i = 0; i < spec.Files.Count; i++)
        {
            var file = spec.Files[i];
            var entry = directory.Entries[i].Central;
            bool isDirectory = file.Source is null;
            // Directory-origin files always announce their size, so only the CRC decides; a known-empty file needs none.
            bool empty = spec.Expected[i].Size == 0;
            bool expectDescriptor = !isDirectory && !empty && file.Crc32 is null;
            Assert.True(expectDescriptor == entry.HasDataDescriptor, $"entry {i} '{file.Path}': descriptor {entry.HasDataDescriptor}, expected {expectDescriptor}");
            Assert.Equal(entry.Flags, directory.Entries[i].Local.Flags);
            Assert.Null(entry.Zip64Extra);
        }

        Assert.Null(directory.Zip64End);
    }
}
