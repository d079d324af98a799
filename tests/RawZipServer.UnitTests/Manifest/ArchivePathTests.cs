using RawZipServer.Manifest;

namespace RawZipServer.UnitTests.Manifest;

public sealed class ArchivePathTests
{
    [Theory]
    [InlineData("a.txt", false)]
    [InlineData("dir/sub/file.bin", false)]
    [InlineData("a/b/", true)]
    [InlineData("a/", true)]
    [InlineData("with space/and (parens) & more.txt", false)]
    [InlineData("Grüße/日本語/😀.txt", false)]
    [InlineData(".hidden", false)]
    [InlineData("...", false)]
    [InlineData("a..b/c.", false)]
    [InlineData("ab:c", false)]
    [InlineData("a/C:x", false)]
    [InlineData("trailing space ", false)]
    public void CheckAcceptsOrdinaryPaths(string path, bool isDirectory)
    {
        Assert.Null(ArchivePath.Check(path, isDirectory));
    }

    [Theory]
    [InlineData("", false, "empty")]
    [InlineData("a\\b", false, "backslash")]
    [InlineData("dir\\", true, "backslash")]
    [InlineData("/etc/passwd", false, "absolute")]
    [InlineData("/", true, "absolute")]
    [InlineData("C:x", false, "drive letter")]
    [InlineData("c:/windows/x", false, "drive letter")]
    [InlineData("z:", false, "drive letter")]
    [InlineData("a\u0000b", false, "control")]
    [InlineData("a\u0001b", false, "control")]
    [InlineData("tab\there", false, "control")]
    [InlineData("new\nline", false, "control")]
    [InlineData("del\u007f", false, "control")]
    [InlineData("c1\u0085", false, "control")]
    [InlineData(".", false, "'.'")]
    [InlineData("..", false, "'.'")]
    [InlineData("./a", false, "'.'")]
    [InlineData("a/./b", false, "'.'")]
    [InlineData("a/../b", false, "'.'")]
    [InlineData("a/..", false, "'.'")]
    [InlineData("../", true, "'.'")]
    [InlineData("a//b", false, "empty segment")]
    [InlineData("a//", true, "empty segment")]
    [InlineData("a/", false, "empty segment")]
    public void CheckRefusesUnsafePaths(string path, bool isDirectory, string problem)
    {
        string? result = ArchivePath.Check(path, isDirectory);

        Assert.NotNull(result);
        Assert.Contains(problem, result, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void CheckRefusesLoneSurrogates()
    {
        // Not in [InlineData]: attribute strings are stored as UTF-8, which cannot hold a lone surrogate.
        foreach (string path in new[] { "a\ud800b", "a\udc00", "\ude00\ud83d", "dir/\ud83d/x" })
        {
            Assert.Contains("Unicode", ArchivePath.Check(path, false), StringComparison.Ordinal);
        }

        Assert.Null(ArchivePath.Check("\ud83d\ude00", false)); // a proper pair is fine
    }

    [Fact]
    public void CheckCountsUtf8BytesAgainstTheSixtyFiveThousandByteLimit()
    {
        Assert.Null(ArchivePath.Check(new string('a', 65535), false));
        Assert.NotNull(ArchivePath.Check(new string('a', 65536), false));
        Assert.Null(ArchivePath.Check(new string('€', 21845), false));      // 3 bytes each: 65535
        Assert.NotNull(ArchivePath.Check(new string('€', 21846), false));   // 65538 bytes, only 21846 chars
        Assert.NotNull(ArchivePath.Check(string.Concat(Enumerable.Repeat("😀", 16384)), false)); // 65536 bytes
    }

    [Theory]
    [InlineData("dir/name.ext", 2, "dir/name (2).ext")]
    [InlineData("name.ext", 3, "name (3).ext")]
    [InlineData("x.tar.gz", 2, "x (2).tar.gz")]
    [InlineData("backup.TAR.BZ2", 2, "backup (2).TAR.BZ2")]
    [InlineData("a.b.c", 2, "a.b (2).c")]
    [InlineData(".bashrc", 2, ".bashrc (2)")]
    [InlineData("dir/.bashrc", 2, "dir/.bashrc (2)")]
    [InlineData("noext", 2, "noext (2)")]
    [InlineData("dir.v2/noext", 2, "dir.v2/noext (2)")]
    [InlineData("dir.tar/x.gz", 2, "dir.tar/x (2).gz")]
    [InlineData("Grüße.txt", 10, "Grüße (10).txt")]
    public void WithNumberInsertsTheNumberBeforeTheExtension(string path, int n, string expected)
    {
        Assert.Equal(expected, ArchivePath.WithNumber(path, n));
    }
}
