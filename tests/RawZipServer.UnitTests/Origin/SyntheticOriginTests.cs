using RawZipServer.Origin;

namespace RawZipServer.UnitTests.Origin;

public sealed class SyntheticOriginTests
{
    private static byte[] Whole(int length, ulong seed, long start = 0)
    {
        var bytes = new byte[length];
        SyntheticOrigin.Fill(bytes, start, seed);
        return bytes;
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(9UL)]
    [InlineData(ulong.MaxValue)]
    public void FillingInArbitraryPiecesEqualsFillingAtOnce(ulong seed)
    {
        const int length = 10_000;
        byte[] whole = Whole(length, seed);
        var random = new Random((int)(seed % 1000));

        for (int round = 0; round < 20; round++)
        {
            var pieces = new byte[length];
            int at = 0;
            while (at < length)
            {
                // Piece lengths from 0 to 40 so every alignment of start and end occurs.
                int n = Math.Min(length - at, random.Next(0, 41));
                SyntheticOrigin.Fill(pieces.AsSpan(at, n), at, seed);
                at += n;
            }

            Assert.Equal(whole, pieces);
        }
    }

    [Fact]
    public void EveryUnalignedStartAndLengthAgreesWithTheWholeFile()
    {
        byte[] whole = Whole(200, 42);

        for (int start = 0; start < 40; start++)
        {
            for (int length = 0; length <= 40; length++)
            {
                Assert.Equal(whole.AsSpan(start, length).ToArray(), Whole(length, 42, start));
            }
        }
    }

    [Fact]
    public void FarPositionsNeedNoPrecedingBytes()
    {
        const long far = (5L << 30) + 3; // past 4 GiB, unaligned
        byte[] a = Whole(64, 7, far);
        byte[] b = Whole(61, 7, far + 3);

        Assert.Equal(a.AsSpan(3).ToArray(), b);
        Assert.NotEqual(Whole(64, 7, 0), a);
    }

    [Fact]
    public void DifferentSeedsGiveDifferentContent()
    {
        byte[] a = Whole(4096, 1);
        byte[] b = Whole(4096, 2);

        Assert.NotEqual(a, b);
        int same = a.Zip(b).Count(p => p.First == p.Second);
        Assert.InRange(same, 0, 4096 / 64); // unrelated streams agree on about 1 byte in 256
    }

    [Fact]
    public void ContentLooksRandom()
    {
        byte[] bytes = Whole(1 << 16, 3);
        int[] counts = new int[256];
        foreach (byte b in bytes)
        {
            counts[b]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 128, 384)); // expected 256 each
    }

    [Theory]
    [InlineData("/123/9", 123L, 9UL)]
    [InlineData("/123", 123L, 0UL)]
    [InlineData("123", 123L, 0UL)]
    [InlineData("/0", 0L, 0UL)]
    [InlineData("/5368709120/18446744073709551615", 5368709120L, ulong.MaxValue)]
    public void TryParseReadsLengthAndSeed(string source, long length, ulong seed)
    {
        Assert.True(SyntheticOrigin.TryParse(source, out long parsedLength, out ulong parsedSeed));
        Assert.Equal(length, parsedLength);
        Assert.Equal(seed, parsedSeed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/abc")]
    [InlineData("/-1")]
    [InlineData("/+1")]
    [InlineData("/1/x")]
    [InlineData("/1/2/3")]
    [InlineData("/1/")]
    [InlineData("/ 1")]
    [InlineData("/1.5")]
    [InlineData("/99999999999999999999")]
    public void TryParseRefusesAnythingElse(string source)
    {
        Assert.False(SyntheticOrigin.TryParse(source, out _, out _));
        Assert.NotNull(new SyntheticOrigin("s").CheckSource(source));
    }

    [Fact]
    public async Task OpenedFileHasLengthValidatorsAndTheFilledBytes()
    {
        var origin = new SyntheticOrigin("s");

        await using var file = await origin.OpenAsync("/1000/5", CancellationToken.None);

        Assert.Equal(1000, file.Length);
        Assert.Equal(SyntheticOrigin.Modified, file.LastModified);
        Assert.Equal("\"synthetic-1000-5\"", file.ETag);
        var read = new List<byte>();
        var buffer = new byte[333];
        int n;
        while ((n = await file.ReadAsync(buffer, CancellationToken.None)) > 0)
        {
            read.AddRange(buffer.AsSpan(0, n));
        }

        Assert.Equal(Whole(1000, 5), read.ToArray());
    }

    [Fact]
    public async Task OpeningAnUnparsableSourceThrowsOriginException()
    {
        await Assert.ThrowsAsync<OriginException>(async () => await new SyntheticOrigin("s").OpenAsync("/nope", CancellationToken.None));
    }
}
