namespace RawZipServer.Http;

/// <summary>The methods the server routes on; every other valid token is <see cref="Other"/> (answered 405).</summary>
internal enum HttpMethod : byte
{
    Other,
    Get,
    Head,
    Post,
}
