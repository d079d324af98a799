using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace RawZipServer.Hosting;

/// <summary>Reads <see cref="ServerOptions"/> from configuration; every bad value is an <see cref="OptionsException"/> naming its key.</summary>
internal static class ServerOptionsLoader
{
    public static ServerOptions Load(IConfiguration config)
    {
        var origins = new List<OriginOptions>();
        foreach (var section in config.GetSection("Origins").GetChildren())
        {
            origins.Add(LoadOrigin(config, section));
        }

        string? defaultOrigin = config["DefaultOrigin"];
        if (defaultOrigin is not null && !origins.Exists(o => string.Equals(o.Name, defaultOrigin, StringComparison.OrdinalIgnoreCase)))
        {
            throw new OptionsException($"DefaultOrigin '{defaultOrigin}' is not one of Origins:*");
        }

        defaultOrigin ??= origins.Count == 1 ? origins[0].Name : null;
        string? manifests = config["Manifests:Directory"] is { } dir ? ResolvePath(config, "Manifests:Directory", dir) : null;
        if (manifests is not null && !System.IO.Directory.Exists(manifests))
        {
            throw new OptionsException($"Manifests:Directory '{manifests}' does not exist");
        }

        var tls = LoadTls(config);
        var listen = LoadListen(config["Listen"] ?? "http://127.0.0.1:8080");
        if (tls is null && listen.Exists(u => u.Scheme == "https"))
        {
            throw new OptionsException("Listen has an https:// address but Tls:CertificatePath is not set");
        }

        return new ServerOptions
        {
            Listen = listen,
            Tls = tls,
            Logging = new LoggingOptions { TrustedProxies = LoadNetworks(config, "Logging:TrustedProxies") },
            Origins = origins,
            DefaultOrigin = defaultOrigin,
            ManifestsDirectory = manifests,
            Backend = LoadBackend(config),
            Auth = new AuthOptions
            {
                ApiKeys = List(config, "Auth:ApiKeys"),
                SigningSecret = config["Auth:SigningSecret"] is { } secret
                    ? secret.Length > 0 ? secret : throw new OptionsException("Auth:SigningSecret is empty")
                    : null,
            },
            CacheControl = config["Response:CacheControl"],
            MaxCrcReadBytes = Number(config, "Ranges:MaxCrcReadBytes", 4L << 30, 0, long.MaxValue),
            CrcStoreMaxEntries = (int)Number(config, "CrcStore:MaxEntries", 1_000_000, 0, int.MaxValue),
            CompressionLevel = LoadCompressionLevel(config["Compression:Level"]),
            DrainTimeout = Duration(config, "Shutdown:DrainTimeout", TimeSpan.FromSeconds(30)),
            Limits = new LimitsOptions
            {
                MaxConcurrentArchives = (int)Number(config, "Limits:MaxConcurrentArchives", 10000, 1, int.MaxValue),
                MaxConcurrentConnections = config["Limits:MaxConcurrentConnections"] is null ? null : Number(config, "Limits:MaxConcurrentConnections", 0, 1, long.MaxValue),
                MaxEntries = (int)Number(config, "Limits:MaxEntries", 1_000_000, 0, int.MaxValue),
                // One byte over the cap must still fit an array: that is how an oversized body is detected.
                MaxManifestBytes = Number(config, "Limits:MaxManifestBytes", 64L * 1024 * 1024, 1, Array.MaxLength - 1),
                MaxRequestHeadersBytes = (int)Number(config, "Limits:MaxRequestHeadersBytes", 32 * 1024, 64, 1024 * 1024),
                RequestHeadersTimeout = Duration(config, "Limits:RequestHeadersTimeout", TimeSpan.FromSeconds(10)),
                ClientIdleTimeout = Duration(config, "Limits:ClientIdleTimeout", TimeSpan.FromMinutes(1)),
            },
            Upstream = new UpstreamOptions
            {
                ConnectTimeout = Duration(config, "Upstream:ConnectTimeout", TimeSpan.FromSeconds(5)),
                IdleTimeout = Duration(config, "Upstream:IdleTimeout", TimeSpan.FromSeconds(30)),
                Retries = (int)Number(config, "Upstream:Retries", 3, 0, 100),
                Prefetch = (int)Number(config, "Upstream:Prefetch", 4, 0, 1000),
            },
        };
    }

    private static OriginOptions LoadOrigin(IConfiguration config, IConfigurationSection section)
    {
        string key = section.Path;
        var headers = section.GetSection("Headers").GetChildren().Select(h => KeyValuePair.Create(h.Key, h.Value ?? "")).ToList();
        Uri? baseUrl = null;
        if (section["BaseUrl"] is { } url)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out baseUrl) || baseUrl.Scheme is not ("http" or "https"))
            {
                throw new OptionsException($"{key}:BaseUrl '{url}' is not an http(s) URL");
            }
        }

        string? directory = section["Directory"] is { } dir ? ResolvePath(config, key + ":Directory", dir) : null;
        if (directory is not null && !System.IO.Directory.Exists(directory))
        {
            throw new OptionsException($"{key}:Directory '{directory}' does not exist");
        }

        bool synthetic = Bool(section, "Synthetic");
        int kinds = (baseUrl is null ? 0 : 1) + (directory is null ? 0 : 1) + (synthetic ? 1 : 0);
        if (kinds != 1)
        {
            throw new OptionsException($"{key} needs exactly one of BaseUrl, Directory or Synthetic=true");
        }

        return new OriginOptions { Name = section.Key, BaseUrl = baseUrl, Directory = directory, Synthetic = synthetic, Headers = headers, Immutable = Bool(section, "Immutable") };
    }

    /// <summary>Headers that describe this request's framing or ranges, never the user: forwarding them would be wrong.</summary>
    private static readonly string[] s_neverForwarded = ["Range", "If-Range", "Host", "Content-Length", "Transfer-Encoding", "Connection", "X-Forwarded-For"];

    private static BackendOptions? LoadBackend(IConfiguration config)
    {
        if (config["Manifests:BackendUrl"] is not { } url)
        {
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new OptionsException($"Manifests:BackendUrl '{url}' is not an http(s) URL prefix without query");
        }

        var forward = config.GetSection("Manifests:ForwardHeaders").Exists() ? List(config, "Manifests:ForwardHeaders") : ["Authorization", "Cookie"];
        foreach (string name in forward)
        {
            if (name.Length == 0 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new OptionsException($"Manifests:ForwardHeaders '{name}' is not a header name");
            }

            if (s_neverForwarded.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new OptionsException($"Manifests:ForwardHeaders may not name {name} (SPEC §3: ranges and framing are never forwarded; X-Forwarded-For is always sent)");
            }
        }

        return new BackendOptions
        {
            Url = uri,
            ForwardHeaders = forward,
            Timeout = Duration(config, "Manifests:BackendTimeout", TimeSpan.FromSeconds(10)),
        };
    }

    /// <summary>A list bound as <c>Key:0</c>, <c>Key:1</c>, … or given as one comma-separated value <c>Key=a,b</c>.</summary>
    private static List<string> List(IConfiguration config, string key)
    {
        var values = new List<string>();
        if (config[key] is { } single)
        {
            values.AddRange(single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        foreach (var child in config.GetSection(key).GetChildren())
        {
            if (child.Value is { } value)
            {
                values.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }

        return values;
    }

    private static List<Uri> LoadListen(string value)
    {
        var result = new List<Uri>();
        foreach (string part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // Kestrel-style wildcard hosts are not valid URI hosts.
            string url = part.Replace("://*:", "://0.0.0.0:", StringComparison.Ordinal).Replace("://+:", "://0.0.0.0:", StringComparison.Ordinal);
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/"
                || !(uri.Host is "localhost" || System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out _)))
            {
                throw new OptionsException($"Listen '{part}' is not http(s)://HOST:PORT with HOST an IP address, localhost or * (https needs Tls:CertificatePath)");
            }

            result.Add(uri);
        }

        return result.Count > 0 ? result : throw new OptionsException("Listen is empty");
    }

    private static TlsOptions? LoadTls(IConfiguration config)
    {
        if (config["Tls:CertificatePath"] is not { } certificate)
        {
            return config["Tls:KeyPath"] is null && config["Tls:CertificatePassword"] is null
                ? null
                : throw new OptionsException("Tls:KeyPath or Tls:CertificatePassword is set without Tls:CertificatePath");
        }

        string path = ResolvePath(config, "Tls:CertificatePath", certificate);
        string? key = config["Tls:KeyPath"] is { } k ? ResolvePath(config, "Tls:KeyPath", k) : null;
        foreach (var (name, file) in new[] { ("Tls:CertificatePath", path), ("Tls:KeyPath", key) })
        {
            if (file is not null && !File.Exists(file))
            {
                throw new OptionsException($"{name} '{file}' does not exist");
            }
        }

        return new TlsOptions { Certificate = TlsCertificate.Load(path, key, config["Tls:CertificatePassword"]) };
    }

    /// <summary>Addresses (a /32 or /128 network) or CIDR networks, as a list or one comma-separated value.</summary>
    private static List<System.Net.IPNetwork> LoadNetworks(IConfiguration config, string key)
    {
        var networks = new List<System.Net.IPNetwork>();
        foreach (string text in List(config, key))
        {
            if (System.Net.IPAddress.TryParse(text, out var address))
            {
                networks.Add(new System.Net.IPNetwork(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork || address.IsIPv4MappedToIPv6 ? 32 : 128));
            }
            else if (System.Net.IPNetwork.TryParse(text, out var network))
            {
                networks.Add(network);
            }
            else
            {
                throw new OptionsException($"{key} '{text}' is not an IP address or CIDR network (e.g. 10.0.0.0/8)");
            }
        }

        return networks;
    }

    /// <summary>
    /// A relative path is relative to the file that set it (appsettings.json, --config), else to the
    /// working directory, so the embedded demo works from any directory.
    /// </summary>
    private static string ResolvePath(IConfiguration config, string key, string value)
    {
        if (Path.IsPathRooted(value))
        {
            return value;
        }

        string baseDirectory = Environment.CurrentDirectory;
        if (config is IConfigurationRoot root)
        {
            var provider = root.Providers.LastOrDefault(p => p.TryGet(key, out _));
            if (provider is JsonConfigurationProvider { Source.FileProvider: PhysicalFileProvider files })
            {
                baseDirectory = files.Root;
            }
        }

        return Path.GetFullPath(Path.Combine(baseDirectory, value));
    }

    private static System.IO.Compression.CompressionLevel LoadCompressionLevel(string? text) => text switch
    {
        null or "Fastest" => System.IO.Compression.CompressionLevel.Fastest,
        "Optimal" => System.IO.Compression.CompressionLevel.Optimal,
        "SmallestSize" => System.IO.Compression.CompressionLevel.SmallestSize,
        "NoCompression" => System.IO.Compression.CompressionLevel.NoCompression,
        _ => throw new OptionsException($"Compression:Level '{text}' must be Fastest, Optimal, SmallestSize or NoCompression"),
    };

    private static long Number(IConfiguration config, string key, long fallback, long min, long max)
    {
        string? text = config[key];
        if (text is null)
        {
            return fallback;
        }

        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long value) || value < min || value > max)
        {
            throw new OptionsException($"{key} '{text}' must be a whole number from {min} to {max}");
        }

        return value;
    }

    private static TimeSpan Duration(IConfiguration config, string key, TimeSpan fallback)
    {
        string? text = config[key];
        if (text is null)
        {
            return fallback;
        }

        if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) || value <= TimeSpan.Zero)
        {
            throw new OptionsException($"{key} '{text}' must be a positive duration such as 00:00:10");
        }

        return value;
    }

    private static bool Bool(IConfigurationSection section, string key) => section[key] is { } text
        ? bool.TryParse(text, out bool value) ? value : throw new OptionsException($"{section.Path}:{key} '{text}' must be true or false")
        : false;
}

/// <summary>Configuration that cannot work; the message names the key.</summary>
internal sealed class OptionsException(string message) : Exception(message);
