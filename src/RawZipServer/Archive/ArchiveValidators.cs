using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RawZipServer.Manifest;

namespace RawZipServer.Archive;

/// <summary>
/// The archive's <c>ETag</c> and <c>Last-Modified</c> (SPEC §3 "Ranges and validators"), from the manifest
/// alone so that <c>HEAD</c> touches no origin and a restart gives the same values.
/// </summary>
/// <remarks>
/// Canonical form, version 1 (README "ETag"): the ASCII line <c>rawzip-etag-1</c>, then fields, each
/// written as its UTF-8 byte length (4 bytes, big-endian) followed by its bytes: the format
/// (<c>zip</c>/<c>tar</c>) and the entry count, then per entry in archive order: path (after renaming
/// duplicates), kind (<c>d</c>/<c>f</c>), origin name (the default resolved; empty for a directory), source, size (0 for
/// a directory), CRC-32
/// (8 lowercase hex digits or empty), modified (UTC .NET ticks, decimal), origin etag (as the server
/// pins it, quotes included, or empty) and compression (<c>store</c>/<c>deflate</c>). The ETag is
/// <c>"rz1-</c> + the first 16 bytes of SHA-256 over that, lowercase hex + <c>"</c>. The download name
/// is left out (it changes no byte of the body); nothing of the request or the release goes in.
/// </remarks>
internal sealed class ArchiveValidators
{
    private ArchiveValidators(string etag, DateTimeOffset lastModified)
    {
        ETag = etag;
        ETagUtf8 = Encoding.ASCII.GetBytes(etag);
        LastModified = lastModified;
    }

    public string ETag { get; }
    public byte[] ETagUtf8 { get; }
    /// <summary>The newest entry time, whole seconds (HTTP dates have no more).</summary>
    public DateTimeOffset LastModified { get; }

    /// <summary>
    /// The validators of an archive of known length, or null. Every entry needs a <c>modified</c> time in the
    /// manifest: without one the time comes from the origin's Last-Modified (unknown before opening it, so not
    /// for <c>HEAD</c> or a range that skips the file) or from the request time, which differs between a
    /// download and its resumption; such an archive is served whole, without Accept-Ranges.
    /// </summary>
    public static ArchiveValidators? For(ArchiveManifest manifest, long length, string? defaultOrigin)
    {
        if (length < 0)
        {
            return null;
        }

        var newest = DateTimeOffset.MinValue;
        foreach (var e in manifest.Entries)
        {
            if (e.Modified is not { } modified)
            {
                return null;
            }

            if (modified > newest)
            {
                newest = modified;
            }
        }

        if (manifest.Entries.Length == 0)
        {
            newest = DateTimeOffset.UnixEpoch;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData("rawzip-etag-1\n"u8);
        Field(hash, manifest.Format == ArchiveFormat.Tar ? "tar" : "zip");
        Field(hash, manifest.Entries.Length.ToString(CultureInfo.InvariantCulture));
        foreach (var e in manifest.Entries)
        {
            Field(hash, e.Path);
            Field(hash, e.IsDirectory ? "d" : "f");
            Field(hash, e.IsDirectory ? "" : e.Origin ?? defaultOrigin ?? "");
            Field(hash, e.Source ?? "");
            Field(hash, e.Size.ToString(CultureInfo.InvariantCulture));
            Field(hash, e.Crc32 is { } crc ? crc.ToString("x8", CultureInfo.InvariantCulture) : "");
            Field(hash, e.Modified!.Value.UtcTicks.ToString(CultureInfo.InvariantCulture));
            Field(hash, e.ETag ?? "");
            Field(hash, e.Deflate ? "deflate" : "store");
        }

        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        string etag = "\"rz1-" + Convert.ToHexStringLower(digest[..16]) + "\"";
        return new ArchiveValidators(etag, new DateTimeOffset(newest.UtcTicks - newest.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero));
    }

    private static void Field(IncrementalHash hash, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
