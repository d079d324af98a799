using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Serialization;
using RawZipServer.Origin;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>What one archive entry must contain: the bytes (small entries) or just size and CRC (huge ones).</summary>
internal sealed record ExpectedEntry(string Name, long Size, uint Crc, byte[]? Content, bool IsDirectory = false)
{
    /// <summary>The entry is deflated in a ZIP (its compressed size differs from its size).</summary>
    public bool Deflated { get; init; }

    /// <summary>For a synthetic entry whose bytes are not kept: the seed that regenerates them.</summary>
    public ulong? SyntheticSeed { get; init; }

    public static ExpectedEntry File(string name, byte[] content) => new(name, content.Length, Crc32.HashToUInt32(content), content);

    public static ExpectedEntry Directory(string name) => new(name, 0, 0, null, IsDirectory: true);

    /// <summary>A synthetic-origin file; the bytes are kept only when small.</summary>
    public static ExpectedEntry Synthetic(string name, long size, ulong seed) =>
        size <= 16 * 1024 * 1024
            ? File(name, SyntheticBytes(size, seed))
            : new(name, size, SyntheticCrc(size, seed), null) { SyntheticSeed = seed };

    public static byte[] SyntheticBytes(long size, ulong seed)
    {
        byte[] bytes = new byte[size];
        SyntheticOrigin.Fill(bytes, 0, seed);
        return bytes;
    }

    public static uint SyntheticCrc(long size, ulong seed)
    {
        var crc = new Crc32();
        byte[] buffer = new byte[1 << 20];
        for (long position = 0; position < size; position += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, size - position);
            SyntheticOrigin.Fill(buffer.AsSpan(0, n), position, seed);
            crc.Append(buffer.AsSpan(0, n));
        }

        return crc.GetCurrentHashAsUInt32();
    }
}

/// <summary>One <c>files[]</c> item of a JSON manifest (SPEC §4); nulls are left out.</summary>
internal sealed record ManifestFile
{
    [JsonPropertyName("path")] public required string Path { get; init; }
    [JsonPropertyName("origin")] public string? Origin { get; init; }
    [JsonPropertyName("source")] public string? Source { get; init; }
    [JsonPropertyName("size")] public long? Size { get; init; }
    [JsonPropertyName("crc32")] public string? Crc32 { get; init; }
    [JsonPropertyName("modified")] public string? Modified { get; init; }
    [JsonPropertyName("compression")] public string? Compression { get; init; }
}

/// <summary>Builds a manifest and, alongside, the entries the archive must hold.</summary>
internal sealed class ArchiveSpec
{
    private static readonly JsonSerializerOptions s_json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    public string? Name { get; set; }
    /// <summary>"zip" (default) or "tar".</summary>
    public string? Format { get; set; }
    /// <summary>The archive's compression: store (default), deflate or auto.</summary>
    public string? Compression { get; set; }
    public List<ManifestFile> Files { get; } = [];
    public List<ExpectedEntry> Expected { get; } = [];

    /// <summary>A file with known content; <paramref name="size"/>/<paramref name="crc"/> say whether the manifest gives them.</summary>
    public ArchiveSpec File(string path, string source, byte[] content, bool size = true, bool crc = true, string? origin = null, string? compression = null, bool deflated = false)
    {
        var expected = ExpectedEntry.File(path, content) with { Deflated = deflated };
        Files.Add(new ManifestFile
        {
            Path = path,
            Origin = origin,
            Source = source,
            Size = size ? content.Length : null,
            Crc32 = crc ? expected.Crc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) : null,
            Modified = "2026-07-14T09:30:00Z",
            Compression = compression,
        });
        Expected.Add(expected);
        return this;
    }

    public ArchiveSpec Synthetic(string path, long length, ulong seed, bool size = true, bool crc = false, string origin = "synthetic", bool deflated = false)
    {
        var expected = ExpectedEntry.Synthetic(path, length, seed) with { Deflated = deflated };
        Files.Add(new ManifestFile
        {
            Path = path,
            Origin = origin,
            Source = $"/{length}/{seed}",
            Size = size ? length : null,
            Crc32 = crc ? expected.Crc.ToString("x8", System.Globalization.CultureInfo.InvariantCulture) : null,
            Modified = "2026-07-14T09:30:00Z",
        });
        Expected.Add(expected);
        return this;
    }

    public ArchiveSpec Directory(string path)
    {
        Files.Add(new ManifestFile { Path = path, Modified = "2026-07-14T09:30:00Z" });
        Expected.Add(ExpectedEntry.Directory(path));
        return this;
    }

    /// <summary>A raw manifest item with no expectation (for archives that must fail).</summary>
    public ArchiveSpec Raw(ManifestFile file)
    {
        Files.Add(file);
        return this;
    }

    public string ToJson() => JsonSerializer.Serialize(new ManifestJson { Name = Name, Format = Format, Compression = Compression, Files = Files }, s_json);

    private sealed class ManifestJson
    {
        [JsonPropertyName("name")] public string? Name { get; init; }
        [JsonPropertyName("format")] public string? Format { get; init; }
        [JsonPropertyName("compression")] public string? Compression { get; init; }
        [JsonPropertyName("files")] public required List<ManifestFile> Files { get; init; }
    }
}
