using System.Text;
using RawZipServer.Manifest;
using RawZipServer.Origin;

namespace RawZipServer.UnitTests.Manifest;

/// <summary>Manifests written the way nginx mod_zip's README shows them.</summary>
public sealed class ModZipManifestTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawzip-modzip-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private ArchiveManifest Read(string text) =>
        new ManifestReader(new OriginRegistry(new Dictionary<string, RawZipServer.Origin.Origin> { ["files"] = new DirectoryOrigin("files", _root) }, "files"), 1000)
            .ReadModZip(Encoding.UTF8.GetBytes(text), "photos");

    [Fact]
    public void ReadmeExampleGivesCrcSizeSourceAndNameWithSpaces()
    {
        var m = Read("1034ab38 428    /foo.txt   My Document1.txt\r\n83e8110b 100339 /bar.txt   My Other Document1.txt\r\n");

        Assert.Equal("photos.zip", m.FileName);
        Assert.Collection(m.Entries,
            e =>
            {
                Assert.Equal("My Document1.txt", e.Path);
                Assert.Equal("/foo.txt", e.Source);
                Assert.Equal(428, e.Size);
                Assert.Equal(0x1034ab38u, e.Crc32);
                Assert.Equal("files", e.Origin);
            },
            e =>
            {
                Assert.Equal("My Other Document1.txt", e.Path);
                Assert.Equal(100339, e.Size);
                Assert.Equal(0x83e8110bu, e.Crc32);
            });
    }

    [Fact]
    public void DashMeansUnknownCrcAndBlankLinesAreSkipped()
    {
        var m = Read("\n- 428 /foo.txt foo.txt\n\n- 0 /dir/my%20file.txt sub/my file.txt\n");

        Assert.Equal(2, m.Entries.Length);
        Assert.Null(m.Entries[0].Crc32);
        Assert.Equal("/dir/my%20file.txt", m.Entries[1].Source);
        Assert.Equal("sub/my file.txt", m.Entries[1].Path);
    }

    [Fact]
    public void DuplicateNamesAreRenamedLikeJsonManifests()
    {
        var m = Read("- 1 /a.txt a.txt\n- 1 /b.txt A.TXT\n");

        Assert.Equal(["a.txt", "A (2).TXT"], m.Entries.Select(e => e.Path));
    }

    [Theory]
    [InlineData("- 12 /foo.txt", "manifest entry 0: line 1 is not 'CRC32 SIZE LOCATION NAME'")]
    [InlineData("- twelve /foo.txt foo.txt", "manifest entry 0: line 1: size 'twelve' is not a number")]
    [InlineData("1234567 12 /foo.txt foo.txt", "manifest entry 0: crc32 '1234567' is not 8 hex digits")]
    [InlineData("- 1 /ok.txt ok.txt\n- 12 /../etc/passwd passwd", "manifest entry 1: source has a '.', '..' or encoded separator segment")]
    [InlineData("- 12 /foo.txt ../foo.txt", "manifest entry 0: path has a '.' or '..' segment")]
    public void BadLinesAre400NamingTheEntry(string text, string message)
    {
        var ex = Assert.Throws<ManifestException>(() => Read(text));

        Assert.Equal(400, ex.StatusCode);
        Assert.Equal(message, ex.Message);
    }

    [Fact]
    public void InvalidUtf8Is400()
    {
        var reader = new ManifestReader(new OriginRegistry(new Dictionary<string, RawZipServer.Origin.Origin>(), null), 10);

        var ex = Assert.Throws<ManifestException>(() => reader.ReadModZip([0x2D, 0x20, 0x31, 0x20, 0x2F, 0x61, 0x20, 0xFF], "x"));

        Assert.Equal(400, ex.StatusCode);
    }
}
