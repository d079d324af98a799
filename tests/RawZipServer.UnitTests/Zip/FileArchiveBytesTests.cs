using System.IO.Hashing;
using RawZipServer.Tests.Shared;
using static RawZipServer.UnitTests.Zip.ZipTestArchives;

namespace RawZipServer.UnitTests.Zip;

/// <summary>
/// <see cref="ArchiveBytes.OfFile"/> and <see cref="ZipInspector.ReadFile"/>, which the integration tests use on
/// the archives the server writes: they must see exactly the bytes the in-memory source sees.
/// </summary>
public sealed class FileArchiveBytesTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"rawzip-ut-{Guid.NewGuid():N}.zip");

    public void Dispose() => File.Delete(_path);

    private static byte[] Random(int n, int seed)
    {
        byte[] b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0, 22)]
    [InlineData(65_530, 20)]          // across the end of the first cached window
    [InlineData(40_000, 32_769)]      // larger than half a window: read directly
    [InlineData(1, 2_999_999)]        // several CRC chunks
    [InlineData(2_999_990, 10)]       // the last bytes
    [InlineData(100_000, 0)]
    public void ReadsAndCrcsMatchTheInMemorySource(long offset, int count)
    {
        byte[] content = Random(3_000_000, 1);
        File.WriteAllBytes(_path, content);
        var memory = ArchiveBytes.Of(content);
        using var file = ArchiveBytes.OfFile(_path);

        Assert.Equal(content.Length, file.Length);
        Assert.Equal(memory.Read(offset, count), file.Read(offset, count));
        Assert.Equal(memory.Read(0, 10), file.Read(0, 10)); // back before the cached window
        Assert.Equal(Crc32.HashToUInt32(content.AsSpan((int)offset, count)), file.Crc32Of(offset, count));
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(2_999_999, 2)]
    [InlineData(3_000_000, 1)]
    public void ReadsOutsideTheFileThrow(long offset, int count)
    {
        File.WriteAllBytes(_path, new byte[3_000_000]);
        using var file = ArchiveBytes.OfFile(_path);

        Assert.Throws<InvalidDataException>(() => file.Read(offset, count));
    }

    [Fact]
    public void ReadFileSeesTheSameArchiveAsReadAndChecksIt()
    {
        byte[] archive = Build(
            new TestFile("big.bin", Random(2_500_000, 2), CrcKnown: false),
            TestFile.Text("a.txt", "alpha"),
            TestFile.Directory("d/"),
            TestFile.Text("Grüße.txt", "unicode", crcKnown: false));
        File.WriteAllBytes(_path, archive);
        var memory = ZipInspector.Read(archive);

        using (var zip = ZipInspector.ReadFile(_path))
        {
            zip.AssertInvariants();
            Assert.Equal(memory.Entries.Select(e => (e.Central.NameString, e.Central.LocalHeaderOffset, e.Central.Crc, e.DataLength)),
                zip.Entries.Select(e => (e.Central.NameString, e.Central.LocalHeaderOffset, e.Central.Crc, e.DataLength)));
            Assert.Equal(memory.Entries.Select(e => e.ActualCrc), zip.Entries.Select(e => e.ActualCrc));
            Assert.Equal(memory.DataOf(memory.Entries[0]), zip.DataOf(zip.Entries[0]));
        }
    }

    [Fact]
    public void ReadFileNoticesAFlippedDataByte()
    {
        byte[] archive = Build(new TestFile("big.bin", Random(2_500_000, 3), CrcKnown: false), TestFile.Text("a.txt", "alpha"));
        archive[30 + 7 + 9 + 2_000_000] ^= 0x01; // inside big.bin's third CRC chunk
        File.WriteAllBytes(_path, archive);

        using var zip = ZipInspector.ReadFile(_path);
        var ex = Assert.ThrowsAny<Exception>(zip.AssertInvariants);
        Assert.Contains("data CRC", ex.Message, StringComparison.Ordinal);
    }
}
