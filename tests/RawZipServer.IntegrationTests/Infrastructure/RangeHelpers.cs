using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>Manifests with times (so the archive has validators) and range requests for the resume and range tests.</summary>
internal static class RangeHelpers
{
    public const string Modified = "2026-07-14T09:30:00Z";

    /// <summary>A JSON manifest from (path, origin, source, size, crc, etag) items; a null source makes a directory.</summary>
    public static string ManifestJson(IEnumerable<(string Path, string? Origin, string? Source, long Size, uint? Crc, string? ETag)> files)
    {
        var list = new List<Dictionary<string, object>>();
        foreach (var f in files)
        {
            var item = new Dictionary<string, object> { ["path"] = f.Path, ["modified"] = Modified };
            if (f.Source is not null)
            {
                item["source"] = f.Source;
                item["size"] = f.Size;
                if (f.Origin is not null)
                {
                    item["origin"] = f.Origin;
                }

                if (f.Crc is { } crc)
                {
                    item["crc32"] = crc.ToString("x8");
                }

                if (f.ETag is not null)
                {
                    item["etag"] = f.ETag;
                }
            }

            list.Add(item);
        }

        return JsonSerializer.Serialize(new Dictionary<string, object> { ["files"] = list });
    }

    /// <summary>GET with <c>Range: bytes=from-to</c> (<paramref name="to"/> null: open-ended) and an optional If-Range.</summary>
    public static async Task<(HttpStatusCode Status, HttpResponseMessage Response, byte[] Body)> GetRangeAsync(
        HttpClient client, string path, long from, long? to, string? ifRange = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Range = new RangeHeaderValue(from, to);
        if (ifRange is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Range", ifRange);
        }

        var response = await client.SendAsync(request);
        byte[] body = await response.Content.ReadAsByteArrayAsync();
        return (response.StatusCode, response, body);
    }

    /// <summary>A download that stops after <paramref name="take"/> bytes: the client reads them and hangs up.</summary>
    public static async Task<(byte[] Head, string ETag)> InterruptedDownloadAsync(HttpClient client, string path, int take)
    {
        using var response = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        string etag = response.Headers.ETag!.ToString();
        await using var stream = await response.Content.ReadAsStreamAsync();
        byte[] head = new byte[take];
        await stream.ReadExactlyAsync(head);
        return (head, etag);
    }

    /// <summary>
    /// Archive offsets around which a range is most likely wrong: every record signature (local header,
    /// descriptor, central directory, end records) and every local header's end (its data's start).
    /// Random data may fake a signature; that only adds test points.
    /// </summary>
    public static SortedSet<long> PieceBoundaries(byte[] archive)
    {
        var points = new SortedSet<long> { 0, archive.Length };
        for (int i = 0; i + 4 <= archive.Length; i++)
        {
            if (archive[i] != 0x50 || archive[i + 1] != 0x4b)
            {
                continue;
            }

            int kind = archive[i + 2] << 8 | archive[i + 3];
            if (kind is 0x0304 or 0x0708 or 0x0102 or 0x0506 or 0x0606 or 0x0607)
            {
                points.Add(i);
                if (kind == 0x0304 && i + 30 <= archive.Length)
                {
                    points.Add(i + 30 + BitConverter.ToUInt16(archive, i + 26) + BitConverter.ToUInt16(archive, i + 28));
                }
            }
        }

        return points;
    }
}
