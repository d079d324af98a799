using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using RawZipServer.Archive;
using RawZipServer.Http;
using RawZipServer.Manifest;
using RawZipServer.Origin;
using HttpMethod = RawZipServer.Http.HttpMethod;

namespace RawZipServer.Connection;

/// <summary>
/// <c>GET|HEAD /archive/{id}</c>, top to bottom: manifest → plan → first origin → response head →
/// entries → central directory. Failures before the head are statuses; after it, aborts.
/// </summary>
internal sealed class ArchiveResponder(ServerContext server, ConnectionContext connection, ILogger logger)
{
    private readonly ChunkedPipeWriter _chunked = new();
    private bool _headOnly;

    /// <summary>Returns whether the connection stays open for the next request.</summary>
    public async ValueTask<bool> RespondAsync(RequestHead head, string id, bool keepAlive)
    {
        var output = connection.Transport.Output;
        _headOnly = head.Method == HttpMethod.Head;
        if (!ManifestStore.IsValidId(id))
        {
            return await RefuseAsync(id, 400, "archive id must match [A-Za-z0-9._-]{1,200}", keepAlive).ConfigureAwait(false);
        }

        if (!server.TryEnterArchive())
        {
            return await RefuseAsync(id, 503, "too many archives in progress, retry shortly", keepAlive, "Retry-After: 1").ConfigureAwait(false);
        }

        try
        {
            ArchiveManifest manifest;
            try
            {
                manifest = await server.Manifests.LoadAsync(id, connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (ManifestException ex)
            {
                return await RefuseAsync(id, ex.StatusCode, ex.Message, keepAlive).ConfigureAwait(false);
            }

            var options = server.Options;
            ArchiveStreamer streamer = manifest.Format == ArchiveFormat.Tar
                ? new TarArchiveStreamer(server.Origins, options.ReadBufferBytes, options.Limits.ClientIdleTimeout, manifest, DateTimeOffset.UtcNow)
                : new ZipArchiveStreamer(server.Origins, options.ReadBufferBytes, options.Limits.ClientIdleTimeout, manifest, DateTimeOffset.UtcNow, options.CompressionLevel);
            long length = streamer.Length;
            // HTTP/1.0 has no chunked coding: a body of unknown length ends when the connection closes.
            bool chunked = length < 0 && head.Version == 11;
            bool close = !keepAlive || (length < 0 && !chunked);

            if (head.Method == HttpMethod.Head)
            {
                WriteHead(streamer, manifest, length, chunked, close);
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                return !close;
            }

            OriginFile? first = null;
            if (streamer.FirstFileIndex >= 0)
            {
                try
                {
                    first = await streamer.OpenAsync(streamer.FirstFileIndex, connection.ConnectionClosed).ConfigureAwait(false);
                }
                catch (OriginException ex)
                {
                    return await RefuseAsync(id, 502, ex.Message, keepAlive).ConfigureAwait(false);
                }
            }

            WriteHead(streamer, manifest, length, chunked, close);
            return await StreamAsync(streamer, first, id, chunked).ConfigureAwait(false) && !close;
        }
        finally
        {
            server.ExitArchive();
        }
    }

    private async ValueTask<bool> StreamAsync(ArchiveStreamer streamer, OriginFile? first, string id, bool chunked)
    {
        var output = connection.Transport.Output;
        try
        {
            if (chunked)
            {
                _chunked.Reset(output);
                await streamer.WriteAsync(_chunked, first, connection.ConnectionClosed).ConfigureAwait(false);
                _chunked.WriteTerminator();
            }
            else
            {
                await streamer.WriteAsync(output, first, connection.ConnectionClosed).ConfigureAwait(false);
            }

            var result = await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
            return !result.IsCompleted;
        }
        catch (ArchiveAbortedException ex)
        {
            // SPEC §3: after the first byte a failure can only abort (chunked: no last chunk; fixed length: short).
            Log.ArchiveAborted(logger, connection.ConnectionId, id, ex.Message);
            connection.Abort(new ConnectionAbortedException(ex.Message, ex));
            return false;
        }
        catch (Exception ex) when (ex is ClientDisconnectedException or ConnectionResetException or OperationCanceledException or IOException)
        {
            Log.ClientGone(logger, connection.ConnectionId, id, ex.Message);
            connection.Abort(new ConnectionAbortedException(ex.Message, ex));
            return false;
        }
    }

    private void WriteHead(ArchiveStreamer streamer, ArchiveManifest manifest, long length, bool chunked, bool close) =>
        ResponseWriter.WriteArchiveHead(connection.Transport.Output, new ArchiveResponseHead
        {
            ContentType = streamer.ContentType,
            FileName = manifest.FileName,
            ContentLength = length,
            Chunked = chunked,
            Close = close,
            CacheControl = server.CacheControl,
        });

    private async ValueTask<bool> RefuseAsync(string id, int status, string reason, bool keepAlive, string? extraHeader = null)
    {
        Log.ArchiveRefused(logger, connection.ConnectionId, id, status, reason);
        ResponseWriter.WriteText(connection.Transport.Output, status, reason, !keepAlive, _headOnly, extraHeader: extraHeader);
        await connection.Transport.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return keepAlive;
    }
}
