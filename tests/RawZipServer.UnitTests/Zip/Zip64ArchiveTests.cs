using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using RawZipServer.Tests.Shared;
using RawZipServer.UnitTests.Infrastructure;
using RawZipServer.Zip;

namespace RawZipServer.UnitTests.Zip;

/// <summary>Computes the CRC-32 of the zero runs the tests use once, in one pass, in ascending order.</summary>
public sealed class ZeroCrcFixture
{
    public ZeroCrcFixture()
    {
        foreach (long length in new[] { 0xFFFFFFFEL, 0xFFFFFFFFL, 0x100000000L, 0x100000001L })
        {
            ZeroCrc.Of(length);
        }
    }
}

/// <summary>
/// Whole archives past the 4 GiB marks, written through <see cref="ZipWriter"/> into a
/// <see cref="SparseArchive"/>: the entries' data are runs of zeros that take no memory, so only
/// their CRC-32 (computed once) costs time. Read back by <see cref="ZipInspector"/> and System.IO.Compression.
/// </summary>
public sealed class Zip64ArchiveTests(ZeroCrcFixture fixture) : IClassFixture<ZeroCrcFixture>
{
    private readonly ZeroCrcFixture _fixture = fixture;

    private static readonly DateTimeOffset s_time = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>(name, size of zeros or small text content, CRC given up front).</summary>
    private sealed record Member(string Name, long ZeroBytes, bool CrcKnown, string? Text = null)
    {
        public long Size => Text is null ? ZeroBytes : Encoding.UTF8.GetByteCount(Text);
        public uint Crc => Text is null ? ZeroCrc.Of(ZeroBytes) : Crc32.HashToUInt32(Encoding.UTF8.GetBytes(Text));
    }

    private static SparseArchive Write(out long planned, params Member[] members)
    {
        var entries = new ZipEntry[members.Length];
        for (int i = 0; i < members.Length; i++)
        {
            entries[i] = new ZipEntry
            {
                Name = Encoding.UTF8.GetBytes(members[i].Name),
                Size = members[i].Size,
                Crc = members[i].CrcKnown ? members[i].Crc : 0,
                CrcKnown = members[i].CrcKnown,
                DosDateTime = DosDateTime.From(s_time),
                UnixTime = DosDateTime.UnixSeconds(s_time),
            };
            entries[i].Decide();
        }

        planned = ZipLayout.Plan((ZipEntry[])entries.Clone());
        var archive = new SparseArchive();
        var writer = new ZipWriter(entries);
        for (int i = 0; i < members.Length; i++)
        {
            writer.WriteLocalHeader(archive, i);
            if (members[i].Text is { } text)
            {
                int n = Encoding.UTF8.GetBytes(text, archive.GetSpan(Encoding.UTF8.GetByteCount(text)));
                archive.Advance(n);
            }
            else
            {
                archive.AppendZeros(members[i].ZeroBytes);
            }

            writer.CompleteEntry(archive, i, members[i].Crc, members[i].Size);
        }

        writer.WriteCentralDirectory(archive);
        Assert.Equal(archive.Length, writer.Position);
        return archive;
    }

    private static ZipInspector WriteAndInspect(params Member[] members)
    {
        var archive = Write(out long planned, members);
        Assert.Equal(archive.Length, planned);
        var zip = ZipInspector.Read(archive);
        zip.AssertInvariants();
        AssertReadableByDotNet(archive, members);
        return zip;
    }

    private static void AssertReadableByDotNet(SparseArchive archive, Member[] members)
    {
        using var zip = new ZipArchive(new ArchiveStream(archive), ZipArchiveMode.Read);
        Assert.Equal(members.Length, zip.Entries.Count);
        for (int i = 0; i < members.Length; i++)
        {
            var entry = zip.Entries[i];
            Assert.Equal(members[i].Name, entry.FullName);
            Assert.Equal(members[i].Size, entry.Length);
            Assert.Equal(members[i].Size, entry.CompressedLength);
            Assert.Equal(members[i].Crc, entry.Crc32);
            if (members[i].Text is { } text)
            {
                using var reader = new StreamReader(entry.Open());
                Assert.Equal(text, reader.ReadToEnd());
            }
        }
    }

    [Fact]
    public void EntryOverFourGigabytesWithKnownCrcHasRealSizesInTheLocalZip64Extra()
    {
        var zip = WriteAndInspect(new Member("big.bin", 0x100000000L, CrcKnown: true), new Member("after.txt", 0, true, "after the big one"));
        var big = zip.Entries[0];
        var after = zip.Entries[1];

        Assert.NotNull(_fixture);
        Assert.Equal(45, big.Local.VersionNeeded);
        Assert.Null(big.Descriptor);
        Assert.Equal(16, big.Local.Zip64Extra!.Length);
        Assert.Equal(0x100000000UL, BitConverter.ToUInt64(big.Local.Zip64Extra, 0));
        Assert.Equal(16, big.Central.Zip64Extra!.Length);
        // The next entry starts past 4 GiB: its central record carries the offset alone in the extra.
        Assert.Equal(uint.MaxValue, after.Central.Offset32);
        Assert.Equal(8, after.Central.Zip64Extra!.Length);
        Assert.Equal(30 + 7 + 20 + 9 + 0x100000000L, after.Central.LocalHeaderOffset);
        Assert.Null(after.Local.Zip64Extra);
        Assert.Equal(20, after.Local.VersionNeeded);
        Assert.Equal(45, after.Central.VersionNeeded);
        Assert.NotNull(zip.Zip64End);
    }

    [Fact]
    public void EntryOverFourGigabytesWithoutCrcGetsTheTwentyFourByteDescriptor()
    {
        var zip = WriteAndInspect(new Member("big.bin", 0x100000001L, CrcKnown: false), new Member("after.txt", 0, false, "x"));
        var big = zip.Entries[0];

        Assert.Equal(45, big.Local.VersionNeeded);
        Assert.Equal(8, big.Local.Flags & 8);
        Assert.Equal(24, big.Descriptor!.Length);
        Assert.Equal(0x100000001L, big.Descriptor.UncompressedSize);
        Assert.Equal(new byte[16], big.Local.Zip64Extra);
        Assert.Equal(16, zip.Entries[1].Descriptor!.Length);
    }

    [Fact]
    public void EntryOfExactly0xFFFFFFFFBytesWithKnownCrcUsesZip64Locally()
    {
        var zip = WriteAndInspect(new Member("edge.bin", 0xFFFFFFFFL, CrcKnown: true));
        var edge = zip.Entries[0];

        Assert.NotNull(edge.Local.Zip64Extra);
        Assert.Equal(uint.MaxValue, edge.Local.UncompressedSize32);
        Assert.Null(edge.Descriptor);
        Assert.Equal(uint.MaxValue, edge.Central.UncompressedSize32);
        Assert.NotNull(zip.Zip64End);
    }

    [Fact]
    public void EntryJustUnderFourGigabytesWithoutCrcStaysClassicButMovesTheDirectoryPastFourGigabytes()
    {
        var zip = WriteAndInspect(new Member("almost.bin", 0xFFFFFFFEL, CrcKnown: false), new Member("tail.txt", 0, true, "tail"));
        var almost = zip.Entries[0];

        Assert.Null(almost.Local.Zip64Extra);
        Assert.Null(almost.Central.Zip64Extra);
        Assert.Equal(16, almost.Descriptor!.Length);
        Assert.Equal(0xFFFFFFFEu, almost.Central.UncompressedSize32);
        Assert.Equal(20, almost.Central.VersionNeeded);
        Assert.True(zip.DirectoryOffset >= uint.MaxValue);
        Assert.NotNull(zip.Zip64End);
        Assert.Equal(uint.MaxValue, zip.End.DirectoryOffset);
    }

    [Fact]
    public void EntryOfExactly0xFFFFFFFFBytesWithoutCrcHasSixteenByteDescriptorAndCentralZip64Extra()
    {
        var zip = WriteAndInspect(new Member("edge.bin", 0xFFFFFFFFL, CrcKnown: false));
        var edge = zip.Entries[0];

        Assert.Null(edge.Local.Zip64Extra);
        Assert.Equal(20, edge.Local.VersionNeeded);
        Assert.Equal(16, edge.Descriptor!.Length);
        Assert.Equal(0xFFFFFFFFL, edge.Descriptor.UncompressedSize);
        Assert.Equal(16, edge.Central.Zip64Extra!.Length);
        Assert.Equal(45, edge.Central.VersionNeeded);
    }
}
