using RawZipServer.Http;

namespace RawZipServer.UnitTests.Http;

public sealed class ByteRangeTests
{
    [Theory]
    [InlineData("bytes=0-9", 0, 9)]
    [InlineData("bytes=10-", 10, 99)]
    [InlineData("bytes=-10", 90, 99)]
    [InlineData("bytes=-1000", 0, 99)]
    [InlineData("bytes=95-1000", 95, 99)]
    [InlineData("BYTES= 5 - 6 ", 5, 6)]
    [InlineData("bytes=99-99", 99, 99)]
    public void OneSatisfiableRangeIsPartial(string header, long start, long end)
    {
        var range = ByteRange.Parse(header, 100);
        Assert.Equal(new ByteRange(ByteRangeKind.Partial, start, end), range);
        Assert.Equal(end - start + 1, range.Length);
    }

    [Theory]
    [InlineData("bytes=100-")]
    [InlineData("bytes=100-200")]
    [InlineData("bytes=-0")]
    public void ARangePastTheEndIsUnsatisfiable(string header) =>
        Assert.Equal(ByteRangeKind.Unsatisfiable, ByteRange.Parse(header, 100).Kind);

    [Theory]
    [InlineData(null)]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=9-3")]
    [InlineData("bytes=a-")]
    [InlineData("bytes=")]
    [InlineData("bytes=-")]
    [InlineData("items=0-1")]
    [InlineData("bytes=99999999999999999999-")]
    [InlineData("bytes=+1-2")]
    public void SeveralRangesOrMalformedOnesGetTheFullResponse(string? header) =>
        Assert.Equal(ByteRangeKind.Full, ByteRange.Parse(header, 100).Kind);

    [Fact]
    public void IfRangeMatchesTheStrongETagOrTheExactDateOnly()
    {
        var modified = new DateTimeOffset(2026, 7, 14, 9, 30, 0, TimeSpan.Zero);
        Assert.True(ByteRange.IfRangeMatches(null, "\"e\"", modified));
        Assert.True(ByteRange.IfRangeMatches("\"e\"", "\"e\"", modified));
        Assert.False(ByteRange.IfRangeMatches("W/\"e\"", "\"e\"", modified));
        Assert.False(ByteRange.IfRangeMatches("\"f\"", "\"e\"", modified));
        Assert.True(ByteRange.IfRangeMatches("Tue, 14 Jul 2026 09:30:00 GMT", "\"e\"", modified));
        Assert.False(ByteRange.IfRangeMatches("Tue, 14 Jul 2026 09:30:01 GMT", "\"e\"", modified));
        Assert.False(ByteRange.IfRangeMatches("yesterday", "\"e\"", modified));
    }
}
