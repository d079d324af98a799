using RawZipServer.Auth;

namespace RawZipServer.UnitTests.Auth;

public sealed class LinkSignatureTests
{
    private static readonly DateTimeOffset s_now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
    private readonly LinkSignature _signature = new("secret");

    [Fact]
    public void SignatureIsHexHmacSha256OfIdNewlineExpires()
    {
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData("secret"u8, "demo\n1800000600"u8)), _signature.Sign("demo", 1_800_000_600));
    }

    [Fact]
    public void AValidLinkPassesAndOneSecondLateIs410()
    {
        string sig = _signature.Sign("demo", 1_800_000_000);
        Assert.Null(_signature.Check("demo", $"expires=1800000000&signature={sig}", s_now));
        Assert.Equal(410, _signature.Check("demo", $"expires=1800000000&signature={sig}", s_now.AddSeconds(1))?.Status);
    }

    [Theory]
    [InlineData("")]
    [InlineData("expires=1800000600")]
    [InlineData("signature=abc")]
    [InlineData("expires=-1&signature=00")]
    [InlineData("expires=1800000600&signature=zz")]
    public void MissingOrMalformedIs403(string query) => Assert.Equal(403, _signature.Check("demo", query, s_now)?.Status);

    [Fact]
    public void UpperCaseHexAndExtraParametersAreAccepted()
    {
        string sig = _signature.Sign("demo", 1_800_000_600).ToUpperInvariant();
        Assert.Null(_signature.Check("demo", $"utm=x&signature={sig}&expires=1800000600", s_now));
    }
}
