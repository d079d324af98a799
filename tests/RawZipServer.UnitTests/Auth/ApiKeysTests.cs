using RawZipServer.Auth;

namespace RawZipServer.UnitTests.Auth;

public sealed class ApiKeysTests
{
    private readonly ApiKeys _keys = new(["first-key", "second-key"]);

    [Theory]
    [InlineData("Bearer first-key", true)]
    [InlineData("Bearer second-key", true)]
    [InlineData("bearer second-key", true)]
    [InlineData("BEARER  second-key ", true)]
    [InlineData("Bearer second-ke", false)]
    [InlineData("Bearer second-key2", false)]
    [InlineData("Bearer ", false)]
    [InlineData("Basic first-key", false)]
    [InlineData("first-key", false)]
    [InlineData(null, false)]
    public void OnlyAConfiguredBearerKeyIsAccepted(string? authorization, bool accepted) => Assert.Equal(accepted, _keys.Accepts(authorization));

    [Fact]
    public void NoKeysMeansNothingIsAccepted()
    {
        var none = new ApiKeys([]);
        Assert.False(none.Any);
        Assert.False(none.Accepts("Bearer "));
    }
}
