using RawZipServer.Hosting;

namespace RawZipServer.UnitTests.Hosting;

/// <summary>The keys of issue 5: Upstream:Retries and Shutdown:DrainTimeout, with their defaults and their errors.</summary>
public sealed class ReliabilityOptionsTests
{
    private static ServerOptions Load(params (string Key, string Value)[] settings) => OptionsLoading.Load(settings);

    [Fact]
    public void DefaultsAreThreeRetriesAndAThirtySecondDrain()
    {
        var options = Load();
        Assert.Equal(3, options.Upstream.Retries);
        Assert.Equal(TimeSpan.FromSeconds(30), options.DrainTimeout);
    }

    [Fact]
    public void ConfiguredValuesAreUsed()
    {
        var options = Load(("Upstream:Retries", "0"), ("Shutdown:DrainTimeout", "00:02:00"));
        Assert.Equal(0, options.Upstream.Retries);
        Assert.Equal(TimeSpan.FromMinutes(2), options.DrainTimeout);
    }

    [Theory]
    [InlineData("Shutdown:DrainTimeout", "soon")]
    [InlineData("Shutdown:DrainTimeout", "00:00:00")]
    [InlineData("Upstream:Retries", "-1")]
    [InlineData("Upstream:Retries", "many")]
    public void BadValuesFailNamingTheKey(string key, string value)
    {
        var ex = Assert.Throws<OptionsException>(() => Load((key, value)));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
    }
}
