using System.Buffers;
using RawZipServer.Manifest;

namespace RawZipServer.Connection;

/// <summary><c>POST /archive</c>: a JSON manifest in the request body, the archive as the response.</summary>
internal sealed partial class ArchiveResponder
{
    /// <summary>The name used in log lines and for the default file name <c>archive.zip</c>.</summary>
    private const string PostedId = "archive";

    /// <summary>
    /// Every refusal before the body is read closes the connection, so an unread body is never taken for
    /// the next request; once the whole body is read the connection stays usable (keep-alive).
    /// </summary>
    public async ValueTask<bool> RespondPostAsync(Http.RequestHead head)
    {
        _headOnly = false;
        if (!server.ApiKeys.Any)
        {
            // SPEC §2 "none: POST is refused". 403 rather than 405: GET /archive says Allow: POST, so the
            // method is the right one; this server just grants it to nobody.
            return await RefuseAsync(PostedId, 403, "POST /archive is refused: no Auth:ApiKeys are configured", keepAlive: false).ConfigureAwait(false);
        }

        if (!server.ApiKeys.Accepts(head.Authorization))
        {
            return await RefuseAsync(PostedId, 401, "POST /archive needs Authorization: Bearer KEY with a key of Auth:ApiKeys", keepAlive: false, "WWW-Authenticate: Bearer").ConfigureAwait(false);
        }

        if (head.ContentLength < 0)
        {
            return await RefuseAsync(PostedId, 411, "POST /archive needs a Content-Length", keepAlive: false).ConfigureAwait(false);
        }

        long max = server.Manifests.MaxManifestBytes;
        if (head.ContentLength > max)
        {
            return await RefuseAsync(PostedId, 413, $"manifest is {head.ContentLength} bytes, more than Limits:MaxManifestBytes ({max})", keepAlive: false).ConfigureAwait(false);
        }

        byte[]? body = await ReadBodyAsync((int)head.ContentLength).ConfigureAwait(false);
        if (body is null)
        {
            return await RefuseAsync(PostedId, 400, $"request body did not arrive in full within {server.Options.Limits.RequestHeadersTimeout} (Limits:RequestHeadersTimeout)", keepAlive: false).ConfigureAwait(false);
        }

        if (server.Draining)
        {
            return await RefuseAsync(PostedId, 503, "server is shutting down", keepAlive: false, "Retry-After: 1").ConfigureAwait(false);
        }

        if (!server.TryEnterArchive())
        {
            return await RefuseAsync(PostedId, 503, "too many archives in progress, retry shortly", head.KeepAlive, "Retry-After: 1").ConfigureAwait(false);
        }

        try
        {
            ArchiveManifest manifest;
            try
            {
                manifest = server.Manifests.Reader.Read(body, PostedId);
            }
            catch (ManifestException ex)
            {
                return await RefuseAsync(PostedId, ex.StatusCode, ex.Message, head.KeepAlive).ConfigureAwait(false);
            }

            return await ServeAsync(head, manifest, PostedId, head.KeepAlive).ConfigureAwait(false);
        }
        finally
        {
            server.ExitArchive();
        }
    }

    /// <summary>
    /// Copies exactly <paramref name="length"/> body bytes out of the connection's pipe, consuming as it goes
    /// (the transport stops reading the socket while too many bytes sit unconsumed), within
    /// <c>Limits:RequestHeadersTimeout</c>. Null when the body ends early or is too slow.
    /// </summary>
    private async ValueTask<byte[]?> ReadBodyAsync(int length)
    {
        var input = connection.Transport.Input;
        byte[] body = new byte[length];
        int filled = 0;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(server.Options.Limits.RequestHeadersTimeout);
        while (filled < length)
        {
            System.IO.Pipelines.ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }

            var buffer = result.Buffer;
            int take = (int)Math.Min(buffer.Length, length - filled);
            var slice = buffer.Slice(0, take);
            slice.CopyTo(body.AsSpan(filled));
            filled += take;
            // Bytes past the body belong to the next (pipelined) request and stay in the pipe.
            input.AdvanceTo(slice.End);
            if (filled < length && result.IsCompleted)
            {
                return null;
            }
        }

        return body;
    }
}
