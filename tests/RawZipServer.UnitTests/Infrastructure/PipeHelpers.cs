using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace RawZipServer.UnitTests.Infrastructure;

internal static class PipeHelpers
{
    /// <summary>Flushes and completes the writer, then returns everything the reader gets.</summary>
    public static async Task<byte[]> DrainAsync(Pipe pipe)
    {
        await pipe.Writer.FlushAsync();
        await pipe.Writer.CompleteAsync();
        var all = new List<byte>();
        while (true)
        {
            var result = await pipe.Reader.ReadAsync();
            foreach (var segment in result.Buffer)
            {
                all.AddRange(segment.Span);
            }

            pipe.Reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        await pipe.Reader.CompleteAsync();
        return [.. all];
    }
}

/// <summary>
/// An independent decoder of the chunked transfer coding (RFC 9112 §7.1): chunk-size [chunk-ext] CRLF
/// chunk-data CRLF ... last-chunk trailer-section CRLF. Throws on anything malformed.
/// </summary>
internal static class ChunkedDecoder
{
    public static (byte[] Body, List<int> ChunkSizes, int Consumed) Decode(byte[] encoded)
    {
        var body = new List<byte>();
        var sizes = new List<int>();
        int at = 0;
        while (true)
        {
            int lineEnd = IndexOfCrLf(encoded, at);
            string line = Encoding.ASCII.GetString(encoded, at, lineEnd - at);
            int semicolon = line.IndexOf(';', StringComparison.Ordinal);
            string hex = semicolon < 0 ? line : line[..semicolon];
            if (hex.Length == 0 || !hex.All(char.IsAsciiHexDigit))
            {
                throw new InvalidDataException($"bad chunk-size line '{line}' at {at}");
            }

            int size = int.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            at = lineEnd + 2;
            if (size == 0)
            {
                // Trailer section: header lines until an empty line.
                while (true)
                {
                    int end = IndexOfCrLf(encoded, at);
                    bool empty = end == at;
                    at = end + 2;
                    if (empty)
                    {
                        return ([.. body], sizes, at);
                    }
                }
            }

            if (at + size + 2 > encoded.Length)
            {
                throw new InvalidDataException($"chunk of {size} bytes at {at} runs past the end");
            }

            sizes.Add(size);
            body.AddRange(encoded.AsSpan(at, size));
            at += size;
            if (encoded[at] != '\r' || encoded[at + 1] != '\n')
            {
                throw new InvalidDataException($"chunk data not followed by CRLF at {at}");
            }

            at += 2;
        }
    }

    private static int IndexOfCrLf(byte[] bytes, int from)
    {
        int i = bytes.AsSpan(from).IndexOf("\r\n"u8);
        return i < 0 ? throw new InvalidDataException($"no CRLF after {from}") : from + i;
    }
}
