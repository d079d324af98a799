using System.Text;
using RawZipServer.Manifest;
using RawZipServer.Origin;

namespace RawZipServer.UnitTests.Manifest;

public sealed class ManifestReaderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawzip-manifest-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ManifestReader Reader(int maxEntries = 1000, string? defaultOrigin = "files") =>
        new(new OriginRegistry(
            new Dictionary<string, RawZipServer.Origin.Origin>
            {
                ["synthetic"] = new SyntheticOrigin("synthetic"),
                ["files"] = new DirectoryOrigin("files", _root),
            },
            defaultOrigin), maxEntries);

    private ArchiveManifest Read(string json, string id = "abc", int maxEntries = 1000) =>
        Reader(maxEntries).Read(Encoding.UTF8.GetBytes(json), id);

    /// <summary>A manifest of files on the default origin, all with the same source.</summary>
    private ArchiveManifest ReadPaths(params string[] paths) =>
        Read("{\"files\":[" + string.Join(",", paths.Select(p => p.EndsWith('/') ? $"{{\"path\":\"{p}\"}}" : $"{{\"path\":\"{p}\",\"source\":\"f.bin\"}}")) + "]}");

    private ManifestException Refuse(string json, int maxEntries = 1000) =>
        Assert.Throws<ManifestException>(() => Read(json, maxEntries: maxEntries));

    /// <summary>Entry <paramref name="index"/> of a manifest whose other entries are fine gets <paramref name="file"/>.</summary>
    private static string WithBadEntry(string file, int index = 1)
    {
        var files = new List<string> { "{\"path\":\"ok0.txt\",\"source\":\"ok.bin\"}", "{\"path\":\"ok1.txt\",\"source\":\"ok.bin\"}" };
        files.Insert(index, file);
        return "{\"files\":[" + string.Join(",", files) + "]}";
    }

    [Fact]
    public void NameDefaultsToTheIdWithZipExtension()
    {
        var manifest = Read("{\"files\":[]}", id: "holiday-2026");

        Assert.Equal("holiday-2026.zip", manifest.FileName);
        Assert.Empty(manifest.Entries);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"files\":[]}")]
    [InlineData("{\"name\":\"empty.zip\",\"format\":\"zip\",\"compression\":\"store\",\"files\":[]}")]
    public void ManifestWithoutFilesYieldsAnEmptyArchive(string json)
    {
        var manifest = Read(json);

        Assert.Empty(manifest.Entries);
        Assert.True(manifest.AllSizesKnown);
    }

    [Fact]
    public void EveryMemberOfAFileEntryIsRead()
    {
        var manifest = Read("""
            {
              "name": "holiday photos.zip",
              "files": [
                { "path": "2026/beach/IMG_0001.jpg", "origin": "synthetic", "source": "/4821337/9",
                  "size": 4821337, "crc32": "8F3C2a1b", "modified": "2026-07-14T09:30:00+02:00", "etag": "v1" },
                { "path": "notes.txt", "source": "sub/notes%20v2.txt", "etag": "\"quoted\"" },
                { "path": "w.txt", "source": "w.txt", "etag": "W/\"weak\"" },
                { "path": "2026/empty-folder/" },
              ],
            }
            """);

        Assert.Equal("holiday photos.zip", manifest.FileName);
        Assert.Equal(4, manifest.Entries.Length);
        var photo = manifest.Entries[0];
        Assert.Equal(0, photo.Index);
        Assert.Equal("2026/beach/IMG_0001.jpg", photo.Path);
        Assert.Equal(Encoding.UTF8.GetBytes(photo.Path), photo.PathUtf8);
        Assert.False(photo.IsDirectory);
        Assert.Equal("synthetic", photo.Origin);
        Assert.Equal("/4821337/9", photo.Source);
        Assert.Equal(4821337, photo.Size);
        Assert.Equal(0x8F3C2A1Bu, photo.Crc32);
        Assert.Equal(new DateTimeOffset(2026, 7, 14, 7, 30, 0, TimeSpan.Zero), photo.Modified);
        Assert.Equal("\"v1\"", photo.ETag); // a bare token is quoted

        var notes = manifest.Entries[1];
        Assert.Equal("files", notes.Origin); // the default origin
        Assert.Equal(-1, notes.Size);
        Assert.Null(notes.Crc32);
        Assert.Null(notes.Modified);
        Assert.Equal("\"quoted\"", notes.ETag);
        Assert.Equal("W/\"weak\"", manifest.Entries[2].ETag);
        Assert.False(manifest.AllSizesKnown);

        var folder = manifest.Entries[3];
        Assert.True(folder.IsDirectory);
        Assert.Equal("2026/empty-folder/", folder.Path);
        Assert.Equal(0, folder.Size);
        Assert.Null(folder.Source);
        Assert.Null(folder.ETag);
    }

    [Fact]
    public void PathEndingInSlashWithASourceIsAFileAndRefused()
    {
        var ex = Refuse(WithBadEntry("{\"path\":\"dir/\",\"source\":\"x.bin\"}"));

        Assert.Equal(400, ex.StatusCode);
        Assert.Contains("manifest entry 1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CaseInsensitiveDuplicatesAreRenamedInOrder()
    {
        var manifest = ReadPaths("a.txt", "A.TXT", "a.txt", "b/c.tar.gz", "B/C.tar.gz");

        Assert.Equal(["a.txt", "A (2).TXT", "a (3).txt", "b/c.tar.gz", "B/C (2).tar.gz"], manifest.Entries.Select(e => e.Path));
        Assert.Equal(Encoding.UTF8.GetBytes("a (3).txt"), manifest.Entries[2].PathUtf8);
        Assert.Equal([0, 1, 2, 3, 4], manifest.Entries.Select(e => e.Index));
        Assert.All(manifest.Entries, e => Assert.Equal("f.bin", e.Source));
    }

    [Fact]
    public void ARenamedPathThatCollidesAgainGetsTheNextNumber()
    {
        var manifest = ReadPaths("a (2).txt", "a.txt", "a.txt", "a.txt");

        Assert.Equal(["a (2).txt", "a.txt", "a (3).txt", "a (4).txt"], manifest.Entries.Select(e => e.Path));
    }

    [Fact]
    public void ALaterFileWithARenamedNameIsRenamedItself()
    {
        var manifest = ReadPaths("a.txt", "a.txt", "A (2).txt");

        Assert.Equal(["a.txt", "a (2).txt", "A (2) (2).txt"], manifest.Entries.Select(e => e.Path));
    }

    [Fact]
    public void RenamingSkipsNamesThatAreFoldersOfOtherEntries()
    {
        var manifest = ReadPaths("x", "x", "x (2)/y");

        Assert.Equal(["x", "x (3)", "x (2)/y"], manifest.Entries.Select(e => e.Path));
    }

    [Theory]
    [InlineData(new[] { "a", "a/b" }, 0, 1)]
    [InlineData(new[] { "a/b", "a" }, 1, 0)]
    [InlineData(new[] { "ok.txt", "x/y/z", "X/Y" }, 2, 1)]
    [InlineData(new[] { "a/", "A" }, 1, 0)]
    [InlineData(new[] { "A", "a/" }, 0, 1)]
    [InlineData(new[] { "d/sub/", "d/SUB" }, 1, 0)]
    public void FileThatIsAlsoAFolderIsRefusedNamingBothEntries(string[] paths, int file, int folder)
    {
        var ex = Assert.Throws<ManifestException>(() => ReadPaths(paths));

        Assert.Equal(400, ex.StatusCode);
        Assert.Contains($"manifest entry {file}", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"entry {folder}", ex.Message.Replace($"manifest entry {file}", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void RepeatedDirectoryEntriesAreKeptOnce()
    {
        var manifest = ReadPaths("d/", "d/f.txt", "D/", "d/", "e/");

        Assert.Equal(["d/", "d/f.txt", "e/"], manifest.Entries.Select(e => e.Path));
        Assert.Equal([0, 1, 4], manifest.Entries.Select(e => e.Index));
    }

    [Fact]
    public void DirectoryEntryMayRepeatAFolderImpliedByAFile()
    {
        var manifest = ReadPaths("a/b/c.txt", "a/", "a/b/");

        Assert.Equal(3, manifest.Entries.Length);
        Assert.Equal([false, true, true], manifest.Entries.Select(e => e.IsDirectory));
    }

    public static TheoryData<string, string> BadEntries => new()
    {
        { "{\"source\":\"x\"}", "path is missing" },
        { "{\"path\":\"a\\\\b\",\"source\":\"x\"}", "backslash" },
        { "{\"path\":\"/abs\",\"source\":\"x\"}", "absolute" },
        { "{\"path\":\"C:x\",\"source\":\"x\"}", "drive letter" },
        { "{\"path\":\"a/../b\",\"source\":\"x\"}", "'..'" },
        { "{\"path\":\"a//b\",\"source\":\"x\"}", "empty segment" },
        { "{\"path\":\"a\\u0007\",\"source\":\"x\"}", "control" },
        { "{\"path\":\"f.txt\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"crc32\":\"1234567\"}", "crc32" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"crc32\":\"123456789\"}", "crc32" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"crc32\":\"1234567g\"}", "crc32" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"crc32\":\"0x123456\"}", "crc32" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"crc32\":\" 1234567\"}", "crc32" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"crc32\":\"-1234567\"}", "crc32" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"size\":-1}", "negative" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"origin\":\"nowhere\"}", "unknown origin 'nowhere'" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"modified\":\"yesterday\"}", "modified" },
        { "{\"path\":\"d/\",\"size\":5}", "directory" },
        { "{\"path\":\"d/\",\"crc32\":\"00000000\"}", "directory" },
        { "{\"path\":\"f.txt\",\"source\":\"..\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"a/../../etc/passwd\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"%2e%2e/secret\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"a/%2E%2E/%2e%2e/secret\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"./x\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"a/%2fb\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"a/%5cb\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"//host/x\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"http://evil/x\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"file:///etc/passwd\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"a\\\\b\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"a#frag\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"a//b\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"/\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"a\\u0000b\"}", "source" },
        { "{\"path\":\"f.txt\",\"source\":\"x.bin?version=2\"}", "query" },
        { "{\"path\":\"f.txt\",\"origin\":\"synthetic\",\"source\":\"/abc\"}", "synthetic" },
        { "{\"path\":\"f.txt\",\"origin\":\"synthetic\",\"source\":\"/-5\"}", "synthetic" },
        { "{\"path\":\"f.txt\",\"source\":\"x\",\"compression\":\"brotli\"}", "compression" },
        { "null", "null" },
    };

    [Theory]
    [MemberData(nameof(BadEntries))]
    public void BadEntryIsRefusedWith400NamingTheEntry(string entry, string problem)
    {
        var ex = Refuse(WithBadEntry(entry));

        Assert.Equal(400, ex.StatusCode);
        Assert.StartsWith("manifest entry 1: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("{\"files\":[],\"unknown\":1}")]
    [InlineData("{\"files\":[{\"path\":\"a\",\"source\":\"b\",\"sha256\":\"00\"}]}")]
    [InlineData("{\"files\":[{\"Path\":\"a\",\"source\":\"b\"}]}")]
    [InlineData("{\"files\":[{\"path\":\"a\",\"source\":\"b\",\"size\":\"12\"}]}")]
    [InlineData("{\"files\":[{\"path\":\"a\",\"source\":\"b\",\"size\":1.5}]}")]
    [InlineData("{\"files\":{}}")]
    [InlineData("[]")]
    [InlineData("{\"files\":[]")]
    [InlineData("")]
    [InlineData("null")]
    [InlineData("{\"name\":\"a/b.zip\",\"files\":[]}")]
    [InlineData("{\"name\":\"\",\"files\":[]}")]
    [InlineData("{\"format\":\"rar\",\"files\":[]}")]
    [InlineData("{\"compression\":\"lzma\",\"files\":[]}")]
    public void MalformedManifestIsRefusedWith400(string json)
    {
        var ex = Refuse(json);

        Assert.Equal(400, ex.StatusCode);
        Assert.StartsWith("manifest", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultOriginIsRequiredWhenAnEntryNamesNone()
    {
        var reader = Reader(defaultOrigin: null);

        var ex = Assert.Throws<ManifestException>(() => reader.Read("{\"files\":[{\"path\":\"a\",\"source\":\"b\"}]}"u8, "id"));

        Assert.Contains("manifest entry 0", ex.Message, StringComparison.Ordinal);
        Assert.Contains("origin", ex.Message, StringComparison.Ordinal);
        Assert.Equal("synthetic", reader.Read("{\"files\":[{\"path\":\"a\",\"origin\":\"synthetic\",\"source\":\"/1\"}]}"u8, "id").Entries[0].Origin);
    }

    [Fact]
    public void MaxEntriesIsALimitOnFilesAndDirectories()
    {
        string three = "{\"files\":[{\"path\":\"a/\"},{\"path\":\"a/b\",\"source\":\"x\"},{\"path\":\"c\",\"source\":\"x\"}]}";

        Assert.Equal(3, Read(three, maxEntries: 3).Entries.Length);
        var ex = Refuse(three, maxEntries: 2);
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains("MaxEntries", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Crc32AcceptsUpperAndLowerCaseHex()
    {
        var manifest = Read("{\"files\":[{\"path\":\"a\",\"source\":\"x\",\"crc32\":\"deadBEEF\"},{\"path\":\"b\",\"source\":\"x\",\"crc32\":\"00000000\"}]}");

        Assert.Equal(0xDEADBEEFu, manifest.Entries[0].Crc32);
        Assert.Equal(0u, manifest.Entries[1].Crc32);
    }
}
