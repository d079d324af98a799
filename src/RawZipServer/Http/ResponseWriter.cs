using System.IO.Pipelines;
using System.Text;

namespace RawZipServer.Http;

/// <summary>Writes response heads straight into the connection's <see cref="PipeWriter"/>.</summary>
internal static class ResponseWriter
{
    private static ReadOnlySpan<byte> ServerAndDate => "Server: RawZipServer\r\nDate: "u8;

    /// <summary>A status with a one-line plain-text reason (SPEC §3 "Errors"), or <c>ok</c> for health checks.</summary>
    public static void WriteText(PipeWriter output, int status, string text, bool close, bool headOnly = false, string? allow = null, string? extraHeader = null)
    {
        int bodyLength = Encoding.UTF8.GetByteCount(text) + 1;
        var w = new BufferWriter<PipeWriter>(output, 256 + bodyLength);
        w.Write(StatusLines.For(status));
        WriteCommon(ref w);
        w.Write("Content-Type: text/plain; charset=utf-8\r\nContent-Length: "u8);
        w.WriteNumeric(bodyLength);
        w.Write("\r\n"u8);
        if (allow is not null)
        {
            w.Write("Allow: "u8);
            w.Write(Encoding.ASCII.GetBytes(allow));
            w.Write("\r\n"u8);
        }

        if (extraHeader is not null)
        {
            w.Write(Encoding.ASCII.GetBytes(extraHeader));
            w.Write("\r\n"u8);
        }

        if (close)
        {
            w.Write("Connection: close\r\n"u8);
        }

        w.Write("\r\n"u8);
        if (!headOnly)
        {
            w.Write(Encoding.UTF8.GetBytes(text));
            w.Write("\n"u8);
        }

        w.Commit();
    }

    /// <summary>The head of an archive response; <paramref name="contentLength"/> -1 means chunked (or, for HTTP/1.0, until close).</summary>
    public static void WriteArchiveHead(PipeWriter output, in ArchiveResponseHead head)
    {
        var w = new BufferWriter<PipeWriter>(output, 1024);
        w.Write(StatusLines.For(head.Partial ? 206 : 200));
        WriteCommon(ref w);
        w.Write("Content-Type: "u8);
        w.Write(head.ContentType);
        w.Write("\r\nContent-Disposition: "u8);
        ContentDisposition.Write(ref w, head.FileName);
        w.Write("\r\n"u8);
        if (head.ContentLength >= 0)
        {
            w.Write("Content-Length: "u8);
            w.WriteNumeric(head.ContentLength);
            w.Write("\r\n"u8);
        }
        else if (head.Chunked)
        {
            w.Write("Transfer-Encoding: chunked\r\n"u8);
        }

        if (head.Partial)
        {
            w.Write("Content-Range: bytes "u8);
            w.WriteNumeric(head.ContentRangeStart);
            w.Write("-"u8);
            w.WriteNumeric(head.ContentRangeStart + head.ContentLength - 1);
            w.Write("/"u8);
            w.WriteNumeric(head.ContentRangeTotal);
            w.Write("\r\n"u8);
        }

        if (head.ETag is not null)
        {
            if (head.AcceptRanges)
            {
                w.Write("Accept-Ranges: bytes\r\n"u8);
            }

            w.Write("ETag: "u8);
            w.Write(head.ETag);
            w.Write("\r\nLast-Modified: "u8);
            w.WriteHttpDate(head.LastModified);
            w.Write("\r\n"u8);
        }

        if (head.CacheControl is not null)
        {
            w.Write("Cache-Control: "u8);
            w.Write(head.CacheControl);
            w.Write("\r\n"u8);
        }

        if (head.Close)
        {
            w.Write("Connection: close\r\n"u8);
        }

        w.Write("\r\n"u8);
        w.Commit();
    }

    private static void WriteCommon(ref BufferWriter<PipeWriter> w)
    {
        w.Write(ServerAndDate);
        w.WriteHttpDate(DateTimeOffset.UtcNow);
        w.Write("\r\n"u8);
    }
}

/// <summary>What <see cref="ResponseWriter.WriteArchiveHead"/> writes.</summary>
internal readonly ref struct ArchiveResponseHead
{
    public required ReadOnlySpan<byte> ContentType { get; init; }
    public required string FileName { get; init; }
    public required long ContentLength { get; init; }
    public required bool Chunked { get; init; }
    public required bool Close { get; init; }
    public byte[]? CacheControl { get; init; }
    /// <summary>Sent with <see cref="LastModified"/>.</summary>
    public byte[]? ETag { get; init; }
    /// <summary>Only with an <see cref="ETag"/>: a range request can then be resumed safely.</summary>
    public bool AcceptRanges { get; init; }
    public DateTimeOffset LastModified { get; init; }
    /// <summary>A 206: <see cref="ContentLength"/> is the range's, <see cref="ContentRangeTotal"/> the archive's.</summary>
    public bool Partial { get; init; }
    public long ContentRangeTotal { get; init; }
    public long ContentRangeStart { get; init; }
}
