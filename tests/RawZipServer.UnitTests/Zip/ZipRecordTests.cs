using System.Text;
using RawZipServer.UnitTests.Infrastructure;
using RawZipServer.Zip;

namespace RawZipServer.UnitTests.Zip;

/// <summary>
/// The record encoders, byte by byte against APPNOTE 6.3.10 offsets, including the ZIP64 cases that
/// would take gigabytes to produce through a whole archive.
/// </summary>
public sealed class ZipRecordTests
{
    private const uint Dos = 0x5C2E4A06;      // date 0x5C2E, time 0x4A06
    private const int Unix = 0x66554433;
    private const uint Crc = 0xCAFEBABE;
    private const long FiveGiB = 5L << 30;

    private static ZipEntry Entry(string name, long size, bool crcKnown, long offset = 0, bool directory = false)
    {
        var e = new ZipEntry
        {
            Name = Encoding.UTF8.GetBytes(name),
            IsDirectory = directory,
            Size = size,
            Crc = Crc,
            CrcKnown = crcKnown,
            DosDateTime = Dos,
            UnixTime = Unix,
        };
        e.Decide();
        e.Offset = offset;
        return e;
    }

    private static LittleEndianBuilder Timestamp(LittleEndianBuilder b) => b.U16(0x5455).U16(5).U8(1).I32(Unix);

    [Fact]
    public void LocalHeaderOfASmallKnownFileMatchesAppnoteFieldByField()
    {
        var e = Entry("a.txt", 5, crcKnown: true);
        var buffer = new byte[e.LocalHeaderLength + 3];

        int n = LocalFileHeader.Write(buffer, e);

        byte[] expected = Timestamp(new LittleEndianBuilder()
            .U32(0x04034B50)   // 0  signature PK\3\4
            .U16(20)           // 4  version needed 2.0
            .U16(0)            // 6  flags
            .U16(0)            // 8  method stored
            .U16(0x4A06)       // 10 time
            .U16(0x5C2E)       // 12 date
            .U32(Crc)          // 14 crc-32
            .U32(5)            // 18 compressed size
            .U32(5)            // 22 uncompressed size
            .U16(5)            // 26 name length
            .U16(9)            // 28 extra length
            .Raw("a.txt"u8))   // 30 name
            .ToArray();
        Assert.Equal(expected.Length, n);
        Assert.Equal(expected, buffer[..n]);
        Assert.Equal([0, 0, 0], buffer[n..]);
    }

    [Fact]
    public void CentralHeaderOfASmallKnownFileMatchesAppnoteFieldByField()
    {
        var e = Entry("dir/ä.txt", 5, crcKnown: true, offset: 0x1234);
        byte[] name = Encoding.UTF8.GetBytes("dir/ä.txt");
        var buffer = new byte[CentralDirectoryHeader.Length(e)];

        int n = CentralDirectoryHeader.Write(buffer, e);

        byte[] expected = Timestamp(new LittleEndianBuilder()
            .U32(0x02014B50)   // 0  signature PK\1\2
            .U16(0x033F)       // 4  made by: UNIX, 6.3
            .U16(20)           // 6  version needed
            .U16(0x0800)       // 8  flags: UTF-8 name
            .U16(0)            // 10 method
            .U32(Dos)          // 12 time, 14 date
            .U32(Crc)          // 16 crc-32
            .U32(5)            // 20 compressed size
            .U32(5)            // 24 uncompressed size
            .U16(name.Length)  // 28 name length
            .U16(9)            // 30 extra length
            .U16(0)            // 32 comment length
            .U16(0)            // 34 disk number start
            .U16(0)            // 36 internal attributes
            .U32(0x81A40000)   // 38 external attributes: 0100644 << 16
            .U32(0x1234)       // 42 local header offset
            .Raw(name))        // 46 name
            .ToArray();
        Assert.Equal(expected, buffer);
        Assert.Equal(expected.Length, n);
        Assert.Equal(46 + name.Length + 9, CentralDirectoryHeader.Length(e));
        Assert.False(CentralDirectoryHeader.UsesZip64(e));
    }

    [Fact]
    public void CentralHeaderOfADirectoryCarriesDirectoryMode()
    {
        var e = Entry("d/", -1, crcKnown: false, directory: true);
        var buffer = new byte[CentralDirectoryHeader.Length(e)];

        CentralDirectoryHeader.Write(buffer, e);

        Assert.Equal(0x41ED0010u, BitConverter.ToUInt32(buffer, 38));
        Assert.Equal(0, BitConverter.ToUInt16(buffer, 8)); // no bit 3
        Assert.Equal(0u, BitConverter.ToUInt32(buffer, 16));
        Assert.Equal(0u, BitConverter.ToUInt32(buffer, 24));
    }

    /// <summary>
    /// ZIP-FORMAT.md §4 item 4: with a descriptor the local ZIP64 extra is used iff size &gt; 0xFFFFFFFF,
    /// without one iff size &gt;= 0xFFFFFFFF; the central extra holds both sizes iff size &gt;= 0xFFFFFFFF.
    /// </summary>
    [Theory]
    [InlineData(0L, false, false, 0, 0)]
    [InlineData(1L, false, false, 16, 0)]
    [InlineData(1L, true, false, 0, 0)]
    [InlineData(0xFFFFFFFEL, true, false, 0, 0)]
    [InlineData(0xFFFFFFFEL, false, false, 16, 0)]
    [InlineData(0xFFFFFFFFL, true, true, 0, 16)]
    [InlineData(0xFFFFFFFFL, false, false, 16, 16)]
    [InlineData(0x100000000L, true, true, 0, 16)]
    [InlineData(0x100000000L, false, true, 24, 16)]
    [InlineData(FiveGiB, true, true, 0, 16)]
    [InlineData(FiveGiB, false, true, 24, 16)]
    public void SizeDecidesTheZip64FormOfEveryRecord(long size, bool crcKnown, bool localZip64, int descriptorLength, int centralZip64Data)
    {
        var e = Entry("big.bin", size, crcKnown);
        bool descriptor = descriptorLength != 0;
        uint crc = size == 0 ? 0 : Crc;

        Assert.Equal(localZip64, e.Zip64);
        Assert.Equal(descriptor, e.HasDescriptor);
        Assert.Equal(descriptorLength, e.DescriptorLength);

        // Local header (APPNOTE 4.3.7, 4.5.3).
        var local = new byte[e.LocalHeaderLength];
        Assert.Equal(local.Length, LocalFileHeader.Write(local, e));
        uint localSize = localZip64 ? uint.MaxValue : descriptor ? 0 : (uint)size;
        ulong extraSize = descriptor ? 0 : (ulong)size;
        byte[] expectedLocal = Timestamp(new LittleEndianBuilder()
            .U32(0x04034B50).U16(localZip64 ? 45 : 20).U16(descriptor ? 8 : 0).U16(0).U32(Dos)
            .U32(descriptor ? 0 : crc).U32(localSize).U32(localSize)
            .U16(7).U16(localZip64 ? 29 : 9).Raw("big.bin"u8)
            .If(localZip64, b => b.U16(1).U16(16).U64(extraSize).U64(extraSize)))
            .ToArray();
        Assert.Equal(expectedLocal, local);

        // Data descriptor (APPNOTE 4.3.9), always signed.
        if (descriptor)
        {
            var dd = new byte[24];
            Assert.Equal(descriptorLength, DataDescriptor.Write(dd, e, 0x01020304, size));
            byte[] expectedDescriptor = new LittleEndianBuilder().U32(0x08074B50).U32(0x01020304)
                .If(descriptorLength == 24, b => b.U64((ulong)size).U64((ulong)size))
                .If(descriptorLength == 16, b => b.U32((uint)size).U32((uint)size))
                .ToArray();
            Assert.Equal(expectedDescriptor, dd[..descriptorLength]);
        }

        // Central header (APPNOTE 4.3.12, 4.5.3): exactly the sentinel fields in the extra.
        var central = new byte[CentralDirectoryHeader.Length(e)];
        Assert.Equal(central.Length, CentralDirectoryHeader.Write(central, e));
        bool centralExtra = centralZip64Data != 0;
        uint centralSize = centralExtra ? uint.MaxValue : (uint)size;
        byte[] expectedCentral = Timestamp(new LittleEndianBuilder()
            .U32(0x02014B50).U16(0x033F).U16(localZip64 || centralExtra ? 45 : 20).U16(descriptor ? 8 : 0).U16(0).U32(Dos)
            .U32(crc).U32(centralSize).U32(centralSize)
            .U16(7).U16((centralExtra ? 4 + centralZip64Data : 0) + 9).U16(0).U16(0).U16(0).U32(0x81A40000).U32(0)
            .Raw("big.bin"u8)
            .If(centralExtra, b => b.U16(1).U16(centralZip64Data).U64((ulong)size).U64((ulong)size)))
            .ToArray();
        Assert.Equal(expectedCentral, central);
        Assert.Equal(centralExtra ? 4 + centralZip64Data : 0, CentralDirectoryHeader.Zip64ExtraLength(e));
        Assert.Equal(localZip64 || centralExtra, CentralDirectoryHeader.UsesZip64(e));
    }

    [Theory]
    [InlineData(0L, false)]
    [InlineData(0xFFFFFFFEL, false)]
    [InlineData(0xFFFFFFFFL, true)]
    [InlineData(0x100000000L, true)]
    [InlineData(1L << 40, true)]
    public void LargeOffsetAloneGetsAnEightByteCentralExtraWithTheOffsetOnly(long offset, bool big)
    {
        var e = Entry("f", 10, crcKnown: true, offset: offset);
        var central = new byte[CentralDirectoryHeader.Length(e)];

        CentralDirectoryHeader.Write(central, e);

        Assert.Equal(big ? 12 : 0, CentralDirectoryHeader.Zip64ExtraLength(e));
        Assert.Equal(big, CentralDirectoryHeader.UsesZip64(e));
        Assert.Equal(big ? 45 : 20, BitConverter.ToUInt16(central, 6));
        Assert.Equal(10u, BitConverter.ToUInt32(central, 20)); // sizes stay in their slots
        Assert.Equal(10u, BitConverter.ToUInt32(central, 24));
        Assert.Equal(big ? uint.MaxValue : (uint)offset, BitConverter.ToUInt32(central, 42));
        Assert.Equal(big ? 12 + 9 : 9, BitConverter.ToUInt16(central, 30));
        var extra = central[(46 + 1)..];
        byte[] expectedExtra = Timestamp(new LittleEndianBuilder().If(big, b => b.U16(1).U16(8).U64((ulong)offset))).ToArray();
        Assert.Equal(expectedExtra, extra);
        // The local header knows nothing of the offset.
        Assert.False(e.Zip64);
    }

    [Fact]
    public void LargeSizeAndOffsetTogetherFillTheCentralExtraInAppnoteOrder()
    {
        var e = Entry("f", FiveGiB, crcKnown: false, offset: 6L << 30);
        var central = new byte[CentralDirectoryHeader.Length(e)];

        CentralDirectoryHeader.Write(central, e);

        Assert.Equal(uint.MaxValue, BitConverter.ToUInt32(central, 20));
        Assert.Equal(uint.MaxValue, BitConverter.ToUInt32(central, 24));
        Assert.Equal(uint.MaxValue, BitConverter.ToUInt32(central, 42));
        byte[] expectedExtra = Timestamp(new LittleEndianBuilder()
            .U16(1).U16(24).U64(FiveGiB).U64(FiveGiB).U64(6UL << 30)).ToArray(); // usize, csize, offset; no disk field
        Assert.Equal(expectedExtra, central[47..]);
    }

    [Fact]
    public void SixteenByteDescriptorRefusesASizeThatDoesNotFit()
    {
        var e = Entry("f", -1, crcKnown: false);
        var buffer = new byte[24];

        Assert.Throws<OverflowException>(() => DataDescriptor.Write(buffer, e, 0, 0x100000000L));
    }

    [Theory]
    [InlineData(0L, 0L, 0L, false, false)]
    [InlineData(65534L, 100L, 100L, false, false)]
    [InlineData(65535L, 100L, 100L, false, true)]
    [InlineData(70000L, 100L, 100L, false, true)]
    [InlineData(1L, 0xFFFFFFFEL, 0L, false, false)]
    [InlineData(1L, 0xFFFFFFFFL, 0L, false, true)]
    [InlineData(1L, 100L, 0xFFFFFFFEL, false, false)]
    [InlineData(1L, 100L, 0xFFFFFFFFL, false, true)]
    [InlineData(1L, 100L, 0x100000000L, false, true)]
    [InlineData(1L, 100L, 100L, true, true)]
    public void EndRecordsNeedZip64ForManyEntriesLargeDirectoriesOrAnyZip64Entry(long count, long size, long offset, bool anyZip64, bool expected)
    {
        Assert.Equal(expected, EndOfCentralDirectory.NeedsZip64(count, size, offset, anyZip64));
        Assert.Equal(expected ? 98 : 22, EndOfCentralDirectory.Length(expected));
    }

    [Fact]
    public void EndRecordWithoutZip64MatchesAppnoteFieldByField()
    {
        var buffer = new byte[22];

        int n = EndOfCentralDirectory.Write(buffer, 3, 0x150, 0x9876, zip64: false);

        byte[] expected = new LittleEndianBuilder()
            .U32(0x06054B50) // 0  PK\5\6
            .U16(0)          // 4  this disk
            .U16(0)          // 6  disk with the central directory
            .U16(3)          // 8  entries on this disk
            .U16(3)          // 10 entries in total
            .U32(0x150)      // 12 central directory size
            .U32(0x9876)     // 16 central directory offset
            .U16(0)          // 20 comment length
            .ToArray();
        Assert.Equal(22, n);
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void Zip64EndRecordLocatorAndSentinelEndRecordMatchAppnoteFieldByField()
    {
        var buffer = new byte[98];
        const long count = 70000, size = 0x1_2345_6789, offset = 0x2_0000_0000;

        int n = EndOfCentralDirectory.Write(buffer, count, size, offset, zip64: true);

        byte[] expected = new LittleEndianBuilder()
            // ZIP64 end of central directory record (APPNOTE 4.3.14)
            .U32(0x06064B50)           // 0  PK\6\6
            .U64(44)                   // 4  size of the rest of the record
            .U16(0x033F)               // 12 made by
            .U16(45)                   // 14 version needed
            .U32(0)                    // 16 this disk
            .U32(0)                    // 20 disk with the central directory
            .U64(count)                // 24 entries on this disk
            .U64(count)                // 32 entries in total
            .U64(size)                 // 40 central directory size
            .U64(offset)               // 48 central directory offset
            // ZIP64 end of central directory locator (APPNOTE 4.3.15)
            .U32(0x07064B50)           // 0  PK\6\7
            .U32(0)                    // 4  disk with the ZIP64 end record
            .U64(offset + size)        // 8  offset of the ZIP64 end record
            .U32(1)                    // 16 total disks: 1
            // End of central directory record with sentinels (APPNOTE 4.4.1.4)
            .U32(0x06054B50).U16(0).U16(0).U16(0xFFFF).U16(0xFFFF).U32(uint.MaxValue).U32(uint.MaxValue).U16(0)
            .ToArray();
        Assert.Equal(98, n);
        Assert.Equal(expected, buffer);
    }

    [Fact]
    public void Zip64EndRecordsUseSentinelsEvenWhenTheValuesWouldFit()
    {
        var buffer = new byte[98];

        EndOfCentralDirectory.Write(buffer, 2, 100, 200, zip64: true);

        var end = buffer.AsSpan(76);
        Assert.Equal(0xFFFF, BitConverter.ToUInt16(end[8..]));
        Assert.Equal(0xFFFF, BitConverter.ToUInt16(end[10..]));
        Assert.Equal(uint.MaxValue, BitConverter.ToUInt32(end[12..]));
        Assert.Equal(uint.MaxValue, BitConverter.ToUInt32(end[16..]));
        Assert.Equal(300UL, BitConverter.ToUInt64(buffer.AsSpan(56 + 8)));
    }

    [Fact]
    public void LocalHeaderLengthAndDescriptorLengthFollowTheDecision()
    {
        var small = Entry("n", 10, crcKnown: false);
        var big = Entry("n", FiveGiB, crcKnown: false);
        var bigKnown = Entry("n", FiveGiB, crcKnown: true);

        Assert.Equal(30 + 1 + 9, small.LocalHeaderLength);
        Assert.Equal(16, small.DescriptorLength);
        Assert.Equal(30 + 1 + 20 + 9, big.LocalHeaderLength);
        Assert.Equal(24, big.DescriptorLength);
        Assert.Equal(30 + 1 + 20 + 9, bigKnown.LocalHeaderLength);
        Assert.Equal(0, bigKnown.DescriptorLength);
    }

    public static TheoryData<string, uint> DosTimes => new()
    {
        // Before 1980 (and the Unix epoch itself) clamps to 1980-01-01 00:00:00.
        { "1970-01-01T00:00:00Z", (((0u << 9) | (1 << 5) | 1) << 16) | 0 },
        { "1979-12-31T23:59:59Z", (((0u << 9) | (1 << 5) | 1) << 16) | 0 },
        { "1980-01-01T00:00:00Z", (((0u << 9) | (1 << 5) | 1) << 16) | 0 },
        // After 2107 clamps to 2107-12-31 23:59:58.
        { "2200-06-15T12:00:00Z", (((127u << 9) | (12 << 5) | 31) << 16) | (23 << 11) | (59 << 5) | 29 },
        { "2107-12-31T23:59:59Z", (((127u << 9) | (12 << 5) | 31) << 16) | (23 << 11) | (59 << 5) | 29 },
        // Odd seconds round down to the even second below.
        { "2024-05-06T07:08:09Z", (((44u << 9) | (5 << 5) | 6) << 16) | (7 << 11) | (8 << 5) | 4 },
        { "2024-05-06T07:08:08Z", (((44u << 9) | (5 << 5) | 6) << 16) | (7 << 11) | (8 << 5) | 4 },
        { "2024-05-06T07:08:08.999Z", (((44u << 9) | (5 << 5) | 6) << 16) | (7 << 11) | (8 << 5) | 4 },
        // Times are taken in UTC.
        { "2024-01-01T01:30:00+02:00", (((43u << 9) | (12 << 5) | 31) << 16) | (23 << 11) | (30 << 5) | 0 },
    };

    [Theory]
    [MemberData(nameof(DosTimes))]
    public void DosDateTimeIsUtcClampedToTheFormatsRangeAndRoundedDownToEvenSeconds(string time, uint expected)
    {
        var value = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, DosDateTime.From(value));
    }

    [Theory]
    [InlineData("1970-01-01T00:00:00Z", 0)]
    [InlineData("2026-01-01T00:00:00Z", 1767225600)]
    [InlineData("1960-01-01T00:00:00Z", -315619200)]
    [InlineData("2038-01-19T03:14:07Z", int.MaxValue)]
    [InlineData("2100-01-01T00:00:00Z", int.MaxValue)]
    [InlineData("1800-01-01T00:00:00Z", int.MinValue)]
    public void UnixSecondsSaturateOutsideTheSigned32BitRange(string time, int expected)
    {
        var value = DateTimeOffset.Parse(time, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, DosDateTime.UnixSeconds(value));
    }
}
