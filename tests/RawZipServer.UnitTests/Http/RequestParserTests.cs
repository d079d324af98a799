using System.Buffers;
using System.Text;
using RawZipServer.Http;
using RawZipServer.UnitTests.Infrastructure;
using HttpMethod = RawZipServer.Http.HttpMethod;

namespace RawZipServer.UnitTests.Http;

public sealed class RequestParserTests
{
    private const int DefaultLimit = 32 * 1024;

    private const string FullGet =
        "GET /archive/photos.2026?expires=1700000000&signature=abcdef HTTP/1.1\r\n" +
        "Host: downloads.example.com\r\n" +
        "Connection: keep-alive\r\n" +
        "Range: bytes=100-199\r\n" +
        "If-Range: \"abc\"\r\n" +
        "Authorization: Bearer secret-key\r\n" +
        "Cookie: session=1\r\n" +
        "X-Forwarded-For: 203.0.113.7\r\n" +
        "User-Agent: curl/8.5.0\r\n" +
        "\r\n";

    private const string Post =
        "POST /archive HTTP/1.1\r\n" +
        "Host: h\r\n" +
        "Content-Type: application/json\r\n" +
        "Content-Length: 1234\r\n" +
        "Authorization: Bearer k\r\n" +
        "\r\n";

    private static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    /// <summary>Parses a complete single-segment head and checks that exactly the head was consumed.</summary>
    private static RequestHead ParseComplete(string text, int limit = DefaultLimit)
    {
        byte[] bytes = Bytes(text);
        var buffer = new ReadOnlySequence<byte>(bytes);
        var head = new RequestHead();
        long searched = 0;
        Assert.True(RequestParser.TryParse(buffer, limit, head, ref searched, out var consumed));
        Assert.Equal(bytes.Length, buffer.Slice(0, consumed).Length);
        return head;
    }

    private static BadRequestException Reject(string text, int limit = DefaultLimit) => Reject(Bytes(text), limit);

    private static BadRequestException Reject(byte[] bytes, int limit = DefaultLimit) =>
        Assert.Throws<BadRequestException>(() =>
        {
            var buffer = new ReadOnlySequence<byte>(bytes);
            long searched = 0;
            RequestParser.TryParse(buffer, limit, new RequestHead(), ref searched, out _);
        });

    /// <summary>Every field the parser fills, as text, so two parses can be compared in one assertion.</summary>
    private static string Describe(RequestHead h) =>
        $"{h.Method}|{h.Target}|{h.Path}|{h.Query}|{h.Version}|{h.KeepAlive}|{h.ContentLength}|{h.HasHost}|{h.HasTransferEncoding}|" +
        $"{h.Range}|{h.IfRange}|{h.Authorization}|{h.Cookie}|{h.ForwardedFor}";

    [Fact]
    public void ParserReadsGetRequestWithEveryHeaderItActsOn()
    {
        var head = ParseComplete(FullGet);

        Assert.Equal(HttpMethod.Get, head.Method);
        Assert.Equal("/archive/photos.2026?expires=1700000000&signature=abcdef", head.Target);
        Assert.Equal("/archive/photos.2026", head.Path.ToString());
        Assert.Equal("expires=1700000000&signature=abcdef", head.Query.ToString());
        Assert.Equal(11, head.Version);
        Assert.True(head.KeepAlive);
        Assert.True(head.HasHost);
        Assert.False(head.HasTransferEncoding);
        Assert.Equal(-1, head.ContentLength);
        Assert.Equal("bytes=100-199", head.Range);
        Assert.Equal("\"abc\"", head.IfRange);
        Assert.Equal("Bearer secret-key", head.Authorization);
        Assert.Equal("session=1", head.Cookie);
        Assert.Equal("203.0.113.7", head.ForwardedFor);
    }

    [Fact]
    public void ParserReadsPostWithContentLength()
    {
        var head = ParseComplete(Post);

        Assert.Equal(HttpMethod.Post, head.Method);
        Assert.Equal("/archive", head.Target);
        Assert.Equal(1234, head.ContentLength);
        Assert.Equal("Bearer k", head.Authorization);
        Assert.True(head.Query.IsEmpty);
        Assert.Null(head.Range);
        Assert.Null(head.Cookie);
    }

    [Fact]
    public void ParserReadsHeadRequestWithoutQuery()
    {
        var head = ParseComplete("HEAD /archive/demo HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(HttpMethod.Head, head.Method);
        Assert.Equal("/archive/demo", head.Path.ToString());
        Assert.True(head.Query.IsEmpty);
    }

    [Theory]
    [InlineData("GET", "Get")]
    [InlineData("HEAD", "Head")]
    [InlineData("POST", "Post")]
    [InlineData("DELETE", "Other")]
    [InlineData("OPTIONS", "Other")]
    [InlineData("M-SEARCH", "Other")]
    // Methods are case-sensitive tokens (RFC 9110 §9.1): "get" is a different, unknown method (405), not malformed.
    [InlineData("get", "Other")]
    [InlineData("Get", "Other")]
    public void ParserMapsMethodTokens(string method, string expected)
    {
        var head = ParseComplete($"{method} / HTTP/1.1\r\nHost: x\r\n\r\n");

        Assert.Equal(expected, head.Method.ToString());
    }

    [Fact]
    public void ParserMatchesHeaderNamesCaseInsensitivelyAndTrimsValues()
    {
        var head = ParseComplete(
            "GET / HTTP/1.1\r\nhOsT: x\r\nrange:   bytes=1-2 \t\r\nCONTENT-LENGTH: 7\r\nx-forwarded-for:\t10.0.0.1\r\n\r\n");

        Assert.True(head.HasHost);
        Assert.Equal("bytes=1-2", head.Range);
        Assert.Equal(7, head.ContentLength);
        Assert.Equal("10.0.0.1", head.ForwardedFor);
    }

    [Fact]
    public void ParserJoinsRepeatedCookieAndForwardedForHeaders()
    {
        var head = ParseComplete(
            "GET / HTTP/1.1\r\nHost: x\r\nCookie: a=1\r\nX-Forwarded-For: 1.1.1.1\r\nCookie: b=2\r\nX-Forwarded-For: 2.2.2.2, 3.3.3.3\r\n\r\n");

        Assert.Equal("a=1; b=2", head.Cookie);
        Assert.Equal("1.1.1.1, 2.2.2.2, 3.3.3.3", head.ForwardedFor);
    }

    [Fact]
    public void ParserKeepsObsTextInHeaderValues()
    {
        // obs-text (0x80-0xFF) is a legal field-value byte; it is read as Latin-1.
        var head = ParseComplete("GET / HTTP/1.1\r\nHost: x\r\nCookie: n=\u00e9\u00ff\r\n\r\n");

        Assert.Equal("n=\u00e9\u00ff", head.Cookie);
    }

    [Theory]
    [InlineData("HTTP/1.1", null, true)]
    [InlineData("HTTP/1.1", "close", false)]
    [InlineData("HTTP/1.1", "Close", false)]
    [InlineData("HTTP/1.1", "keep-alive", true)]
    [InlineData("HTTP/1.1", "keep-alive, close", false)]
    [InlineData("HTTP/1.1", "Upgrade ,\tCLOSE", false)]
    [InlineData("HTTP/1.1", "closed", true)]
    [InlineData("HTTP/1.0", null, false)]
    [InlineData("HTTP/1.0", "keep-alive", true)]
    [InlineData("HTTP/1.0", "Keep-Alive", true)]
    [InlineData("HTTP/1.0", "close", false)]
    [InlineData("HTTP/1.0", "keep-alive, close", false)]
    public void ParserAppliesKeepAliveRulesOfEachVersion(string version, string? connection, bool keepAlive)
    {
        string text = $"GET / {version}\r\nHost: x\r\n" + (connection is null ? "" : $"Connection: {connection}\r\n") + "\r\n";

        var head = ParseComplete(text);

        Assert.Equal(version == "HTTP/1.1" ? 11 : 10, head.Version);
        Assert.Equal(keepAlive, head.KeepAlive);
    }

    [Fact]
    public void ParserAcceptsHttp10WithoutHost()
    {
        var head = ParseComplete("GET /healthz HTTP/1.0\r\n\r\n");

        Assert.Equal(10, head.Version);
        Assert.False(head.HasHost);
        Assert.False(head.KeepAlive);
    }

    [Theory]
    [InlineData("http://example.com/archive/x?y=1", "/archive/x?y=1")]
    [InlineData("https://example.com:8443/a/b", "/a/b")]
    [InlineData("http://example.com", "/")]
    [InlineData("http://user@example.com/p", "/p")]
    public void ParserReducesAbsoluteFormTargetToPathAndQuery(string target, string expected)
    {
        var head = ParseComplete($"GET {target} HTTP/1.1\r\nHost: example.com\r\n\r\n");

        Assert.Equal(expected, head.Target);
    }

    [Fact]
    public void ParserReducesAbsoluteFormTargetWithQueryButNoPath()
    {
        var head = ParseComplete("GET http://example.com?x=1 HTTP/1.1\r\nHost: example.com\r\n\r\n");

        Assert.Equal("/?x=1", head.Target);
    }

    [Theory]
    [InlineData("Content-Length: 0\r\n", 0L)]
    [InlineData("Content-Length: 00042\r\n", 42L)]
    [InlineData("Content-Length: 42\r\nContent-Length: 42\r\n", 42L)]
    [InlineData("Content-Length: 999999999999999999\r\n", 999999999999999999L)]
    public void ParserReadsValidContentLength(string headers, long expected)
    {
        var head = ParseComplete($"POST /archive HTTP/1.1\r\nHost: x\r\n{headers}\r\n");

        Assert.Equal(expected, head.ContentLength);
    }

    public static TheoryData<string, int, string> Malformed => new()
    {
        // request line
        { "GARBAGE\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET /\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET / \r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET  / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { " GET / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET / HTTP/1.1 \r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "G@T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GE(T) / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET\t/ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "G\u00c9T / HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET /a\u0001b HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET /\u00e4 HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET /a\u007fb HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET example.com/a HTTP/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET / http/1.1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET / HTTP/1\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET / HTTP/1.10\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET / HTTP/x.y\r\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        { "GET / HTTP/1.1\nHost: x\r\n\r\n", 400, "MalformedRequestLine" },
        // header lines
        { "GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\n X-Folded: y\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n continued\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\n\tX-A: a\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\n: empty-name\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\nX(A): b\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\nb\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u007fb\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1\u0001\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "MalformedHeader" },
        { "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 400, "MalformedHeader" },
        // Host
        { "GET / HTTP/1.1\r\n\r\n", 400, "MissingHost" },
        { "GET / HTTP/1.1\r\nX-Host: a\r\n\r\n", 400, "MissingHost" },
        // Content-Length
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: \r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +1\r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1 2\r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1e3\r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 42, 42\r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1234567890123456789\r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400, "InvalidContentLength" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "InvalidContentLength" },
        // Transfer-Encoding, whatever its value
        { "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 501, "TransferEncodingNotImplemented" },
        { "POST / HTTP/1.1\r\nHost: x\r\ntransfer-encoding: identity\r\n\r\n", 501, "TransferEncodingNotImplemented" },
        { "GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501, "TransferEncodingNotImplemented" },
        { "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 501, "TransferEncodingNotImplemented" },
        { "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 501, "TransferEncodingNotImplemented" },
        // versions we do not speak
        { "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "VersionNotSupported" },
        { "GET / HTTP/1.2\r\nHost: x\r\n\r\n", 505, "VersionNotSupported" },
        { "GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505, "VersionNotSupported" },
        { "GET / HTTP/0.9\r\nHost: x\r\n\r\n", 505, "VersionNotSupported" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void ParserRefusesMalformedHeadsWithTheRightStatus(string request, int status, string reason)
    {
        var ex = Reject(request);

        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(reason, ex.Reason.ToString());
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void ParserRefusesMalformedHeadsAlsoWhenSplitIntoOneByteSegments(string request, int status, string reason)
    {
        var ex = Assert.Throws<BadRequestException>(() =>
        {
            var buffer = Sequences.OneBytePerSegment(Bytes(request));
            long searched = 0;
            RequestParser.TryParse(buffer, DefaultLimit, new RequestHead(), ref searched, out _);
        });

        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(reason, ex.Reason.ToString());
    }

    [Fact]
    public void ParserRejectsWhitespaceBeforeColonWith400()
    {
        var ex = Reject("GET / HTTP/1.1\r\nHost: x\r\nRange : bytes=0-1\r\n\r\n");

        Assert.Equal(400, ex.StatusCode);
    }

    [Fact]
    public void ParserAnswers414WhenTheRequestLineAloneExceedsTheLimit()
    {
        string request = "GET /" + new string('a', 2000); // no CRLF yet: the client is still sending the line

        var ex = Reject(request, limit: 1024);

        Assert.Equal(414, ex.StatusCode);
        Assert.Equal(RequestRejectionReason.RequestLineTooLong, ex.Reason);
    }

    [Fact]
    public void ParserAnswers414WhenTheRequestLineEndsOnlyPastTheLimit()
    {
        string request = "GET /" + new string('a', 2000) + " HTTP/1.1\r\nHost: x\r\n\r\n";

        Assert.Equal(414, Reject(request, limit: 1024).StatusCode);
    }

    [Fact]
    public void ParserAnswers431WhenTheHeadersExceedTheLimit()
    {
        string request = "GET / HTTP/1.1\r\nHost: x\r\nCookie: " + new string('c', 2000) + "\r\n\r\n";

        var ex = Reject(request, limit: 1024);

        Assert.Equal(431, ex.StatusCode);
        Assert.Equal(RequestRejectionReason.HeadersTooLarge, ex.Reason);
    }

    [Fact]
    public void ParserAnswers431ForManySmallHeaderLines()
    {
        var sb = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 200; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"X-H{i}: v\r\n");
        }

        Assert.Equal(431, Reject(sb.Append("\r\n").ToString(), limit: 1024).StatusCode);
    }

    [Fact]
    public void ParserAcceptsAHeadExactlyAtTheLimitAndRefusesOneByteMore()
    {
        string prefix = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: ";
        string request = prefix + new string('p', 1000 - prefix.Length - 4) + "\r\n\r\n";
        Assert.Equal(1000, request.Length);
        // Bytes after the head (a pipelined request or a body) do not count against the limit.
        byte[] bytes = Bytes(request + "POST /archive HTTP/1.1\r\n");

        var head = new RequestHead();
        long searched = 0;
        Assert.True(RequestParser.TryParse(new ReadOnlySequence<byte>(bytes), 1000, head, ref searched, out var consumed));
        Assert.Equal(1000, new ReadOnlySequence<byte>(bytes).Slice(0, consumed).Length);
        Assert.True(head.HasHost);

        Assert.Equal(431, Reject(request, limit: 999).StatusCode);
    }

    [Fact]
    public void ParserNeverNeedsBytesPastTheLimit()
    {
        const int limit = 256;
        string request = "GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + new string('p', 400) + "\r\n\r\n";
        byte[] bytes = Bytes(request);
        var head = new RequestHead();

        // Below the limit the parser waits for more; with the limit reached it decides without waiting.
        long searched = 0;
        Assert.False(RequestParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, limit - 1), limit, head, ref searched, out _));
        Assert.Equal(431, Reject(bytes[..limit], limit).StatusCode);
        // The end of the head lying past the limit is not looked for.
        Assert.Equal(431, Reject(bytes, limit).StatusCode);
    }

    [Fact]
    public void EveryIncompletePrefixOfAValidRequestNeedsMoreBytes()
    {
        byte[] bytes = Bytes(FullGet);
        var head = new RequestHead();
        for (int length = 0; length < bytes.Length; length++)
        {
            long searched = 0;
            bool parsed = RequestParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, length), DefaultLimit, head, ref searched, out _);
            Assert.False(parsed, $"a prefix of {length} bytes parsed");
            Assert.InRange(searched, 0, length);
        }
    }

    [Fact]
    public void EveryIncompletePrefixOfAnInvalidRequestAlsoJustNeedsMoreBytes()
    {
        // The head is judged only once it is complete: an incomplete garbage line is not refused early.
        byte[] bytes = Bytes("GARBAGE\r\nHost x\r\n\r\n");
        for (int length = 0; length < bytes.Length; length++)
        {
            long searched = 0;
            Assert.False(RequestParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, length), DefaultLimit, new RequestHead(), ref searched, out _));
        }
    }

    [Fact]
    public void SearchedCarriedAcrossCallsFindsTheEndWhileTheHeadGrowsByteByByte()
    {
        byte[] bytes = Bytes(FullGet + "GET /next HTTP/1.1\r\n");
        var head = new RequestHead();
        long searched = 0;
        int parsedAt = -1;
        for (int length = 0; length <= bytes.Length; length++)
        {
            // A fresh multi-segment sequence each time, as a pipe reader hands out after each read.
            var buffer = Sequences.SplitAt(bytes[..length], length / 2);
            if (RequestParser.TryParse(buffer, DefaultLimit, head, ref searched, out var consumed))
            {
                parsedAt = length;
                Assert.Equal(FullGet.Length, buffer.Slice(0, consumed).Length);
                break;
            }

            Assert.Equal(length, searched);
        }

        Assert.Equal(FullGet.Length, parsedAt);
        Assert.Equal(Describe(ParseComplete(FullGet)), Describe(head));
    }

    [Fact]
    public void SearchedCarriedAcrossCallsFindsTheEndWhenItArrivesInLargePieces()
    {
        byte[] bytes = Bytes(FullGet);
        // Cut points that split the final CRLFCRLF in every possible way.
        foreach (int cut in new[] { bytes.Length - 1, bytes.Length - 2, bytes.Length - 3, bytes.Length - 4, 10 })
        {
            var head = new RequestHead();
            long searched = 0;
            Assert.False(RequestParser.TryParse(new ReadOnlySequence<byte>(bytes, 0, cut), DefaultLimit, head, ref searched, out _));
            Assert.True(RequestParser.TryParse(new ReadOnlySequence<byte>(bytes), DefaultLimit, head, ref searched, out var consumed), $"cut at {cut}");
            Assert.Equal(bytes.Length, new ReadOnlySequence<byte>(bytes).Slice(0, consumed).Length);
            Assert.Equal("bytes=100-199", head.Range);
        }
    }

    [Theory]
    [InlineData(FullGet)]
    [InlineData(Post)]
    [InlineData("GET / HTTP/1.0\r\n\r\n")]
    public void OneByteSegmentsParseLikeOneSegment(string request)
    {
        string expected = Describe(ParseComplete(request));
        const string after = "BODY";
        var buffer = Sequences.OneBytePerSegment(Bytes(request + after));
        var head = new RequestHead();
        long searched = 0;

        Assert.True(RequestParser.TryParse(buffer, DefaultLimit, head, ref searched, out var consumed));

        Assert.Equal(expected, Describe(head));
        Assert.Equal(after, Encoding.Latin1.GetString(buffer.Slice(consumed).ToArray()));
    }

    [Fact]
    public void TwoSegmentsSplitAtEveryBoundaryParseLikeOneSegment()
    {
        string expected = Describe(ParseComplete(FullGet));
        byte[] bytes = Bytes(FullGet + Post);
        var head = new RequestHead();
        for (int at = 0; at <= bytes.Length; at++)
        {
            var buffer = Sequences.SplitAt(bytes, at);
            long searched = 0;
            Assert.True(RequestParser.TryParse(buffer, DefaultLimit, head, ref searched, out var consumed), $"split at {at}");
            Assert.Equal(expected, Describe(head));
            Assert.Equal(FullGet.Length, buffer.Slice(0, consumed).Length);
        }
    }

    [Fact]
    public void PipelinedRequestsParseOneAfterTheOtherFromConsumed()
    {
        const string third = "HEAD /healthz HTTP/1.1\r\nHost: y\r\nConnection: close\r\n\r\n";
        byte[] bytes = Bytes(FullGet + Post + third);
        foreach (var buffer in new[] { new ReadOnlySequence<byte>(bytes), Sequences.OneBytePerSegment(bytes), Sequences.SplitAt(bytes, FullGet.Length + 3) })
        {
            var rest = buffer;
            var head = new RequestHead();
            var seen = new List<string>();
            for (int i = 0; i < 3; i++)
            {
                long searched = 0;
                Assert.True(RequestParser.TryParse(rest, DefaultLimit, head, ref searched, out var consumed));
                seen.Add(Describe(head));
                rest = rest.Slice(consumed);
            }

            Assert.True(rest.IsEmpty);
            Assert.Equal([Describe(ParseComplete(FullGet)), Describe(ParseComplete(Post)), Describe(ParseComplete(third))], seen);
            // The reused head was reset: the HEAD request carries nothing of the earlier ones.
            Assert.Equal(HttpMethod.Head, head.Method);
            Assert.Null(head.Authorization);
            Assert.Equal(-1, head.ContentLength);
            Assert.False(head.KeepAlive);
        }
    }

    [Fact]
    public void ParseReadsACompleteHeadSpan()
    {
        var head = new RequestHead();

        RequestParser.Parse(Bytes("POST /archive?x HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n"), head);

        Assert.Equal(HttpMethod.Post, head.Method);
        Assert.Equal("/archive", head.Path.ToString());
        Assert.Equal("x", head.Query.ToString());
        Assert.Equal(9, head.ContentLength);
        Assert.True(head.KeepAlive);
    }

    [Fact]
    public void ParseResetsTheHeadBeforeReadingTheNextRequest()
    {
        var head = new RequestHead();
        RequestParser.Parse(Bytes(FullGet[..^2]), head);
        Assert.NotNull(head.Range);

        RequestParser.Parse(Bytes("GET /b HTTP/1.0\r\n"), head);

        Assert.Equal(
            $"{HttpMethod.Get}|/b|/b||10|False|-1|False|False|||||",
            Describe(head));
    }

    [Fact]
    public void ParseRefusesMissingHostInACompleteHeadSpan()
    {
        var ex = Assert.Throws<BadRequestException>(() => RequestParser.Parse(Bytes("GET / HTTP/1.1\r\n"), new RequestHead()));

        Assert.Equal(RequestRejectionReason.MissingHost, ex.Reason);
        Assert.Equal(400, ex.StatusCode);
    }
}
