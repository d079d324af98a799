using System.Globalization;
using System.IO.Pipelines;
using System.Text;
using RawZipServer.Http;
using RawZipServer.UnitTests.Infrastructure;

namespace RawZipServer.UnitTests.Http;

public sealed class ResponseWriterTests
{
    /// <summary>A pipe that never pauses the writer: the tests read only after writing everything.</summary>
    private static Pipe NewPipe() => new(new PipeOptions(pauseWriterThreshold: 0));

    private static void WriteHead(Pipe pipe, string fileName, long contentLength, bool chunked, bool close, string? cacheControl = null) =>
        ResponseWriter.WriteArchiveHead(pipe.Writer, new ArchiveResponseHead
        {
            ContentType = "application/zip"u8,
            FileName = fileName,
            ContentLength = contentLength,
            Chunked = chunked,
            Close = close,
            CacheControl = cacheControl is null ? null : Encoding.ASCII.GetBytes(cacheControl),
        });

    private static async Task<string[]> HeadLinesAsync(Pipe pipe)
    {
        string text = Encoding.ASCII.GetString(await PipeHelpers.DrainAsync(pipe));
        Assert.EndsWith("\r\n\r\n", text, StringComparison.Ordinal);
        Assert.Equal(text.Length - 2, text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 2);
        return text[..^4].Split("\r\n");
    }

    private static string? Header(string[] lines, string name) =>
        lines.Skip(1).Where(l => l.StartsWith(name + ": ", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 2)..]).SingleOrDefault();

    private static void WriteDisposition(Pipe pipe, string fileName)
    {
        var w = new BufferWriter<PipeWriter>(pipe.Writer);
        ContentDisposition.Write(ref w, fileName);
        w.Commit();
    }

    private static async Task<string> DispositionAsync(string fileName)
    {
        var pipe = NewPipe();
        WriteDisposition(pipe, fileName);
        return Encoding.ASCII.GetString(await PipeHelpers.DrainAsync(pipe));
    }

    [Theory]
    [InlineData("Grüße.zip", "attachment; filename=\"Gr__e.zip\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.zip")]
    [InlineData("plain.zip", "attachment; filename=\"plain.zip\"; filename*=UTF-8''plain.zip")]
    [InlineData("two words.zip", "attachment; filename=\"two words.zip\"; filename*=UTF-8''two%20words.zip")]
    [InlineData("q\"b\\s.zip", "attachment; filename=\"q_b_s.zip\"; filename*=UTF-8''q%22b%5Cs.zip")]
    [InlineData("😀.zip", "attachment; filename=\"__.zip\"; filename*=UTF-8''%F0%9F%98%80.zip")]
    [InlineData("!#$&+-.^_`|~09AZaz", "attachment; filename=\"!#$&+-.^_`|~09AZaz\"; filename*=UTF-8''!#$&+-.^_`|~09AZaz")]
    [InlineData("a;b,c=d%e'f(g)*", "attachment; filename=\"a;b,c=d%e'f(g)*\"; filename*=UTF-8''a%3Bb%2Cc%3Dd%25e%27f%28g%29%2A")]
    [InlineData("tab\tnew\u007f", "attachment; filename=\"tab_new_\"; filename*=UTF-8''tab%09new%7F")]
    public async Task ContentDispositionHasAnAsciiFallbackAndAPercentEncodedUtf8Name(string fileName, string expected)
    {
        Assert.Equal(expected, await DispositionAsync(fileName));
    }

    [Fact]
    public async Task ContentDispositionOfAVeryLongNameSpansSeveralBuffers()
    {
        string name = string.Concat(Enumerable.Repeat("ü", 3000)) + ".zip";

        string value = await DispositionAsync(name);

        Assert.Equal(
            "attachment; filename=\"" + new string('_', 3000) + ".zip\"; filename*=UTF-8''" + string.Concat(Enumerable.Repeat("%C3%BC", 3000)) + ".zip",
            value);
    }

    [Fact]
    public async Task ArchiveHeadWithKnownLengthHasContentLengthAndTheDisposition()
    {
        var pipe = NewPipe();
        WriteHead(pipe, "Grüße.zip", 123456789012, chunked: false, close: false);

        string[] lines = await HeadLinesAsync(pipe);

        Assert.Equal("HTTP/1.1 200 OK", lines[0]);
        Assert.Equal("RawZipServer", Header(lines, "Server"));
        var date = DateTimeOffset.ParseExact(Header(lines, "Date")!, "r", CultureInfo.InvariantCulture);
        Assert.InRange(date, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal("application/zip", Header(lines, "Content-Type"));
        Assert.Equal("attachment; filename=\"Gr__e.zip\"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.zip", Header(lines, "Content-Disposition"));
        Assert.Equal("123456789012", Header(lines, "Content-Length"));
        Assert.Null(Header(lines, "Transfer-Encoding"));
        Assert.Null(Header(lines, "Connection"));
        Assert.Null(Header(lines, "Cache-Control"));
    }

    [Fact]
    public async Task ArchiveHeadOfUnknownLengthIsChunked()
    {
        var pipe = NewPipe();
        WriteHead(pipe, "a.zip", -1, chunked: true, close: false, cacheControl: "public, max-age=3600");

        string[] lines = await HeadLinesAsync(pipe);

        Assert.Equal("chunked", Header(lines, "Transfer-Encoding"));
        Assert.Null(Header(lines, "Content-Length"));
        Assert.Equal("public, max-age=3600", Header(lines, "Cache-Control"));
    }

    [Fact]
    public async Task ArchiveHeadForHttp10OfUnknownLengthEndsWithTheConnection()
    {
        var pipe = NewPipe();
        WriteHead(pipe, "a.zip", -1, chunked: false, close: true);

        string[] lines = await HeadLinesAsync(pipe);

        Assert.Null(Header(lines, "Transfer-Encoding"));
        Assert.Null(Header(lines, "Content-Length"));
        Assert.Equal("close", Header(lines, "Connection"));
    }

    [Fact]
    public async Task ArchiveHeadWithZeroLengthStillSendsContentLength()
    {
        var pipe = NewPipe();
        WriteHead(pipe, "a.zip", 0, chunked: true, close: false);

        string[] lines = await HeadLinesAsync(pipe);

        Assert.Equal("0", Header(lines, "Content-Length"));
        Assert.Null(Header(lines, "Transfer-Encoding"));
    }

    [Fact]
    public async Task TextResponseHasAOneLineBodyAndItsLength()
    {
        var pipe = NewPipe();
        ResponseWriter.WriteText(pipe.Writer, 404, "manifest 'x' not found — sorry", close: false);

        string text = Encoding.UTF8.GetString(await PipeHelpers.DrainAsync(pipe));
        int split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        string[] lines = text[..split].Split("\r\n");
        string body = text[(split + 4)..];

        Assert.Equal("HTTP/1.1 404 Not Found", lines[0]);
        Assert.Equal("text/plain; charset=utf-8", Header(lines, "Content-Type"));
        Assert.Equal("manifest 'x' not found — sorry\n", body);
        Assert.Equal(Encoding.UTF8.GetByteCount(body).ToString(CultureInfo.InvariantCulture), Header(lines, "Content-Length"));
        Assert.Null(Header(lines, "Connection"));
    }

    [Fact]
    public async Task TextResponseCarriesAllowExtraHeaderAndClose()
    {
        var pipe = NewPipe();
        ResponseWriter.WriteText(pipe.Writer, 405, "method not allowed", close: true, headOnly: true, allow: "POST", extraHeader: "Retry-After: 5");

        string text = Encoding.ASCII.GetString(await PipeHelpers.DrainAsync(pipe));
        string[] lines = text[..^4].Split("\r\n");

        Assert.EndsWith("\r\n\r\n", text, StringComparison.Ordinal); // HEAD: no body
        Assert.Equal("HTTP/1.1 405 Method Not Allowed", lines[0]);
        Assert.Equal("POST", Header(lines, "Allow"));
        Assert.Equal("5", Header(lines, "Retry-After"));
        Assert.Equal("close", Header(lines, "Connection"));
        Assert.Equal("19", Header(lines, "Content-Length")); // the length of the GET body
    }

    [Theory]
    [InlineData(200, "HTTP/1.1 200 OK")]
    [InlineData(206, "HTTP/1.1 206 Partial Content")]
    [InlineData(400, "HTTP/1.1 400 Bad Request")]
    [InlineData(411, "HTTP/1.1 411 Length Required")]
    [InlineData(413, "HTTP/1.1 413 Content Too Large")]
    [InlineData(414, "HTTP/1.1 414 URI Too Long")]
    [InlineData(416, "HTTP/1.1 416 Range Not Satisfiable")]
    [InlineData(431, "HTTP/1.1 431 Request Header Fields Too Large")]
    [InlineData(501, "HTTP/1.1 501 Not Implemented")]
    [InlineData(503, "HTTP/1.1 503 Service Unavailable")]
    [InlineData(505, "HTTP/1.1 505 HTTP Version Not Supported")]
    [InlineData(599, "HTTP/1.1 500 Internal Server Error")]
    public void StatusLinesAreCompleteAndEndInCrLf(int status, string line)
    {
        Assert.Equal(line + "\r\n", Encoding.ASCII.GetString(StatusLines.For(status)));
    }
}
