namespace RawZipServer.Http;

/// <summary>Status lines as UTF-8 literals, so a response head is written without formatting.</summary>
internal static class StatusLines
{
    public static ReadOnlySpan<byte> For(int status) => status switch
    {
        200 => "HTTP/1.1 200 OK\r\n"u8,
        206 => "HTTP/1.1 206 Partial Content\r\n"u8,
        400 => "HTTP/1.1 400 Bad Request\r\n"u8,
        401 => "HTTP/1.1 401 Unauthorized\r\n"u8,
        403 => "HTTP/1.1 403 Forbidden\r\n"u8,
        404 => "HTTP/1.1 404 Not Found\r\n"u8,
        405 => "HTTP/1.1 405 Method Not Allowed\r\n"u8,
        410 => "HTTP/1.1 410 Gone\r\n"u8,
        411 => "HTTP/1.1 411 Length Required\r\n"u8,
        413 => "HTTP/1.1 413 Content Too Large\r\n"u8,
        414 => "HTTP/1.1 414 URI Too Long\r\n"u8,
        416 => "HTTP/1.1 416 Range Not Satisfiable\r\n"u8,
        431 => "HTTP/1.1 431 Request Header Fields Too Large\r\n"u8,
        501 => "HTTP/1.1 501 Not Implemented\r\n"u8,
        502 => "HTTP/1.1 502 Bad Gateway\r\n"u8,
        503 => "HTTP/1.1 503 Service Unavailable\r\n"u8,
        505 => "HTTP/1.1 505 HTTP Version Not Supported\r\n"u8,
        _ => "HTTP/1.1 500 Internal Server Error\r\n"u8,
    };
}
