using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace RawZipServer.Http;

/// <summary>A request head the server refuses; the connection answers <see cref="StatusCode"/> and closes.</summary>
internal sealed class BadRequestException : Exception
{
    private BadRequestException(RequestRejectionReason reason, string message) : base(message) => Reason = reason;

    public RequestRejectionReason Reason { get; }

    public int StatusCode => Reason switch
    {
        RequestRejectionReason.RequestLineTooLong => 414,
        RequestRejectionReason.HeadersTooLarge => 431,
        RequestRejectionReason.TransferEncodingNotImplemented => 501,
        RequestRejectionReason.VersionNotSupported => 505,
        _ => 400,
    };

    [DoesNotReturn, StackTraceHidden]
    public static void Throw(RequestRejectionReason reason) => throw Create(reason);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static BadRequestException Create(RequestRejectionReason reason) => new(reason, reason switch
    {
        RequestRejectionReason.MalformedRequestLine => "malformed request line",
        RequestRejectionReason.MalformedHeader => "malformed header line",
        RequestRejectionReason.UnexpectedEndOfRequest => "connection closed in the middle of the request",
        RequestRejectionReason.MissingHost => "HTTP/1.1 request without a Host header",
        RequestRejectionReason.InvalidContentLength => "invalid Content-Length",
        RequestRejectionReason.RequestLineTooLong => "request line longer than Limits:MaxRequestHeadersBytes",
        RequestRejectionReason.HeadersTooLarge => "request headers larger than Limits:MaxRequestHeadersBytes",
        RequestRejectionReason.TransferEncodingNotImplemented => "request Transfer-Encoding is not supported; send Content-Length",
        RequestRejectionReason.VersionNotSupported => "only HTTP/1.0 and HTTP/1.1 are supported",
        _ => "bad request",
    });
}
