using System.Text;
using CsCheck;
using RawZipServer.Http;
using RawZipServer.Manifest;
using RawZipServer.Origin;
using RawZipServer.UnitTests.Infrastructure;

namespace RawZipServer.UnitTests.Properties;

/// <summary>
/// Issue 5, item 5 (hostile input), property-based with CsCheck: the HTTP request parser and the manifest parsers
/// (JSON and mod_zip), fed arbitrary bytes in arbitrary segmentations, end in a result or their own exception type
/// (which the server turns into a status), never in another exception or a hang; and a valid request parses the
/// same however it is split.
/// </summary>
public sealed class ParserPropertyTests
{
    private const int Limit = 4096;
    private static readonly TimeSpan s_hangLimit = TimeSpan.FromSeconds(30);

    /// <summary>Bytes that look like requests often enough to get past the request line: valid heads, mutated and truncated, and noise.</summary>
    private static readonly Gen<byte[]> s_requestish = Gen.OneOf(
        Gen.Byte.Array[0, 600],
        ValidRequest().Select(Gen.Int, Gen.Byte, (r, at, b) => Mutate(Encoding.Latin1.GetBytes(r), at, b)),
        ValidRequest().Select(Gen.Int, (r, cut) => Encoding.Latin1.GetBytes(r)[..(Math.Abs(cut % (r.Length + 1)))]),
        Gen.OneOf<string>("\r\n", "\r", "\n", ":", " ", "GET", "HTTP/1.1", "Host", "Content-Length: ", "Transfer-Encoding: chunked", "\0", "\u00ff", "9999999999999999999999")
            .Array[0, 40].Select(parts => Encoding.Latin1.GetBytes(string.Concat(parts))));

    private static byte[] Mutate(byte[] bytes, int at, byte value)
    {
        if (bytes.Length > 0)
        {
            bytes[Math.Abs(at % bytes.Length)] = value;
        }

        return bytes;
    }

    /// <summary>A request head the parser must accept: method, path with query, a handful of the headers it acts on and others.</summary>
    private static Gen<string> ValidRequest() =>
        Gen.Select(
            Gen.OneOf<string>("GET", "HEAD", "POST", "DELETE"),
            Gen.String[Gen.Char["abcXYZ019._-"], 1, 30],
            Gen.String[Gen.Char["a=1&b.%20"], 0, 20],
            Gen.OneOf<string>("HTTP/1.1", "HTTP/1.0"),
            Gen.OneOf<string>(
                "Range: bytes=0-99", "If-Range: \"e\"", "Authorization: Bearer k", "Cookie: a=1", "X-Forwarded-For: 10.0.0.1",
                "Connection: close", "Connection: keep-alive", "User-Agent: p/1", "Accept: */*", "Content-Length: 12", "x-custom:\t v \t").Array[0, 8],
            (method, path, query, version, headers) =>
                $"{method} /archive/{path}{(query.Length > 0 ? "?" + query : "")} {version}\r\nHost: h\r\n{string.Concat(headers.Distinct().Select(h => h + "\r\n"))}\r\n");

    /// <summary>Splits <paramref name="bytes"/> at the (sorted, clamped) <paramref name="cuts"/>.</summary>
    private static byte[][] Split(byte[] bytes, int[] cuts)
    {
        var points = cuts.Select(c => Math.Abs(c % (bytes.Length + 1))).Order().ToArray();
        var parts = new List<byte[]>();
        int previous = 0;
        foreach (int p in points)
        {
            parts.Add(bytes[previous..p]);
            previous = p;
        }

        parts.Add(bytes[previous..]);
        return [.. parts];
    }

    /// <summary>
    /// Feeds the parts as a socket would deliver them (the sequence grows one segment at a time, <c>searched</c> carried
    /// over); returns the description of the parsed head, null when it is still incomplete, or the rejection.
    /// </summary>
    private static string? Feed(byte[][] parts)
    {
        var head = new RequestHead();
        long searched = 0;
        for (int n = 1; n <= parts.Length; n++)
        {
            var buffer = Sequences.FromParts(parts[..n]);
            try
            {
                if (RequestParser.TryParse(buffer, Limit, head, ref searched, out var consumed))
                {
                    return Describe(head) + "|consumed=" + buffer.Slice(0, consumed).Length;
                }
            }
            catch (BadRequestException ex)
            {
                return "rejected: " + ex.Reason;
            }
        }

        return null;
    }

    private static string Describe(RequestHead h) =>
        $"{h.Method}|{h.Target}|{h.Path}|{h.Query}|{h.Version}|{h.KeepAlive}|{h.ContentLength}|{h.HasHost}|{h.HasTransferEncoding}|" +
        $"{h.Range}|{h.IfRange}|{h.Authorization}|{h.Cookie}|{h.ForwardedFor}";

    private static Task Bounded(Action property) => Task.Run(property).WaitAsync(s_hangLimit);

    [Fact]
    public Task RequestParserOnArbitraryBytesInArbitrarySegmentsOnlyParsesOrRejects() => Bounded(() =>
        Gen.Select(s_requestish, Gen.Int.Array[0, 8]).Sample((bytes, cuts) =>
        {
            // Any other exception escapes Feed and fails the property, with CsCheck's shrunk example.
            string? whole = Feed([bytes]);
            string? split = Feed(Split(bytes, cuts));
            // Segmentation changes nothing: the same answer, or (split) still waiting where the whole was incomplete too.
            Assert.Equal(whole, split);
        }, iter: 5000, threads: 1));

    [Fact]
    public Task ValidRequestsSplitAtEveryByteBoundaryParseIdentically() => Bounded(() =>
        ValidRequest().Sample(request =>
        {
            byte[] bytes = Encoding.Latin1.GetBytes(request);
            string? expected = Feed([bytes]);
            Assert.NotNull(expected);
            Assert.DoesNotContain("rejected", expected, StringComparison.Ordinal);
            // One byte per segment, arriving one at a time: every boundary at once, and every incomplete prefix.
            Assert.Equal(expected, Feed([.. Enumerable.Range(0, bytes.Length).Select(k => bytes[k..(k + 1)])]));
            for (int i = 0; i <= bytes.Length; i++)
            {
                Assert.Equal(expected, Feed([bytes[..i], bytes[i..]]));
            }
        }, iter: 300, threads: 1));

    private static readonly ManifestReader s_reader =
        new(new OriginRegistry(new Dictionary<string, RawZipServer.Origin.Origin> { ["s"] = new SyntheticOrigin("s") }, "s"), 100);

    private const string ValidJson =
        "{\"name\":\"n\",\"format\":\"zip\",\"files\":[{\"path\":\"a/b.txt\",\"origin\":\"s\",\"source\":\"100/1\",\"size\":100,\"crc32\":\"0badc0de\",\"modified\":\"2026-01-01T00:00:00Z\"},{\"path\":\"d/\"}]}";

    private const string ValidModZip = "1034ab38 428    /foo.txt   My Document1.txt\r\n- 100339 /bar%20x.txt   dir/Other.txt\n\n";

    private static Gen<byte[]> Manifestish(string valid) => Gen.OneOf(
        Gen.Byte.Array[0, 400],
        Gen.Select(Gen.Int.Array[1, 6], Gen.Byte.Array[1, 6], (at, values) =>
        {
            byte[] bytes = Encoding.UTF8.GetBytes(valid);
            for (int i = 0; i < Math.Min(at.Length, values.Length); i++)
            {
                bytes = Mutate(bytes, at[i], values[i]);
            }

            return bytes;
        }),
        Gen.Int.Select(cut => Encoding.UTF8.GetBytes(valid)[..Math.Abs(cut % (valid.Length + 1))]),
        Gen.OneOf<string>("{", "}", "[", "]", "\"files\"", ":", ",", "\"path\"", "\"size\"", "-1", "1e999", "null", "\"\\u0000\"", "\"..\"", " ", "\n", "-", "ffffffff", "/x", "%zz", "\"a\"")
            .Array[0, 40].Select(parts => Encoding.UTF8.GetBytes(string.Concat(parts))));

    [Fact]
    public Task JsonManifestParserOnArbitraryBytesOnlyReadsOrRejectsWithManifestException() => Bounded(() =>
        Manifestish(ValidJson).Sample(bytes =>
        {
            try
            {
                s_reader.Read(bytes, "id");
            }
            catch (ManifestException)
            {
            }
        }, iter: 5000, threads: 1));

    [Fact]
    public Task ModZipManifestParserOnArbitraryBytesOnlyReadsOrRejectsWithManifestException() => Bounded(() =>
        Manifestish(ValidModZip).Sample(bytes =>
        {
            try
            {
                s_reader.ReadModZip(bytes, "id");
            }
            catch (ManifestException)
            {
            }
        }, iter: 5000, threads: 1));
}
