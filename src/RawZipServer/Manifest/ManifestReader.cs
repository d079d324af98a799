using System.Globalization;
using System.Text;
using System.Text.Json;
using RawZipServer.Origin;

namespace RawZipServer.Manifest;

/// <summary>Turns a JSON manifest into an <see cref="ArchiveManifest"/>, or a 400 naming the entry and the problem.</summary>
internal sealed class ManifestReader(OriginRegistry origins, int maxEntries)
{
    public ArchiveManifest Read(ReadOnlySpan<byte> json, string id) => Validate(ParseJson(json), id);

    /// <summary>The JSON syntax step alone, so a caller can tell an unreadable body from an invalid manifest.</summary>
    public static ManifestDocument ParseJson(ReadOnlySpan<byte> json)
    {
        ManifestDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(json, ManifestJsonContext.Default.ManifestDocument);
        }
        catch (JsonException ex)
        {
            throw new ManifestException(400, $"manifest is not valid: {ex.Message.ReplaceLineEndings(" ")}");
        }

        return document ?? throw new ManifestException(400, "manifest is null");
    }

    /// <summary>A manifest in nginx mod_zip's text format (<see cref="ModZipManifestParser"/>).</summary>
    public ArchiveManifest ReadModZip(ReadOnlySpan<byte> text, string id) => Validate(ModZipManifestParser.Parse(text), id);

    public ArchiveManifest Validate(ManifestDocument document, string id)
    {
        var format = document.Format switch
        {
            null or "zip" => ArchiveFormat.Zip,
            "tar" => ArchiveFormat.Tar,
            _ => throw new ManifestException(400, $"manifest format '{document.Format}' is unknown (zip or tar)"),
        };
        var compression = ParseCompression(document.Compression, format, "manifest") ?? Compression.Store;
        string fileName = document.Name ?? id + (format == ArchiveFormat.Tar ? ".tar" : ".zip");
        if (fileName.Length == 0 || fileName.Contains('/') || fileName.Contains('\\') || fileName.Any(char.IsControl))
        {
            throw new ManifestException(400, "manifest name must be a plain file name");
        }

        var files = document.Files ?? [];
        if (files.Count > maxEntries)
        {
            throw new ManifestException(400, $"manifest has {files.Count} entries, more than Limits:MaxEntries ({maxEntries})");
        }

        var entries = new List<ManifestEntry>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            entries.Add(ReadEntry(files[i] ?? throw ManifestException.Entry(i, "entry is null"), i, format, compression));
        }

        return new ArchiveManifest { FileName = fileName, Format = format, Entries = DuplicateNames.Resolve(entries) };
    }

    private ManifestEntry ReadEntry(ManifestFileDocument file, int index, ArchiveFormat format, Compression archiveCompression)
    {
        string path = file.Path ?? throw ManifestException.Entry(index, "path is missing");
        bool isDirectory = path.EndsWith('/') && file.Source is null;
        if (ArchivePath.Check(path, isDirectory) is { } problem)
        {
            throw ManifestException.Entry(index, problem);
        }

        var compression = ParseCompression(file.Compression, format, $"manifest entry {index}:") ?? archiveCompression;
        if (isDirectory)
        {
            if (file.Size is not (null or 0) || file.Crc32 is not null)
            {
                throw ManifestException.Entry(index, "a directory entry has no size or crc32");
            }

            return new ManifestEntry { Index = index, Path = path, PathUtf8 = Encoding.UTF8.GetBytes(path), IsDirectory = true, Size = 0, Modified = ParseTime(file.Modified, index) };
        }

        if (file.Source is null)
        {
            throw ManifestException.Entry(index, "a file needs a source (a path ending in '/' without source is a directory)");
        }

        var origin = origins.Find(file.Origin) ?? throw ManifestException.Entry(index, file.Origin is null
            ? "no origin given and no DefaultOrigin configured"
            : $"unknown origin '{file.Origin}'");
        if (origin.CheckSource(file.Source) is { } sourceProblem)
        {
            throw ManifestException.Entry(index, sourceProblem);
        }

        if (file.Size is < 0)
        {
            throw ManifestException.Entry(index, "size is negative");
        }

        uint? crc = ParseCrc(file.Crc32, index);
        if (file.Size == 0 && crc is not (null or 0))
        {
            throw ManifestException.Entry(index, "crc32 of an empty file can only be 00000000");
        }

        return new ManifestEntry
        {
            Index = index,
            Path = path,
            PathUtf8 = Encoding.UTF8.GetBytes(path),
            Origin = origin.Name,
            Source = file.Source,
            Size = file.Size ?? -1,
            Deflate = compression == Compression.Deflate || (compression == Compression.Auto && !CompressedTypes.IsCompressed(path)),
            Crc32 = crc,
            Modified = ParseTime(file.Modified, index),
            ETag = file.Etag is null or [] || file.Etag.StartsWith('"') || file.Etag.StartsWith("W/\"", StringComparison.Ordinal) ? file.Etag : $"\"{file.Etag}\"",
        };
    }

    private enum Compression
    {
        Store,
        Deflate,
        /// <summary>Deflate, except the types <see cref="CompressedTypes"/> names.</summary>
        Auto,
    }

    private static Compression? ParseCompression(string? compression, ArchiveFormat format, string where)
    {
        var value = compression switch
        {
            null => (Compression?)null,
            "store" => Compression.Store,
            "deflate" => Compression.Deflate,
            "auto" => Compression.Auto,
            _ => throw new ManifestException(400, $"{where} compression '{compression}' is unknown (store, deflate or auto)"),
        };
        if (format == ArchiveFormat.Tar && value is Compression.Deflate or Compression.Auto)
        {
            // SPEC §4: compression is per archive and per file for zip only; a tar is never compressed here.
            throw new ManifestException(400, $"{where} compression '{compression}' is for zip archives only, not tar");
        }

        return value;
    }

    private static uint? ParseCrc(string? crc, int index)
    {
        if (crc is null)
        {
            return null;
        }

        if (crc.Length != 8 || !uint.TryParse(crc, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value))
        {
            throw ManifestException.Entry(index, $"crc32 '{crc}' is not 8 hex digits");
        }

        return value;
    }

    private static DateTimeOffset? ParseTime(string? time, int index)
    {
        if (time is null)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(time, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
        {
            throw ManifestException.Entry(index, $"modified '{time}' is not an RFC 3339 time");
        }

        return value;
    }
}
