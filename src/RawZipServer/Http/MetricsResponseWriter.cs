using System.IO.Pipelines;
using System.Text;

namespace RawZipServer.Http;

/// <summary>The <c>GET /metrics</c> response: the Prometheus text exposition, written whole (a few KiB).</summary>
internal static class MetricsResponseWriter
{
    public static void Write(PipeWriter output, string exposition, bool close, bool headOnly)
    {
        int bodyLength = Encoding.UTF8.GetByteCount(exposition);
        var w = new BufferWriter<PipeWriter>(output, 256 + bodyLength);
        w.Write(StatusLines.For(200));
        w.Write("Server: RawZipServer\r\nDate: "u8);
        w.WriteHttpDate(DateTimeOffset.UtcNow);
        // The content type Prometheus scrapers negotiate for the text format 0.0.4.
        w.Write("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nCache-Control: no-store\r\nContent-Length: "u8);
        w.WriteNumeric(bodyLength);
        w.Write("\r\n"u8);
        if (close)
        {
            w.Write("Connection: close\r\n"u8);
        }

        w.Write("\r\n"u8);
        if (!headOnly)
        {
            w.Write(Encoding.UTF8.GetBytes(exposition));
        }

        w.Commit();
    }
}
