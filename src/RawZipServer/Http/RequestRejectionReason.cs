namespace RawZipServer.Http;

/// <summary>Why a request head was refused; <see cref="BadRequestException.StatusCode"/> maps each to its status.</summary>
internal enum RequestRejectionReason
{
    MalformedRequestLine,
    MalformedHeader,
    UnexpectedEndOfRequest,
    MissingHost,
    InvalidContentLength,
    RequestLineTooLong,
    HeadersTooLarge,
    TransferEncodingNotImplemented,
    VersionNotSupported,
}
