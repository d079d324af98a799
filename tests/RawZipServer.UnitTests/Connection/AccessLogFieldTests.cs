using System.Net;
using RawZipServer.Connection;

namespace RawZipServer.UnitTests.Connection;

public sealed class AccessLogFieldTests
{
    [Theory]
    [InlineData("/archive/a", "/archive/a")]
    [InlineData("/archive/a?expires=1&signature=abcdef", "/archive/a?expires=1&signature=REDACTED")]
    [InlineData("/archive/a?Signature=abc&x=1&signature", "/archive/a?Signature=REDACTED&x=1&signature=REDACTED")]
    [InlineData("/archive/a?signatures=keep", "/archive/a?signatures=keep")]
    [InlineData("/archive/a?", "/archive/a?")]
    public void SignatureValuesAreRedacted(string target, string logged) => Assert.Equal(logged, AccessLog.RedactTarget(target));

    private static readonly IPEndPoint s_proxy = new(IPAddress.Parse("10.0.0.5"), 40000);

    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("198.51.100.7, 203.0.113.9", "203.0.113.9")] // the nearest untrusted hop, not the (forgeable) leftmost
    [InlineData("198.51.100.7, 203.0.113.9, 10.9.9.9", "203.0.113.9")] // 10.0.0.0/8 is trusted: walk past it
    [InlineData("garbage, 10.1.1.1", "10.1.1.1")] // the chain ends in nonsense: the last good address stands
    [InlineData("::ffff:203.0.113.9", "203.0.113.9")]
    public void ForwardedForIsBelievedFromTrustedProxies(string forwardedFor, string client)
    {
        var addresses = new ClientAddress([IPNetwork.Parse("10.0.0.0/8")]);
        Assert.Equal(client, addresses.For(s_proxy, forwardedFor));
    }

    [Fact]
    public void ForwardedForIsIgnoredFromAnyoneElse()
    {
        var addresses = new ClientAddress([IPNetwork.Parse("10.0.0.0/8")]);
        Assert.Equal("192.0.2.1", addresses.For(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 1), "203.0.113.9"));
        Assert.Equal("192.0.2.1", addresses.For(new IPEndPoint(IPAddress.Parse("::ffff:192.0.2.1"), 1), null));
        Assert.Equal("10.0.0.5", new ClientAddress([]).For(s_proxy, "203.0.113.9"));
    }
}
