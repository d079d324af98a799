using System.Globalization;
using Microsoft.Extensions.Configuration;
using RawZipServer.Auth;
using RawZipServer.Manifest;

namespace RawZipServer.Hosting;

/// <summary>
/// <c>rawzip sign ID --expires SECONDS [--base-url URL] [--Key=Value ...]</c>: prints a signed link to archive
/// ID valid for SECONDS from now, made with <c>Auth:SigningSecret</c> from the usual configuration sources.
/// The base URL defaults to the first <c>Listen</c> address.
/// </summary>
internal static class SignCommand
{
    public const string Name = "sign";

    public static int Run(string[] args, TextWriter output, TextWriter error, DateTimeOffset now)
    {
        string? id = null, baseUrl = null;
        long? seconds = null;
        var configArgs = new List<string>();
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            if ((arg is "--expires" or "--base-url") && i + 1 < args.Length)
            {
                string value = args[++i];
                if (arg == "--base-url")
                {
                    baseUrl = value;
                }
                else if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long s) && s > 0)
                {
                    seconds = s;
                }
                else
                {
                    return Usage(error, $"--expires '{value}' is not a positive number of seconds");
                }
            }
            else if (arg.StartsWith('-'))
            {
                configArgs.Add(arg); // --Key=Value and --config=PATH, as for the server
            }
            else if (id is null)
            {
                id = arg;
            }
            else
            {
                return Usage(error, $"unexpected argument '{arg}'");
            }
        }

        if (id is null || seconds is null)
        {
            return Usage(error, "an ID and --expires SECONDS are required");
        }

        if (!ManifestStore.IsValidId(id))
        {
            return Usage(error, $"'{id}' is not an archive id ([A-Za-z0-9._-]{{1,200}})");
        }

        var config = Program.BuildConfiguration([.. configArgs]);
        if (config["Auth:SigningSecret"] is not { Length: > 0 } secret)
        {
            error.WriteLine("rawzip sign: Auth:SigningSecret is not configured");
            return 2;
        }

        baseUrl ??= (config["Listen"] ?? "http://127.0.0.1:8080").Split(';')[0].Trim();
        long expires = now.ToUnixTimeSeconds() + seconds.Value;
        string signature = new LinkSignature(secret).Sign(id, expires);
        output.WriteLine($"{baseUrl.TrimEnd('/')}/archive/{id}?expires={expires}&signature={signature}");
        return 0;
    }

    private static int Usage(TextWriter error, string problem)
    {
        error.WriteLine($"rawzip sign: {problem}");
        error.WriteLine("usage: rawzip sign ID --expires SECONDS [--base-url URL] [--Key=Value ...]");
        return 2;
    }
}
