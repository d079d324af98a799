using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using RawZipServer.Zip;

namespace RawZipServer.UnitTests.Zip;

public sealed class DeflateEntryTests
{
    private static ZipEntry Deflated(long size)
    {
        var e = new ZipEntry { Name = "a.txt"u8.ToArray(), Size = size, WantsDeflate = true };
        e.Decide();
        return e;
    }

    [Theory]
    [InlineData(1_000L, true, false)]
    [InlineData(4_000_000_000L, true, false)]           // 4e9 + 4e6 + 64 KiB < 2^32 - 1
    [InlineData(4_294_000_000L, false, false)]          // inside the slack window: stored, no ZIP64
    [InlineData(0xFFFFFFFFL, false, false)]             // exactly 2^32 - 1: stored with its exact rule
    [InlineData(0x100000000L, true, true)]              // over 4 GiB: deflated with ZIP64
    [InlineData(-1L, true, false)]                      // unknown size: deflated, no ZIP64 (aborts at 4 GiB)
    public void DeflateDecidesZip64WithTheSlackRuleAndStoresEntriesInsideTheWindow(long size, bool deflate, bool zip64)
    {
        var e = Deflated(size);
        Assert.Equal(deflate, e.Deflate);
        Assert.Equal(zip64, e.Zip64);
        if (deflate)
        {
            Assert.True(e.HasDescriptor);
            Assert.Equal(ZipConstants.MethodDeflate, e.Method);
        }
    }

    [Fact]
    public void EmptyFilesAndDirectoriesAreNeverDeflated()
    {
        Assert.False(Deflated(0).Deflate);
        var dir = new ZipEntry { Name = "d/"u8.ToArray(), IsDirectory = true, Size = 0, WantsDeflate = true };
        dir.Decide();
        Assert.False(dir.Deflate);
    }

    [Fact]
    public void AWrittenDeflatedEntryIsReadBackByZipArchiveWithMethodEightAndItsSizes()
    {
        byte[] data = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("compress me please ", 2000)));
        var entries = new[] { Deflated(data.Length) };
        entries[0].CrcKnown = false;
        Assert.Equal(-1, ZipLayout.Plan(entries));
        var output = new ArrayBufferWriter<byte>();
        var writer = new ZipWriter(entries);
        writer.WriteLocalHeader(output, 0);
        long before = output.WrittenCount;
        var deflated = new MemoryStream();
        using (var deflate = new DeflateStream(deflated, CompressionLevel.Fastest, leaveOpen: true))
        {
            deflate.Write(data);
        }

        output.Write(deflated.GetBuffer().AsSpan(0, (int)deflated.Length));

        long compressed = output.WrittenCount - before;
        writer.CompleteEntry(output, 0, Crc32.HashToUInt32(data), data.Length, compressed);
        writer.WriteCentralDirectory(output);
        Assert.True(compressed < data.Length / 10);

        using var zip = new ZipArchive(new MemoryStream(output.WrittenSpan.ToArray()), ZipArchiveMode.Read);
        var entry = Assert.Single(zip.Entries);
        Assert.Equal(data.Length, entry.Length);
        Assert.Equal(compressed, entry.CompressedLength);
        Assert.Equal(Crc32.HashToUInt32(data), entry.Crc32);
        using var read = new MemoryStream();
        entry.Open().CopyTo(read);
        Assert.Equal(data, read.ToArray());
        byte[] archive = output.WrittenSpan.ToArray();
        Assert.Equal(8, BitConverter.ToUInt16(archive, 8));   // local header method
        Assert.Equal(8, BitConverter.ToUInt16(archive, 6) & 8); // bit 3
    }
}
