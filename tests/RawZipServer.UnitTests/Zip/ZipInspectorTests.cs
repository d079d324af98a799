using System.Buffers.Binary;
using RawZipServer.Tests.Shared;
using RawZipServer.Zip;
using static RawZipServer.UnitTests.Zip.ZipTestArchives;

namespace RawZipServer.UnitTests.Zip;

/// <summary>The test reader must fail on archives that break the rules, or its passing means nothing.</summary>
public sealed class ZipInspectorTests
{
    private static readonly TestFile[] s_files =
    [
        TestFile.Text("a.txt", "alpha"),
        TestFile.Text("b.txt", "bravo", crcKnown: false),
        TestFile.Directory("d/"),
    ];

    private static byte[] Valid()
    {
        byte[] archive = Build(s_files);
        ZipInspector.Read(archive).AssertInvariants();
        return archive;
    }

    private static void AssertBroken(byte[] archive, string because)
    {
        var ex = Assert.ThrowsAny<Exception>(() => ZipInspector.Read(archive).AssertInvariants());
        Assert.Contains(because, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void FlippedDataByteFailsTheCrcCheck()
    {
        byte[] archive = Valid();
        archive[30 + 5 + 9] ^= 0xFF; // first data byte of a.txt

        AssertBroken(archive, "data CRC");
    }

    [Fact]
    public void Bit11OnAnAsciiNameFails()
    {
        byte[] archive = Valid();
        var zip = ZipInspector.Read(archive);
        archive[7] |= 0x08; // local flags of a.txt, high byte: bit 11
        archive[zip.Entries[0].Central.RecordOffset + 9] |= 0x08; // and the central copy

        AssertBroken(archive, "bit 11");
    }

    [Fact]
    public void UnsignedDescriptorFails()
    {
        byte[] archive = Valid();
        var zip = ZipInspector.Read(archive);
        long at = zip.Entries[1].Descriptor!.Offset;
        archive[at] = 0; // PK\7\8 -> \0K\7\8

        AssertBroken(archive, "descriptor");
    }

    [Fact]
    public void WrongExternalAttributesFail()
    {
        byte[] archive = Valid();
        var zip = ZipInspector.Read(archive);
        BinaryPrimitives.WriteUInt32LittleEndian(archive.AsSpan((int)zip.Entries[0].Central.RecordOffset + 38), 0);

        AssertBroken(archive, "external attributes");
    }

    [Fact]
    public void UnicodePathExtraFails()
    {
        byte[] archive = Valid();
        var zip = ZipInspector.Read(archive);
        int extra = (int)zip.Entries[0].Central.RecordOffset + 46 + 5;
        BinaryPrimitives.WriteUInt16LittleEndian(archive.AsSpan(extra), 0x7075);

        AssertBroken(archive, "0x7075");
    }

    [Fact]
    public void NeedlessZip64EndRecordFails()
    {
        byte[] archive = Valid();
        var zip = ZipInspector.Read(archive);
        var rewritten = new byte[archive.Length - 22 + 98];
        archive.AsSpan(0, archive.Length - 22).CopyTo(rewritten);
        EndOfCentralDirectory.Write(rewritten.AsSpan(archive.Length - 22), 3, zip.DirectorySize, zip.DirectoryOffset, zip64: true);

        var reread = ZipInspector.Read(rewritten);
        Assert.NotNull(reread.Zip64End);
        AssertBroken(rewritten, "ZIP64 end record present True");
    }

    [Fact]
    public void LocatorWithZeroTotalDisksFails()
    {
        byte[] archive = Build([.. Enumerable.Range(0, 65535).Select(i => new TestFile(FormattableString.Invariant($"{i}"), []))]);
        var zip = ZipInspector.Read(archive);
        zip.AssertInvariants();
        BinaryPrimitives.WriteUInt32LittleEndian(archive.AsSpan((int)zip.Locator!.Offset + 16), 0);

        AssertBroken(archive, "total disks");
    }

    [Fact]
    public void GapBetweenEntriesFails()
    {
        byte[] archive = Valid();
        var zip = ZipInspector.Read(archive);
        // Point the second entry's central record one byte further: a gap the offsets no longer explain.
        int slot = (int)zip.Entries[1].Central.RecordOffset + 42;
        BinaryPrimitives.WriteUInt32LittleEndian(archive.AsSpan(slot), BinaryPrimitives.ReadUInt32LittleEndian(archive.AsSpan(slot)) + 1);

        Assert.ThrowsAny<Exception>(() => ZipInspector.Read(archive).AssertInvariants());
    }
}
