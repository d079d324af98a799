using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using RawZipServer.Tests.Shared;
using RawZipServer.Zip;
using static RawZipServer.UnitTests.Zip.ZipTestArchives;

namespace RawZipServer.UnitTests.Zip;

public sealed class ZipWriterTests
{
    private static readonly Dictionary<string, TestFile[]> s_scenarios = new()
    {
        ["known-crc"] =
        [
            TestFile.Text("a.txt", "hello"),
            TestFile.Text("docs/readme.md", "# readme\n" + new string('x', 3000)),
            new TestFile("bin/blob", [.. Enumerable.Range(0, 70000).Select(i => (byte)(i * 31))]),
        ],
        ["unknown-crc"] =
        [
            TestFile.Text("a.txt", "hello", crcKnown: false),
            TestFile.Text("b.txt", "world!", crcKnown: false),
            new TestFile("c.bin", new byte[5000], CrcKnown: false),
        ],
        ["mixed"] =
        [
            TestFile.Directory("photos/"),
            TestFile.Text("photos/1.jpg", "jpeg bytes"),
            TestFile.Text("photos/2.jpg", "more jpeg bytes", crcKnown: false),
            TestFile.Text("photos/empty.txt", "", crcKnown: false),
            TestFile.Directory("photos/empty-folder/"),
            TestFile.Text("Grüße/naïve café.txt", "unicode", crcKnown: false),
            TestFile.Text("日本語/ファイル.txt", "unicode 2"),
            TestFile.Text("z.txt", "last"),
        ],
        ["directories-only"] = [TestFile.Directory("a/"), TestFile.Directory("a/b/"), TestFile.Directory("ä/")],
        ["empty-files"] = [TestFile.Text("e1", ""), TestFile.Text("e2", "", crcKnown: false)],
        ["unicode"] = [TestFile.Text("😀.txt", "emoji"), TestFile.Text("Ωmega/ß", "greek", crcKnown: false)],
        ["empty-archive"] = [],
    };

    public static TheoryData<string> Scenarios => new(s_scenarios.Keys);

    private static readonly TestFile[] s_unknownSizes =
    [
        TestFile.Text("streamed.txt", "no content length", sizeKnown: false, crcKnown: false),
        TestFile.Text("streamed-with-crc.txt", "crc but no size", sizeKnown: false, crcKnown: true),
        TestFile.Text("known.txt", "known"),
        TestFile.Directory("dir/"),
        TestFile.Text("empty-unknown.txt", "", sizeKnown: false, crcKnown: false),
    ];

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void WrittenArchiveHasExactlyThePlannedLengthAndOffsets(string scenario)
    {
        var files = s_scenarios[scenario];
        var entries = Entries(files);
        var planned = (ZipEntry[])entries.Clone();

        long length = ZipLayout.Plan(planned);
        byte[] archive = Write(entries, files);

        Assert.Equal(archive.Length, length);
        var zip = ZipInspector.Read(archive);
        for (int i = 0; i < files.Length; i++)
        {
            Assert.Equal(planned[i].Offset, entries[i].Offset);
            Assert.Equal(planned[i].Offset, zip.Entries[i].Central.LocalHeaderOffset);
        }
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void WrittenArchiveKeepsEveryByteLevelInvariant(string scenario)
    {
        var zip = ZipInspector.Read(Build(s_scenarios[scenario]));

        zip.AssertInvariants();
        Assert.Equal(s_scenarios[scenario].Select(f => f.Name), zip.Entries.Select(e => e.Central.NameString));
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public void WrittenArchiveReadsBackWithSystemIoCompression(string scenario)
    {
        var files = s_scenarios[scenario];

        AssertReadableByDotNet(Build(files), files);
    }

    [Fact]
    public void ArchiveWithUnknownSizesKeepsTheInvariantsAndCannotBePlanned()
    {
        var entries = Entries(s_unknownSizes);

        Assert.Equal(-1, ZipLayout.Plan((ZipEntry[])entries.Clone()));
        byte[] archive = Write(entries, s_unknownSizes);

        var zip = ZipInspector.Read(archive);
        zip.AssertInvariants();
        AssertReadableByDotNet(archive, s_unknownSizes);
        Assert.Equal(16, zip["streamed.txt"].Descriptor!.Length);
        Assert.Equal(16, zip["streamed-with-crc.txt"].Descriptor!.Length);
        Assert.Null(zip["known.txt"].Descriptor);
        Assert.Equal(16, zip["empty-unknown.txt"].Descriptor!.Length); // size unknown until the end: bit 3 stays
    }

    [Fact]
    public void KnownCrcAndSizeGoInTheLocalHeaderWithoutDescriptor()
    {
        var file = TestFile.Text("a.txt", "hello world");
        var zip = ZipInspector.Read(Build(file));
        var entry = zip.Entries[0];

        Assert.Equal(0, entry.Local.Flags & 8);
        Assert.Equal(Crc32.HashToUInt32(file.Data), entry.Local.Crc);
        Assert.Equal((uint)file.Data.Length, entry.Local.CompressedSize32);
        Assert.Equal((uint)file.Data.Length, entry.Local.UncompressedSize32);
        Assert.Null(entry.Descriptor);
        Assert.Equal(entry.DataOffset + file.Data.Length, zip.DirectoryOffset);
        Assert.Equal("hello world", Encoding.UTF8.GetString(zip.DataOf(entry)));
    }

    [Fact]
    public void UnknownCrcGetsBit3ZerosInTheLocalHeaderAndASignedSixteenByteDescriptor()
    {
        var file = TestFile.Text("a.txt", "hello world", crcKnown: false);
        byte[] archive = Build(file);
        var entry = ZipInspector.Read(archive).Entries[0];

        Assert.Equal(8, entry.Local.Flags & 8);
        Assert.Equal(0u, entry.Local.Crc);
        Assert.Equal(0u, entry.Local.CompressedSize32);
        Assert.Equal(0u, entry.Local.UncompressedSize32);
        long at = entry.DataOffset + file.Data.Length;
        Assert.Equal(
            [0x50, 0x4B, 0x07, 0x08, .. BitConverter.GetBytes(Crc32.HashToUInt32(file.Data)), 11, 0, 0, 0, 11, 0, 0, 0],
            archive[(int)at..(int)(at + 16)]);
    }

    [Fact]
    public void DirectoryEntryHasNoDataNoDescriptorAndDirectoryAttributes()
    {
        var zip = ZipInspector.Read(Build(TestFile.Directory("folder/"), TestFile.Text("folder/x", "x")));
        var dir = zip.Entries[0];

        Assert.Equal(0, dir.Local.Flags & 8);
        Assert.Equal(0u, dir.Central.Crc);
        Assert.Equal(0, dir.Central.UncompressedSize);
        Assert.Equal(20, dir.Local.VersionNeeded);
        Assert.Equal(ZipInspector.DirectoryAttributes, dir.Central.ExternalAttributes);
        Assert.Equal(0x41ED0010u, dir.Central.ExternalAttributes);
        Assert.Equal(0x81A40000u, zip.Entries[1].Central.ExternalAttributes);
        Assert.Equal(dir.DataOffset, zip.Entries[1].Central.LocalHeaderOffset);
    }

    [Fact]
    public void EmptyFileWithUnknownCrcNeedsNoDescriptor()
    {
        var zip = ZipInspector.Read(Build(TestFile.Text("empty", "", crcKnown: false)));

        Assert.Null(zip.Entries[0].Descriptor);
        Assert.Equal(0, zip.Entries[0].Local.Flags & 8);
        Assert.Equal(0u, zip.Entries[0].Central.Crc);
    }

    [Theory]
    [InlineData("plain.txt", false)]
    [InlineData("with space/and-symbols_~!.txt", false)]
    [InlineData("Grüße.txt", true)]
    [InlineData("日本語.txt", true)]
    [InlineData("😀/", true)]
    public void Bit11IsSetExactlyForNonAsciiNames(string name, bool utf8)
    {
        var file = name.EndsWith('/') ? TestFile.Directory(name) : TestFile.Text(name, "x");
        byte[] archive = Build(file);
        var entry = ZipInspector.Read(archive).Entries[0];

        Assert.Equal(utf8, (entry.Local.Flags & 0x800) != 0);
        Assert.Equal(utf8, (entry.Central.Flags & 0x800) != 0);
        Assert.Equal(Encoding.UTF8.GetBytes(name), entry.Central.Name);
        Assert.DoesNotContain(entry.Central.Extras, x => x.Id == 0x7075);
        using var zip = new ZipArchive(new MemoryStream(archive));
        Assert.Equal(name, zip.Entries[0].FullName);
    }

    [Fact]
    public void EmptyArchiveIsExactlyTheTwentyTwoByteEndRecord()
    {
        byte[] archive = Build();

        Assert.Equal([0x50, 0x4B, 0x05, 0x06, .. new byte[18]], archive);
        Assert.Equal(22, ZipLayout.Plan(Array.Empty<ZipEntry>()));
        using var zip = new ZipArchive(new MemoryStream(archive));
        Assert.Empty(zip.Entries);
    }

    [Fact]
    public void SameEntriesAlwaysYieldTheSameBytes()
    {
        var files = s_scenarios["mixed"];

        Assert.Equal(Build(files), Build(files));
    }

    [Fact]
    public void TimesGoInTheDosFieldsAndTheExtendedTimestamp()
    {
        var time = new DateTimeOffset(2024, 2, 29, 13, 45, 31, TimeSpan.FromHours(2));
        var zip = ZipInspector.Read(Build(new TestFile("t.txt", [1, 2, 3], Modified: time)));
        var entry = zip.Entries[0];

        Assert.Equal((int)time.ToUnixTimeSeconds(), entry.Local.ModifiedUnixTime);
        Assert.Equal((int)time.ToUnixTimeSeconds(), entry.Central.ModifiedUnixTime);
        // 11:45:30 UTC: date (44 << 9 | 2 << 5 | 29), time (11 << 11 | 45 << 5 | 15)
        uint dos = entry.Central.DosTime;
        Assert.Equal((44 << 9) | (2 << 5) | 29, (int)(dos >> 16));
        Assert.Equal((11 << 11) | (45 << 5) | 15, (int)(dos & 0xFFFF));
    }

    [Fact]
    public void ManyEntriesBelowTheLimitNeedNoZip64EndRecord()
    {
        var zip = ManyEmptyFiles(65534, out byte[] archive);

        Assert.Null(zip.Zip64End);
        Assert.Equal(65534, zip.End.EntriesTotal);
        zip.AssertInvariants();
        using var reader = new ZipArchive(new MemoryStream(archive));
        Assert.Equal(65534, reader.Entries.Count);
    }

    [Fact]
    public void SixtyFiveThousandFiveHundredThirtyFiveEntriesUseTheZip64EndRecord()
    {
        var zip = ManyEmptyFiles(65535, out byte[] archive);

        Assert.NotNull(zip.Zip64End);
        Assert.Equal(65535, zip.Zip64End!.EntriesTotal);
        Assert.Equal(0xFFFF, zip.End.EntriesTotal);
        Assert.Equal(1u, zip.Locator!.TotalDisks);
        zip.AssertInvariants();
        using var reader = new ZipArchive(new MemoryStream(archive));
        Assert.Equal(65535, reader.Entries.Count);
        Assert.Equal("f65534", reader.Entries[^1].FullName);
    }

    private static ZipInspector ManyEmptyFiles(int count, out byte[] archive)
    {
        var files = new TestFile[count];
        for (int i = 0; i < count; i++)
        {
            files[i] = new TestFile(FormattableString.Invariant($"f{i}"), []);
        }

        var entries = Entries(files);
        long planned = ZipLayout.Plan((ZipEntry[])entries.Clone());
        archive = Write(entries, files);
        Assert.Equal(archive.Length, planned);
        return ZipInspector.Read(archive);
    }

    /// <summary>A writer over <paramref name="entries"/> that has written the first local header to <paramref name="output"/>.</summary>
    private static ZipWriter AfterFirstLocalHeader(ZipEntry[] entries, out ArrayBufferWriter<byte> output)
    {
        var writer = new ZipWriter(entries);
        output = new ArrayBufferWriter<byte>();
        writer.WriteLocalHeader(output, 0);
        return writer;
    }

    [Fact]
    public void CompleteEntryRefusesFewerOrMoreBytesThanTheKnownSize()
    {
        var writer = AfterFirstLocalHeader(Entries(TestFile.Text("a", "12345")), out var output);
        uint crc = Crc32.HashToUInt32("12345"u8);

        Assert.Throws<ZipEntryMismatchException>(() => writer.CompleteEntry(output, 0, crc, 4));
        Assert.Throws<ZipEntryMismatchException>(() => writer.CompleteEntry(output, 0, crc, 6));
    }

    [Fact]
    public void CompleteEntryRefusesACrcThatDisagreesWithTheManifest()
    {
        var writer = AfterFirstLocalHeader(Entries(TestFile.Text("a", "12345")), out var output);

        var ex = Assert.Throws<ZipEntryMismatchException>(() => writer.CompleteEntry(output, 0, 0xDEADBEEF, 5));
        Assert.Contains("deadbeef", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CompleteEntryRefusesAnUnknownSizeEntryReachingFourGigabytes()
    {
        var writer = AfterFirstLocalHeader(Entries(new TestFile("big", [], SizeKnown: false, CrcKnown: false)), out var output);
        int written = output.WrittenCount;

        // The data bytes themselves are not needed: CompleteEntry only accounts for them.
        Assert.Throws<ZipEntryMismatchException>(() => writer.CompleteEntry(output, 0, 0, 0xFFFFFFFFL));
        Assert.Throws<ZipEntryMismatchException>(() => writer.CompleteEntry(output, 0, 0, 0x100000000L));
        Assert.Equal(written, output.WrittenCount); // no descriptor was written
    }

    [Fact]
    public void CompleteEntryAcceptsAnUnknownSizeEntryJustBelowFourGigabytes()
    {
        var writer = AfterFirstLocalHeader(Entries(new TestFile("big", [], SizeKnown: false, CrcKnown: false)), out var output);
        int header = output.WrittenCount;

        writer.CompleteEntry(output, 0, 0x12345678, 0xFFFFFFFEL);

        Assert.Equal(
            [0x50, 0x4B, 0x07, 0x08, 0x78, 0x56, 0x34, 0x12, 0xFE, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF],
            output.WrittenSpan[header..].ToArray());
        Assert.Equal(header + 0xFFFFFFFEL + 16, writer.Position);
    }

    [Fact]
    public void CompleteEntryAcceptsAKnownSizeEntryOfExactly0xFFFFFFFFBytesWithoutCrc()
    {
        var entries = new[] { new ZipEntry { Name = "x"u8.ToArray(), Size = 0xFFFFFFFFL, CrcKnown = false } };
        entries[0].Decide();
        Assert.False(entries[0].Zip64);
        Assert.True(entries[0].HasDescriptor);
        var writer = AfterFirstLocalHeader(entries, out var output);
        int header = output.WrittenCount;

        writer.CompleteEntry(output, 0, 0x01020304, 0xFFFFFFFFL);

        Assert.Equal(
            [0x50, 0x4B, 0x07, 0x08, 0x04, 0x03, 0x02, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            output.WrittenSpan[header..].ToArray());
    }

    [Fact]
    public void DecideTreatsDirectoriesAndKnownEmptyFilesAsKnownCrc()
    {
        var entries = new ZipEntry[]
        {
            new() { Name = "d/"u8.ToArray(), IsDirectory = true, Size = -1, CrcKnown = false },
            new() { Name = "e"u8.ToArray(), Size = 0, CrcKnown = false, Crc = 0x1234 },
            new() { Name = "f"u8.ToArray(), Size = -1, CrcKnown = true, Crc = 0x1234 },
        };
        for (int i = 0; i < entries.Length; i++)
        {
            entries[i].Decide();
        }

        Assert.False(entries[0].HasDescriptor);
        Assert.Equal(0, entries[0].Size);
        Assert.False(entries[1].HasDescriptor);
        Assert.Equal(0u, entries[1].Crc);
        Assert.True(entries[2].HasDescriptor); // the size is not known before the header
        Assert.All(entries, e => Assert.False(e.Zip64));
    }

    [Fact]
    public void DecideCanBeRepeatedOnceTheSizeBecomesKnown()
    {
        var entry = new ZipEntry { Name = "late"u8.ToArray(), Size = -1, Crc = 7, CrcKnown = true };
        entry.Decide();
        Assert.True(entry.HasDescriptor);

        entry.Size = 10;
        entry.Decide();

        Assert.False(entry.HasDescriptor);
        Assert.Equal(0, entry.DescriptorLength);
        Assert.Equal(30 + 4 + 9, entry.LocalHeaderLength);
    }

    [Fact]
    public void ContentLengthAndLocalHeaderPositionsAreExactForAMillionByteFile()
    {
        var data = new byte[1_000_000];
        new Random(42).NextBytes(data);
        var files = new[] { new TestFile("r.bin", data, CrcKnown: false), TestFile.Text("after.txt", "after") };

        byte[] archive = Build(files);

        var zip = ZipInspector.Read(archive);
        zip.AssertInvariants();
        Assert.Equal(30 + 5 + 9 + 1_000_000 + 16, zip.Entries[1].Central.LocalHeaderOffset);
        Assert.Equal(data, zip.DataOf(zip.Entries[0]));
        Assert.Equal(BinaryPrimitives.ReadUInt32LittleEndian(archive.AsSpan((int)zip.Entries[0].Descriptor!.Offset + 4)), Crc32.HashToUInt32(data));
    }
}
