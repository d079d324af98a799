using System.Text;
using RawZipServer.Archive;
using RawZipServer.Manifest;
using RawZipServer.Origin;

namespace RawZipServer.UnitTests.Archive;

public sealed class ArchiveValidatorsTests
{
    private static ArchiveManifest Read(string json) =>
        new ManifestReader(new OriginRegistry(new Dictionary<string, RawZipServer.Origin.Origin> { ["s"] = new SyntheticOrigin("s") }, "s"), 100)
            .Read(Encoding.UTF8.GetBytes(json), "id");

    private const string Base = """
        {"name":"one.zip","files":[
          {"path":"a.bin","source":"/10","size":10,"crc32":"0badf00d","modified":"2026-07-14T09:30:00Z"},
          {"path":"d/","modified":"2026-07-15T09:30:00.9Z"}]}
        """;

    [Fact]
    public void TheETagIsPinnedByTheCanonicalForm()
    {
        // Recomputed independently (Python, from the canonical form in ArchiveValidators and README). Changing it changes every archive's ETag and breaks every resume in flight: only with a changelog entry.
        var v = ArchiveValidators.For(Read(Base), 100, "s")!;
        Assert.Equal("\"rz1-acee8e192d7658ce8c8669c005002248\"", v.ETag);
        Assert.Equal(new DateTimeOffset(2026, 7, 15, 9, 30, 0, TimeSpan.Zero), v.LastModified);
    }

    [Theory]
    [InlineData("\"0badf00d\"", "\"0badf00e\"")]
    [InlineData("\"size\":10,", "\"size\":11,")]
    [InlineData("\"/10\"", "\"/10/1\"")]
    [InlineData("09:30:00Z\"}", "09:30:01Z\"}")]
    [InlineData("\"a.bin\"", "\"b.bin\"")]
    [InlineData("\"source\":\"/10\"", "\"source\":\"/10\",\"etag\":\"x\"")]
    [InlineData("{\"name\"", "{\"format\":\"tar\",\"name\"")]
    public void EveryFieldOfTheCanonicalFormChangesTheETag(string from, string to)
    {
        string changed = Base.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(Base, changed);
        Assert.NotEqual(ArchiveValidators.For(Read(Base), 100, "s")!.ETag, ArchiveValidators.For(Read(changed), 100, "s")!.ETag);
    }

    [Fact]
    public void TheDownloadNameDoesNotChangeTheETag() =>
        Assert.Equal(ArchiveValidators.For(Read(Base), 100, "s")!.ETag,
            ArchiveValidators.For(Read(Base.Replace("one.zip", "two.zip", StringComparison.Ordinal)), 100, "s")!.ETag);

    [Fact]
    public void NoValidatorsWithoutALengthOrWithATimeFromTheRequest()
    {
        Assert.Null(ArchiveValidators.For(Read(Base), -1, "s"));
        Assert.Null(ArchiveValidators.For(Read("""{"files":[{"path":"a","source":"/1","size":1}]}"""), 100, "s"));
    }
}
