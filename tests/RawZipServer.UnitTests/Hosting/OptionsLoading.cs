using Microsoft.Extensions.Configuration;
using RawZipServer.Hosting;

namespace RawZipServer.UnitTests.Hosting;

/// <summary>Loads <see cref="ServerOptions"/> from a minimal configuration (one synthetic origin) plus the given keys.</summary>
internal static class OptionsLoading
{
    public static ServerOptions Load(params (string Key, string Value)[] settings)
    {
        var values = new Dictionary<string, string?> { ["Origins:s:Synthetic"] = "true" };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        return ServerOptionsLoader.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build());
    }
}
