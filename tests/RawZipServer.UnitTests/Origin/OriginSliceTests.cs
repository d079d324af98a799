using RawZipServer.Origin;

namespace RawZipServer.UnitTests.Origin;

/// <summary>Slices (offset, length) and pinning of the directory and synthetic origins, as ranges use them.</summary>
public sealed class OriginSliceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("rawzip-slice-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<byte[]> ReadAllAsync(OriginFile file)
    {
        await using (file)
        {
            var result = new MemoryStream();
            byte[] buffer = new byte[7]; // odd size: slices must end exactly at their length whatever the reads
            int n;
            while ((n = await file.ReadAsync(buffer, CancellationToken.None)) > 0)
            {
                result.Write(buffer, 0, n);
            }

            return result.ToArray();
        }
    }

    [Fact]
    public async Task ADirectorySliceIsExactlyThoseBytesAndPinnedToItsVersion()
    {
        byte[] content = new byte[1000];
        new Random(1).NextBytes(content);
        File.WriteAllBytes(Path.Join(_root, "f"), content);
        var origin = new DirectoryOrigin("d", _root);

        var file = await origin.OpenAsync("f", 100, 250, null, CancellationToken.None);
        Assert.Equal(250, file.Length);
        Assert.Equal(1000, file.TotalLength);
        string validator = file.Validator!;
        Assert.Equal(content[100..350], await ReadAllAsync(file));

        Assert.Equal(content[990..], await ReadAllAsync(await origin.OpenAsync("f", 990, 10, validator, CancellationToken.None)));
        await Assert.ThrowsAsync<OriginException>(async () => await origin.OpenAsync("f", 995, 10, null, CancellationToken.None));
        await Assert.ThrowsAsync<OriginException>(async () => await origin.OpenAsync("f", 0, 10, "\"other\"", CancellationToken.None));
    }

    [Fact]
    public async Task ASyntheticSliceEqualsTheSameBytesOfTheWholeFile()
    {
        var origin = new SyntheticOrigin("s");
        byte[] whole = await ReadAllAsync(await origin.OpenAsync("/5000/3", CancellationToken.None));
        var slice = await origin.OpenAsync("/5000/3", 1234, 777, "\"synthetic-5000-3\"", CancellationToken.None);
        Assert.Equal(5000, slice.TotalLength);
        Assert.Equal(whole[1234..2011], await ReadAllAsync(slice));
        await Assert.ThrowsAsync<OriginException>(async () => await origin.OpenAsync("/5000/3", 4999, 2, null, CancellationToken.None));
        await Assert.ThrowsAsync<OriginException>(async () => await origin.OpenAsync("/5000/3", 0, 1, "\"synthetic-5000-4\"", CancellationToken.None));
    }
}
