using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using RawZipServer.Http;

namespace RawZipServer.Benchmarks;

/// <summary>
/// <see cref="RequestParser.TryParse"/> on request heads as they arrive: a minimal one (the baseline),
/// a browser's (15 headers, 725 bytes, a cookie) and a CDN's fetch of a signed link (11 headers,
/// 565 bytes; query with expires and a 64-digit signature, Via/X-Forwarded-*), each from one segment
/// and from four (as a socket read split across pipe buffers delivers it). <c>ScanOnly</c> is the floor: finding CRLFCRLF
/// with a <see cref="SequenceReader{T}"/> over the same bytes, no parsing.
/// </summary>
[MemoryDiagnoser]
public class RequestParserBenchmarks
{
    private const string Minimal = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";

    private const string Browser =
        "GET /archive/holiday-photos HTTP/1.1\r\n" +
        "Host: downloads.example.com\r\n" +
        "Connection: keep-alive\r\n" +
        "sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n" +
        "sec-ch-ua-mobile: ?0\r\n" +
        "sec-ch-ua-platform: \"Linux\"\r\n" +
        "Upgrade-Insecure-Requests: 1\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8\r\n" +
        "Sec-Fetch-Site: same-site\r\n" +
        "Sec-Fetch-Mode: navigate\r\n" +
        "Sec-Fetch-Dest: document\r\n" +
        "Referer: https://photos.example.com/albums/holiday\r\n" +
        "Accept-Encoding: gzip, deflate, br, zstd\r\n" +
        "Accept-Language: en-GB,en;q=0.9,de;q=0.8\r\n" +
        "Cookie: session=7f3c2a1b9d8e4f60a1b2c3d4e5f60718; theme=dark\r\n" +
        "\r\n";

    private const string SignedLinkViaCdn =
        "GET /archive/holiday-photos?expires=1784021400&signature=3f9a0c6e1b27d48e5a6f7c8d9e0a1b2c3d4e5f60718293a4b5c6d7e8f9012345 HTTP/1.1\r\n" +
        "Host: origin-downloads.example.com\r\n" +
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36\r\n" +
        "Accept: */*\r\n" +
        "Accept-Encoding: gzip\r\n" +
        "Via: 1.1 varnish, 1.1 cdn-edge-fra1\r\n" +
        "X-Forwarded-For: 203.0.113.7, 198.51.100.23\r\n" +
        "X-Forwarded-Proto: https\r\n" +
        "X-Forwarded-Host: downloads.example.com\r\n" +
        "CDN-Loop: cdn-edge; loops=1\r\n" +
        "X-Request-Id: 01JD5Q7M3X9T2V8K4N6P0R1S3W\r\n" +
        "Connection: keep-alive\r\n" +
        "\r\n";

    private readonly RequestHead _head = new();
    private ReadOnlySequence<byte> _minimal, _browser, _browserSplit, _signed, _signedSplit;

    [GlobalSetup]
    public void Setup()
    {
        _minimal = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(Minimal));
        _browser = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(Browser));
        _browserSplit = Segments.Split(Encoding.ASCII.GetBytes(Browser), 4);
        _signed = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(SignedLinkViaCdn));
        _signedSplit = Segments.Split(Encoding.ASCII.GetBytes(SignedLinkViaCdn), 4);
    }

    [Benchmark(Baseline = true)]
    public long Minimal_OneSegment() => Parse(_minimal);

    [Benchmark]
    public long Browser_OneSegment() => Parse(_browser);

    [Benchmark]
    public long Browser_FourSegments() => Parse(_browserSplit);

    [Benchmark]
    public long SignedLink_OneSegment() => Parse(_signed);

    [Benchmark]
    public long SignedLink_FourSegments() => Parse(_signedSplit);

    [Benchmark]
    public long Browser_ScanOnly() => Scan(_browser);

    [Benchmark]
    public long Browser_FourSegments_ScanOnly() => Scan(_browserSplit);

    private long Parse(in ReadOnlySequence<byte> bytes)
    {
        long searched = 0;
        if (!RequestParser.TryParse(bytes, 32 * 1024, _head, ref searched, out var consumed))
        {
            throw new InvalidOperationException("incomplete head");
        }

        return bytes.Slice(0, consumed).Length;
    }

    private static long Scan(in ReadOnlySequence<byte> bytes)
    {
        var reader = new SequenceReader<byte>(bytes);
        return reader.TryReadTo(out ReadOnlySequence<byte> _, "\r\n\r\n"u8) ? reader.Consumed : -1;
    }

    /// <summary>A <see cref="ReadOnlySequence{T}"/> over several arrays, as a pipe hands out a read that spans buffers.</summary>
    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Split(byte[] bytes, int count)
        {
            int size = (bytes.Length + count - 1) / count;
            var first = new Segments(bytes.AsMemory(0, size).ToArray(), 0);
            var last = first;
            for (int at = size; at < bytes.Length; at += size)
            {
                var next = new Segments(bytes.AsMemory(at, Math.Min(size, bytes.Length - at)).ToArray(), at);
                last.Next = next;
                last = next;
            }

            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
