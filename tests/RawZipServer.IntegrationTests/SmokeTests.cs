using System.IO.Hashing;

namespace RawZipServer.IntegrationTests;

public class Crc32Tests
{
    [Fact]
    public void Crc32OfCheckStringIsTheStandardCheckValue() =>
        Assert.Equal(0xCBF43926u, Crc32.HashToUInt32("123456789"u8));
}
