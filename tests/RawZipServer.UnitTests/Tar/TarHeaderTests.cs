using System.Buffers;
using TarReader = System.Formats.Tar.TarReader;
using System.Text;
using RawZipServer.Tar;
using RawZipServer.UnitTests.Infrastructure;

namespace RawZipServer.UnitTests.Tar;

public sealed class TarHeaderTests
{
    private static readonly DateTimeOffset s_time = new(2026, 7, 14, 9, 30, 12, TimeSpan.Zero);

    private static TarEntry Entry(string path, long size, DateTimeOffset? time = null)
    {
        var e = new TarEntry
        {
            Name = Encoding.UTF8.GetBytes(path),
            IsDirectory = path.EndsWith('/'),
            Size = size,
            UnixTicks = (time ?? s_time).UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks,
        };
        e.Decide();
        return e;
    }

    /// <summary>Builds an archive with the server's writer; data bytes are a pattern.</summary>
    private static byte[] Build(params (string Path, int Size)[] files)
    {
        var entries = files.Select(f => Entry(f.Path, f.Size)).ToArray();
        long planned = TarLayout.Plan(entries);
        var output = new ArrayBufferWriter<byte>();
        var writer = new TarWriter(entries);
        for (int i = 0; i < entries.Length; i++)
        {
            writer.WriteHeader(output, i);
            if (!entries[i].IsDirectory)
            {
                byte[] data = Data(files[i].Size, i);
                output.Write(data);
                writer.CompleteEntry(output, i, data.Length);
            }
        }

        writer.WriteEnd(output);
        Assert.Equal(planned, output.WrittenCount);
        Assert.Equal(planned, writer.Position);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Data(int size, int seed) => Enumerable.Range(0, size).Select(i => (byte)((i * 7) + seed)).ToArray();

    public static TheoryData<int> NameLengths => new() { 1, 99, 100, 101, 154, 155, 156, 255, 256, 300, 1000 };

    [Theory]
    [MemberData(nameof(NameLengths))]
    public void NamesOfEveryLengthRoundTripThroughAnIndependentReaderAndDotNet(int length)
    {
        // A path of several segments, so that ustar prefix/name splitting has '/' to choose from.
        var sb = new StringBuilder();
        while (sb.Length < length)
        {
            sb.Append(sb.Length % 40 == 39 ? '/' : (char)('a' + (sb.Length % 26)));
        }

        string path = sb.ToString().TrimEnd('/');
        path = path.Length < length ? path + new string('z', length - path.Length) : path;
        Assert.Equal(length, path.Length);
        byte[] tar = Build((path, 700));

        var members = TarInspector.Read(tar);
        var member = Assert.Single(members);
        Assert.Equal(path, member.Path);
        Assert.Equal('0', member.Type);
        Assert.Equal(0x1A4, member.Mode);
        Assert.Equal(Data(700, 0), member.Data);
        // Needs pax exactly when ustar's name(100) / prefix(155) split at a '/' cannot hold it.
        bool fitsUstar = length <= 100 || Enumerable.Range(length - 101, Math.Max(0, 157 - (length - 101))).Any(i => i > 0 && i <= 155 && i < length - 1 && path[i] == '/');
        Assert.Equal(!fitsUstar, member.Pax.ContainsKey("path"));

        using var reader = new TarReader(new MemoryStream(tar));
        var entry = reader.GetNextEntry()!;
        Assert.Equal(path, entry.Name);
        Assert.Equal(700, entry.Length);
        Assert.Null(reader.GetNextEntry());
    }

    [Fact]
    public void AHundredCharacterNameUsesTheNameFieldAloneAndNoPaxHeader()
    {
        string path = new('n', 100);
        byte[] tar = Build((path, 1));
        Assert.Equal(512 + 512 + 1024, tar.Length);
        Assert.Equal(path, Encoding.ASCII.GetString(tar, 0, 100));
        Assert.Equal((byte)'0', tar[156]);
    }

    [Fact]
    public void ALongPathSplitsIntoPrefixAndNameAtASlash()
    {
        string path = new string('p', 150) + "/" + new string('n', 90);
        byte[] tar = Build((path, 3));
        Assert.Equal(512 + 512 + 1024, tar.Length); // no pax header
        Assert.Equal(new string('n', 90), Encoding.ASCII.GetString(tar, 0, 90));
        Assert.Equal(0, tar[90]);
        Assert.Equal(new string('p', 150), Encoding.ASCII.GetString(tar, 345, 150));
        Assert.Equal(path, TarInspector.Read(tar)[0].Path);
    }

    [Fact]
    public void AName101BytesLongWithoutASlashNeedsAPaxPath()
    {
        string path = new('x', 101);
        byte[] tar = Build((path, 5));
        Assert.Equal((byte)'x', tar[156]);
        var member = Assert.Single(TarInspector.Read(tar));
        Assert.Equal(path, member.Pax["path"]);
        Assert.Equal(path, member.Path);
    }

    [Theory]
    [InlineData("Grüße/Zürich.txt")]
    [InlineData("日本語/ファイル.txt")]
    [InlineData("😀.txt")]
    public void NonAsciiNamesGetAPaxPathInUtf8(string path)
    {
        byte[] tar = Build((path, 10));
        var member = Assert.Single(TarInspector.Read(tar));
        Assert.Equal(path, member.Pax["path"]);
        Assert.Equal(path, member.Path);
        using var reader = new TarReader(new MemoryStream(tar));
        Assert.Equal(path, reader.GetNextEntry()!.Name);
    }

    [Fact]
    public void DirectoriesAreTypeFiveWithMode0755AndNoData()
    {
        byte[] tar = Build(("photos/", 0), ("photos/a.txt", 3), ("photos/empty/", 0));
        var members = TarInspector.Read(tar);
        Assert.Equal(["photos/", "photos/a.txt", "photos/empty/"], members.Select(m => m.Path));
        Assert.Equal(['5', '0', '5'], members.Select(m => m.Type));
        Assert.Equal(0x1ED, members[0].Mode);
        Assert.Equal(0, members[0].Size);
        Assert.Equal(512 + 512 + 512 + 512 + 1024, tar.Length);
    }

    [Fact]
    public void AnEmptyArchiveIsTwoZeroBlocks()
    {
        byte[] tar = Build();
        Assert.Equal(new byte[1024], tar);
    }

    [Fact]
    public void AnEmptyFileHasAHeaderAndNoDataBlock()
    {
        byte[] tar = Build(("empty.txt", 0));
        Assert.Equal(512 + 1024, tar.Length);
        Assert.Equal(0, TarInspector.Read(tar)[0].Size);
    }

    [Theory]
    [InlineData(0x1_FFFF_FFFFL, false)]  // 8 GiB - 1: the largest size 11 octal digits hold
    [InlineData(0x2_0000_0000L, true)]   // 8 GiB
    [InlineData(5_000_000_000_000L, true)]
    public void SizesFromEightGibibytesGoIntoAPaxSizeRecord(long size, bool pax)
    {
        var e = Entry("big.bin", size);
        Assert.Equal(pax, e.PaxSize);
        byte[] header = new byte[e.HeaderLength];
        TarHeader.Write(header, e);
        // Read the headers only (the data is not there); the inspector stops after the first member.
        var archive = header.Concat(new byte[1024]).ToArray();
        var member = TarInspector.Read(archive, withData: false)[0];
        Assert.Equal(size, member.Size);
        Assert.Equal(pax, member.Pax.ContainsKey("size"));
        if (!pax)
        {
            Assert.Equal("77777777777\0"u8.ToArray(), header.AsSpan(124, 12).ToArray());
        }
        else
        {
            Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), member.Pax["size"]);
            Assert.Equal("00000000000\0"u8.ToArray(), header.AsSpan(512 + 512 + 124, 12).ToArray()); // best effort
        }
    }

    [Fact]
    public void SubSecondAndOutOfRangeTimesGetAPaxMtime()
    {
        var fraction = Entry("a", 1, new DateTimeOffset(2026, 7, 14, 9, 30, 12, 250, TimeSpan.Zero));
        Assert.True(fraction.PaxMtime);
        var before1970 = Entry("b", 1, new DateTimeOffset(1969, 12, 31, 23, 59, 58, 500, TimeSpan.Zero));
        var whole = Entry("c", 1);
        Assert.False(whole.PaxMtime);
        var far = Entry("d", 1, new DateTimeOffset(2300, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.True(far.PaxMtime);

        Assert.Equal(s_time.ToUnixTimeSeconds() + 0.25m, ReadMember(fraction).Mtime);
        Assert.Equal(-1.5m, ReadMember(before1970).Mtime);
        Assert.Equal(s_time.ToUnixTimeSeconds(), ReadMember(whole).Mtime);
        Assert.Equal((decimal)new DateTimeOffset(2300, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), ReadMember(far).Mtime);
    }

    [Theory]
    [InlineData(1, 1)]     // " k=v\n" rest 5 → "6 k=v\n"
    [InlineData(4, 90)]   // rest 97 → 99
    [InlineData(4, 91)]   // rest 98 → 101 (the digits push it to three)
    [InlineData(4, 92)]   // rest 99 → 102
    [InlineData(4, 994)]  // rest 1001 → 1005
    public void PaxRecordLengthCountsItsOwnDigits(int keyLength, int valueLength)
    {
        byte[] record = new byte[2000];
        int n = PaxRecords.Write(record, new string('k', keyLength).Select(c => (byte)c).ToArray(), new byte[valueLength].Select(_ => (byte)'v').ToArray());
        var parsed = TarInspector.ParsePax(record.AsSpan(0, n));
        Assert.Equal(new string('v', valueLength), parsed[new string('k', keyLength)]);
    }

    private static TarInspector.Member ReadMember(TarEntry e)
    {
        byte[] header = new byte[e.HeaderLength];
        TarHeader.Write(header, e);
        return TarInspector.Read([.. header, .. new byte[512], .. new byte[1024]])[0];
    }
}
