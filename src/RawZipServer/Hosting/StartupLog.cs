using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace RawZipServer.Hosting;

/// <summary>Startup lines: the effective configuration, one key per line, with every secret's value redacted.</summary>
internal static partial class StartupLog
{
    public const string Redacted = "***";

    public static void Write(ILogger logger, IConfiguration config)
    {
        foreach (var (key, value) in config.AsEnumerable().Where(p => p.Value is not null).OrderBy(p => p.Key, StringComparer.OrdinalIgnoreCase))
        {
            Setting(logger, key, IsSecret(key) ? Redacted : value!);
        }
    }

    /// <summary>
    /// Auth:SigningSecret, every Auth:ApiKeys value, every origin header value (storage credentials),
    /// Tls:CertificatePassword; the environment is not logged at all (only RAWZIP_ keys are in the configuration).
    /// </summary>
    public static bool IsSecret(string key)
    {
        string[] parts = key.Split(':');
        return parts switch
        {
            ["Auth", "SigningSecret"] => true,
            ["Auth", "ApiKeys", ..] => true,
            ["Origins", _, "Headers", _, ..] => true,
            ["Tls", "CertificatePassword"] => true,
            _ => false,
        };
    }

    [LoggerMessage(200, LogLevel.Information, "config {Key} = {Value}", EventName = "Config")]
    private static partial void Setting(ILogger logger, string key, string value);
}
