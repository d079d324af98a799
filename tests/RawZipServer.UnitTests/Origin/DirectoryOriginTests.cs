using System.Text;
using RawZipServer.Origin;

namespace RawZipServer.UnitTests.Origin;

/// <summary>
/// Layout under a fresh temp folder:
/// <code>
/// base/root/a.txt, root/sub/b.txt, root/with space.txt          (served)
/// base/outside/secret.txt                                       (must never be served)
/// root/out-file  -> outside/secret.txt     root/out-dir -> outside
/// root/alias.txt -> a.txt (relative)       root/alias-abs.txt -> root/a.txt
/// root/sub-link  -> root/sub
/// </code>
/// </summary>
public sealed class DirectoryOriginTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("rawzip-origin-").FullName;
    private readonly string _root;
    private readonly string _outside;
    private readonly DirectoryOrigin _origin;

    public DirectoryOriginTests()
    {
        _root = Directory.CreateDirectory(Path.Join(_base, "root")).FullName;
        _outside = Directory.CreateDirectory(Path.Join(_base, "outside")).FullName;
        Directory.CreateDirectory(Path.Join(_root, "sub"));
        File.WriteAllText(Path.Join(_root, "a.txt"), "alpha");
        File.WriteAllText(Path.Join(_root, "sub", "b.txt"), "bravo");
        File.WriteAllText(Path.Join(_root, "with space.txt"), "spaced");
        File.WriteAllText(Path.Join(_outside, "secret.txt"), "SECRET");
        File.CreateSymbolicLink(Path.Join(_root, "out-file"), Path.Join(_outside, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Join(_root, "out-dir"), _outside);
        File.CreateSymbolicLink(Path.Join(_root, "alias.txt"), "a.txt");
        File.CreateSymbolicLink(Path.Join(_root, "alias-abs.txt"), Path.Join(_root, "a.txt"));
        Directory.CreateSymbolicLink(Path.Join(_root, "sub-link"), Path.Join(_root, "sub"));
        _origin = new DirectoryOrigin("files", _root);
    }

    public void Dispose() => Directory.Delete(_base, recursive: true);

    private static async Task<string> ReadAllAsync(OriginFile file, int bufferSize = 3)
    {
        var bytes = new List<byte>();
        var buffer = new byte[bufferSize];
        int n;
        while ((n = await file.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            bytes.AddRange(buffer.AsSpan(0, n));
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private async Task<string> ReadAsync(string source, DirectoryOrigin? origin = null)
    {
        await using var file = await (origin ?? _origin).OpenAsync(source, CancellationToken.None);
        return await ReadAllAsync(file);
    }

    private async Task AssertRefusedAsync(string source)
    {
        var ex = await Assert.ThrowsAsync<OriginException>(async () => await ReadAsync(source));
        Assert.DoesNotContain("SECRET", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadsAFileFullyWithItsMetadata()
    {
        await using var file = await _origin.OpenAsync("a.txt", CancellationToken.None);

        Assert.Equal(5, file.Length);
        Assert.Equal(new DateTimeOffset(File.GetLastWriteTimeUtc(Path.Join(_root, "a.txt")), TimeSpan.Zero), file.LastModified);
        Assert.NotNull(file.ETag);
        Assert.StartsWith("\"", file.ETag, StringComparison.Ordinal);
        Assert.EndsWith("\"", file.ETag, StringComparison.Ordinal);
        Assert.Equal("alpha", await ReadAllAsync(file));
        Assert.Equal(0, await file.ReadAsync(new byte[10], CancellationToken.None));
    }

    [Fact]
    public async Task ETagChangesWhenTheFileChanges()
    {
        string path = Path.Join(_root, "a.txt");
        string? before;
        await using (var file = await _origin.OpenAsync("a.txt", CancellationToken.None))
        {
            before = file.ETag;
        }

        File.WriteAllText(path, "alpha, longer");
        File.SetLastWriteTimeUtc(path, new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));

        await using var changed = await _origin.OpenAsync("a.txt", CancellationToken.None);
        Assert.NotEqual(before, changed.ETag);
    }

    [Theory]
    [InlineData("a.txt", "alpha")]
    [InlineData("/a.txt", "alpha")]
    [InlineData("sub/b.txt", "bravo")]
    [InlineData("with%20space.txt", "spaced")]
    [InlineData("with space.txt", "spaced")]
    [InlineData("%61.txt", "alpha")]
    public async Task ReadsFilesUnderTheRoot(string source, string content)
    {
        Assert.Null(_origin.CheckSource(source));
        Assert.Equal(content, await ReadAsync(source));
    }

    [Theory]
    [InlineData("alias.txt")]
    [InlineData("alias-abs.txt")]
    [InlineData("sub-link/b.txt")]
    public async Task FollowsSymlinksThatStayInsideTheRoot(string source)
    {
        Assert.Matches("alpha|bravo", await ReadAsync(source));
    }

    [Fact]
    public async Task RefusesASymlinkToAFileOutsideTheRoot()
    {
        await AssertRefusedAsync("out-file");
    }

    [Fact]
    public async Task RefusesASymlinkedDirectoryPointingOutsideTheRoot()
    {
        await AssertRefusedAsync("out-dir/secret.txt");
    }

    [Fact]
    public async Task RefusesARelativeSymlinkClimbingOutOfTheRoot()
    {
        File.CreateSymbolicLink(Path.Join(_root, "sub", "climb"), "../../outside/secret.txt");

        await AssertRefusedAsync("sub/climb");
    }

    [Fact]
    public async Task RefusesASymlinkWhoseTargetPassesThroughASymlinkedDirectoryOutside()
    {
        File.CreateSymbolicLink(Path.Join(_root, "sneaky"), "out-dir/secret.txt");

        await AssertRefusedAsync("sneaky");
    }

    [Theory]
    [InlineData("missing.txt")]
    [InlineData("sub")]
    [InlineData("sub/missing.txt")]
    [InlineData("a.txt/x")]
    public async Task MissingFilesAndDirectoriesAreOriginErrors(string source)
    {
        await AssertRefusedAsync(source);
    }

    [Fact]
    public async Task DanglingSymlinkIsAnOriginError()
    {
        File.CreateSymbolicLink(Path.Join(_root, "dangling"), Path.Join(_root, "nothing-here"));

        await AssertRefusedAsync("dangling");
    }

    [Fact]
    public async Task SymlinkLoopIsAnOriginError()
    {
        File.CreateSymbolicLink(Path.Join(_root, "loop1"), Path.Join(_root, "loop2"));
        File.CreateSymbolicLink(Path.Join(_root, "loop2"), Path.Join(_root, "loop1"));

        await AssertRefusedAsync("loop1");
    }

    [Fact]
    public async Task DotDotCannotLeaveTheRootEvenWithoutCheckSource()
    {
        await AssertRefusedAsync("../outside/secret.txt");
        await AssertRefusedAsync("%2e%2e/outside/secret.txt");
    }

    [Theory]
    [InlineData("../outside/secret.txt")]
    [InlineData("%2e%2e/outside/secret.txt")]
    [InlineData("sub/../../outside/secret.txt")]
    [InlineData("a.txt?x=1")]
    public void CheckSourceRefusesEscapesBeforeAnythingIsOpened(string source)
    {
        Assert.NotNull(_origin.CheckSource(source));
    }

    [Fact]
    public async Task RootGivenThroughASymlinkWorks()
    {
        string link = Path.Join(_base, "root-link");
        Directory.CreateSymbolicLink(link, _root);
        var origin = new DirectoryOrigin("linked", link);

        Assert.Equal("alpha", await ReadAsync("a.txt", origin));
        Assert.Equal("alpha", await ReadAsync("alias-abs.txt", origin));
        await Assert.ThrowsAsync<OriginException>(async () => await ReadAsync("out-file", origin));
    }

    [Fact]
    public async Task RootWithATrailingSeparatorWorks()
    {
        var origin = new DirectoryOrigin("slash", _root + Path.DirectorySeparatorChar);

        Assert.Equal("bravo", await ReadAsync("sub/b.txt", origin));
    }

    [Fact]
    public async Task SiblingFolderSharingTheRootsPrefixIsOutside()
    {
        // base/root-evil starts with the text of base/root but is not under it.
        string evil = Directory.CreateDirectory(_root + "-evil").FullName;
        File.WriteAllText(Path.Join(evil, "x.txt"), "SECRET");
        File.CreateSymbolicLink(Path.Join(_root, "prefix"), Path.Join(evil, "x.txt"));

        await AssertRefusedAsync("prefix");
    }
}
