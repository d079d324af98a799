using System.Text.Json.Serialization;

namespace RawZipServer.Manifest;

/// <summary>The JSON manifest as written (SPEC §4), before validation.</summary>
internal sealed class ManifestDocument
{
    public string? Name { get; set; }
    public string? Format { get; set; }
    public string? Compression { get; set; }
    public List<ManifestFileDocument>? Files { get; set; }
}

internal sealed class ManifestFileDocument
{
    public string? Path { get; set; }
    public string? Origin { get; set; }
    public string? Source { get; set; }
    public long? Size { get; set; }
    public string? Crc32 { get; set; }
    public string? Modified { get; set; }
    public string? Etag { get; set; }
    public string? Compression { get; set; }
}

/// <summary>Source-generated, so parsing a manifest needs no reflection; unknown members are errors, not silently ignored typos.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    ReadCommentHandling = System.Text.Json.JsonCommentHandling.Skip,
    AllowTrailingCommas = true)]
[JsonSerializable(typeof(ManifestDocument))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
