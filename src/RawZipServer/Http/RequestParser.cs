using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace RawZipServer.Http;

/// <summary>
/// HTTP/1.1 request heads (RFC 9112 §2–5), parsed from the connection's buffered bytes.
/// <c>false</c> means "need more bytes", a <see cref="BadRequestException"/> means malformed.
/// The head is bounded by slicing the input: bytes past the limit are never looked at.
/// </summary>
internal static class RequestParser
{
    private static ReadOnlySpan<byte> CrLf => "\r\n"u8;
    private static ReadOnlySpan<byte> EndOfHead => "\r\n\r\n"u8;

    /// <summary>
    /// Parses one request head from the start of <paramref name="buffer"/> into <paramref name="head"/>.
    /// </summary>
    /// <param name="searched">Bytes already searched for the end of the head by earlier calls
    /// (start at 0, keep between calls for one request), so a head that trickles in is scanned once.</param>
    /// <param name="consumed">On success, the position after the head.</param>
    public static bool TryParse(in ReadOnlySequence<byte> buffer, int maxHeadBytes, RequestHead head, ref long searched, out SequencePosition consumed)
    {
        var window = buffer.Length > maxHeadBytes ? buffer.Slice(0, maxHeadBytes) : buffer;
        long start = Math.Max(0, searched - (EndOfHead.Length - 1));
        var reader = new SequenceReader<byte>(window.Slice(start));
        if (!reader.TryReadTo(out ReadOnlySequence<byte> _, EndOfHead))
        {
            searched = window.Length;
            if (window.Length >= maxHeadBytes)
            {
                // Past the limit: the request line alone was too long (414) or the whole head (431).
                var firstLine = new SequenceReader<byte>(window);
                BadRequestException.Throw(firstLine.TryAdvanceTo((byte)'\n') ? RequestRejectionReason.HeadersTooLarge : RequestRejectionReason.RequestLineTooLong);
            }

            consumed = default;
            return false;
        }

        long headLength = start + reader.Consumed;
        consumed = buffer.GetPosition(headLength);
        var headBytes = buffer.Slice(0, headLength - CrLf.Length); // keep the CRLF of the last header line
        if (headBytes.IsSingleSegment)
        {
            Parse(headBytes.FirstSpan, head);
        }
        else
        {
            byte[] rented = ArrayPool<byte>.Shared.Rent((int)headBytes.Length);
            try
            {
                headBytes.CopyTo(rented);
                Parse(rented.AsSpan(0, (int)headBytes.Length), head);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }

        return true;
    }

    /// <summary>Parses a complete head: the request line and header lines, each ending in CRLF.</summary>
    public static void Parse(ReadOnlySpan<byte> bytes, RequestHead head)
    {
        head.Reset();
        int lineEnd = bytes.IndexOf(CrLf);
        ParseRequestLine(bytes[..lineEnd], head);
        bytes = bytes[(lineEnd + 2)..];

        bool connectionClose = false, connectionKeepAlive = false;
        while (!bytes.IsEmpty)
        {
            lineEnd = bytes.IndexOf(CrLf);
            ParseHeader(bytes[..lineEnd], head, ref connectionClose, ref connectionKeepAlive);
            bytes = bytes[(lineEnd + 2)..];
        }

        if (head.Version == 11 && !head.HasHost)
        {
            BadRequestException.Throw(RequestRejectionReason.MissingHost);
        }

        if (head.HasTransferEncoding)
        {
            BadRequestException.Throw(RequestRejectionReason.TransferEncodingNotImplemented);
        }

        head.KeepAlive = head.Version == 11 ? !connectionClose : connectionKeepAlive && !connectionClose;
    }

    private static void ParseRequestLine(ReadOnlySpan<byte> line, RequestHead head)
    {
        int sp = line.IndexOf((byte)' ');
        if (sp <= 0 || !HttpCharacters.IsToken(line[..sp]))
        {
            BadRequestException.Throw(RequestRejectionReason.MalformedRequestLine);
        }

        var method = line[..sp];
        head.Method = method.SequenceEqual("GET"u8) ? HttpMethod.Get
            : method.SequenceEqual("HEAD"u8) ? HttpMethod.Head
            : method.SequenceEqual("POST"u8) ? HttpMethod.Post
            : HttpMethod.Other;

        line = line[(sp + 1)..];
        sp = line.IndexOf((byte)' ');
        if (sp <= 0)
        {
            BadRequestException.Throw(RequestRejectionReason.MalformedRequestLine);
        }

        var target = line[..sp];
        var version = line[(sp + 1)..];
        if (!HttpCharacters.IsVisibleAscii(target))
        {
            BadRequestException.Throw(RequestRejectionReason.MalformedRequestLine);
        }

        head.Target = ToOriginForm(target);
        head.Version = ParseVersion(version);
    }

    /// <summary>RFC 9112 §3.2.2: a server must accept the absolute form; only its path and query matter here.</summary>
    private static string ToOriginForm(ReadOnlySpan<byte> target)
    {
        if (target[0] == (byte)'/')
        {
            return Encoding.ASCII.GetString(target);
        }

        int scheme = target.IndexOf("://"u8);
        if (scheme <= 0)
        {
            BadRequestException.Throw(RequestRejectionReason.MalformedRequestLine);
        }

        var rest = target[(scheme + 3)..];
        int end = rest.IndexOfAny((byte)'/', (byte)'?');
        return end < 0 ? "/"
            : rest[end] == (byte)'/' ? Encoding.ASCII.GetString(rest[end..])
            : "/" + Encoding.ASCII.GetString(rest[end..]); // RFC 3986 §6.2.3: an empty path is "/"
    }

    private static int ParseVersion(ReadOnlySpan<byte> version)
    {
        if (version.SequenceEqual("HTTP/1.1"u8))
        {
            return 11;
        }

        if (version.SequenceEqual("HTTP/1.0"u8))
        {
            return 10;
        }

        // A well-formed version we do not speak (HTTP/2.0, HTTP/1.2) is 505; anything else is malformed.
        if (version.Length == 8 && version.StartsWith("HTTP/"u8) && char.IsAsciiDigit((char)version[5])
            && version[6] == (byte)'.' && char.IsAsciiDigit((char)version[7]))
        {
            BadRequestException.Throw(RequestRejectionReason.VersionNotSupported);
        }

        BadRequestException.Throw(RequestRejectionReason.MalformedRequestLine);
        return 0;
    }

    private static void ParseHeader(ReadOnlySpan<byte> line, RequestHead head, ref bool connectionClose, ref bool connectionKeepAlive)
    {
        int colon = line.IndexOf((byte)':');
        // RFC 9112 §5.1: no whitespace between name and colon; obs-fold (a line starting with SP/HTAB) is refused.
        if (colon <= 0 || !HttpCharacters.IsToken(line[..colon]))
        {
            BadRequestException.Throw(RequestRejectionReason.MalformedHeader);
        }

        var name = line[..colon];
        var value = line[(colon + 1)..].Trim(" \t"u8);
        if (!HttpCharacters.IsFieldValue(value))
        {
            BadRequestException.Throw(RequestRejectionReason.MalformedHeader);
        }

        switch (name.Length)
        {
            case 4 when Ascii.EqualsIgnoreCase(name, "Host"u8):
                if (head.HasHost)
                {
                    BadRequestException.Throw(RequestRejectionReason.MalformedHeader); // RFC 9112 §3.2
                }

                head.HasHost = true;
                break;
            case 5 when Ascii.EqualsIgnoreCase(name, "Range"u8):
                head.Range = Encoding.Latin1.GetString(value);
                break;
            case 6 when Ascii.EqualsIgnoreCase(name, "Cookie"u8):
                head.Cookie = head.Cookie is null ? Encoding.Latin1.GetString(value) : head.Cookie + "; " + Encoding.Latin1.GetString(value);
                break;
            case 8 when Ascii.EqualsIgnoreCase(name, "If-Range"u8):
                head.IfRange = Encoding.Latin1.GetString(value);
                break;
            case 10 when Ascii.EqualsIgnoreCase(name, "Connection"u8):
                ParseConnection(value, ref connectionClose, ref connectionKeepAlive);
                break;
            case 13 when Ascii.EqualsIgnoreCase(name, "Authorization"u8):
                head.Authorization = Encoding.Latin1.GetString(value);
                break;
            case 14 when Ascii.EqualsIgnoreCase(name, "Content-Length"u8):
                ParseContentLength(value, head);
                break;
            case 15 when Ascii.EqualsIgnoreCase(name, "X-Forwarded-For"u8):
                head.ForwardedFor = head.ForwardedFor is null ? Encoding.Latin1.GetString(value) : head.ForwardedFor + ", " + Encoding.Latin1.GetString(value);
                break;
            case 17 when Ascii.EqualsIgnoreCase(name, "Transfer-Encoding"u8):
                head.HasTransferEncoding = true;
                break;
            default:
                if (head.CaptureNames.Length > 0)
                {
                    Capture(name, value, head);
                }

                break;
        }
    }

    /// <summary>Keeps a header named in <see cref="RequestHead.CaptureNames"/> (a short list; most requests never get here).</summary>
    private static void Capture(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, RequestHead head)
    {
        foreach (string wanted in head.CaptureNames)
        {
            if (Ascii.EqualsIgnoreCase(name, wanted))
            {
                head.Captured.Add(KeyValuePair.Create(wanted, Encoding.Latin1.GetString(value)));
                return;
            }
        }
    }

    private static void ParseConnection(ReadOnlySpan<byte> value, ref bool close, ref bool keepAlive)
    {
        foreach (var range in value.Split((byte)','))
        {
            var option = value[range].Trim(" \t"u8);
            close |= Ascii.EqualsIgnoreCase(option, "close"u8);
            keepAlive |= Ascii.EqualsIgnoreCase(option, "keep-alive"u8);
        }
    }

    private static void ParseContentLength(ReadOnlySpan<byte> value, RequestHead head)
    {
        // Digits only (no sign, no spaces), at most 18 so the value fits a long.
        long length = 0;
        if (value.IsEmpty || value.Length > 18 || value.IndexOfAnyExceptInRange((byte)'0', (byte)'9') >= 0
            || !Utf8Parser.TryParse(value, out length, out _)
            || (head.ContentLength >= 0 && head.ContentLength != length))
        {
            BadRequestException.Throw(RequestRejectionReason.InvalidContentLength);
        }

        head.ContentLength = length;
    }
}
