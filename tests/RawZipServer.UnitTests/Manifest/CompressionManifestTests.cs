using System.Text;
using RawZipServer.Manifest;
using RawZipServer.Origin;

namespace RawZipServer.UnitTests.Manifest;

public sealed class CompressionManifestTests
{
    private static ArchiveManifest Read(string json, string id = "abc") =>
        new ManifestReader(new OriginRegistry(new Dictionary<string, RawZipServer.Origin.Origin> { ["s"] = new SyntheticOrigin("s") }, "s"), 100)
            .Read(Encoding.UTF8.GetBytes(json), id);

    [Fact]
    public void TarManifestsGetTheTarFormatAndATarDefaultName()
    {
        var manifest = Read("""{"format":"tar","files":[{"path":"a","source":"/1"}]}""");
        Assert.Equal(ArchiveFormat.Tar, manifest.Format);
        Assert.Equal("abc.tar", manifest.FileName);
        Assert.False(manifest.Entries[0].Deflate);
    }

    [Theory]
    [InlineData("""{"format":"tar","compression":"deflate","files":[]}""")]
    [InlineData("""{"format":"tar","compression":"auto","files":[]}""")]
    [InlineData("""{"format":"tar","files":[{"path":"a","source":"/1","compression":"deflate"}]}""")]
    public void CompressionInATarManifestIsRefused(string json)
    {
        var ex = Assert.Throws<ManifestException>(() => Read(json));
        Assert.Equal(400, ex.StatusCode);
        Assert.Contains("zip archives only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEntrysCompressionOverridesTheArchivesAndAutoStoresCompressedTypes()
    {
        var manifest = Read("""
            {"compression":"auto","files":[
              {"path":"a.txt","source":"/1"},
              {"path":"b.JPG","source":"/1"},
              {"path":"c.tar.gz","source":"/1"},
              {"path":"d.txt","source":"/1","compression":"store"},
              {"path":"e.png","source":"/1","compression":"deflate"},
              {"path":"jpg","source":"/1"},
              {"path":"dir.zip/"}
            ]}
            """);
        Assert.Equal([true, false, false, false, true, true, false], manifest.Entries.Select(e => e.Deflate && !e.IsDirectory));
        Assert.Equal(ArchiveFormat.Zip, manifest.Format);
    }

    [Fact]
    public void AnUnknownCompressionIsRefused()
    {
        var ex = Assert.Throws<ManifestException>(() => Read("""{"compression":"brotli","files":[]}"""));
        Assert.Contains("store, deflate or auto", ex.Message, StringComparison.Ordinal);
    }
}
