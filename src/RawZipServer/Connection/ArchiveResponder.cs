using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using RawZipServer.Archive;
using RawZipServer.Http;
using RawZipServer.Manifest;
using RawZipServer.Metrics;
using RawZipServer.Origin;
using HttpMethod = RawZipServer.Http.HttpMethod;

namespace RawZipServer.Connection;

/// <summary>
/// <c>GET|HEAD /archive/{id}</c> (and <c>POST /archive</c>, in <c>ArchiveResponder.Post.cs</c>), top to bottom:
/// access check → manifest → plan → first origin → response head → entries → central directory.
/// Failures before the head are statuses; after it, aborts.
/// </summary>
internal sealed partial class ArchiveResponder(ServerContext server, ConnectionContext connection, ILogger logger)
{
    /// <summary>nginx's non-standard "client closed request": for the access log only, never sent.</summary>
    private const int StatusClientClosedRequest = 499;

    private readonly ChunkedPipeWriter _chunked = new();
    private bool _headOnly;

    /// <summary>The current request's access-log fields; the connection handler resets and writes it.</summary>
    public RequestRecord Record { get; } = new();

    /// <summary><c>GET|HEAD /archive/{id}</c>; returns whether the connection stays open for the next request.</summary>
    public async ValueTask<bool> RespondAsync(RequestHead head, string id, bool keepAlive)
    {
        _headOnly = head.Method == HttpMethod.Head;
        if (!ManifestStore.IsValidId(id))
        {
            return await RefuseAsync(id, 400, "archive id must match [A-Za-z0-9._-]{1,200}", keepAlive).ConfigureAwait(false);
        }

        // Before any lookup: an unsigned request learns nothing, not even whether the manifest exists.
        if (server.Signature?.Check(id, head.Query, DateTimeOffset.UtcNow) is { } refusal)
        {
            return await RefuseAsync(id, refusal.Status, refusal.Reason, keepAlive).ConfigureAwait(false);
        }

        if (server.Draining)
        {
            return await RefuseAsync(id, 503, "server is shutting down", keepAlive: false, "Retry-After: 1").ConfigureAwait(false);
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
                manifest = await server.Manifests.LoadAsync(id, BackendRequestFor(head), connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (ManifestException ex)
            {
                return await RefuseAsync(id, ex.StatusCode, ex.Message, keepAlive).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (connection.ConnectionClosed.IsCancellationRequested)
            {
                return LeftBeforeHead(id, "while the manifest was loading");
            }

            return await ServeAsync(head, manifest, id, keepAlive).ConfigureAwait(false);
        }
        finally
        {
            server.ExitArchive();
        }
    }

    /// <summary>
    /// The configured forward headers the request carries, and X-Forwarded-For: the incoming chain with this
    /// client's address appended (the de-facto convention nginx's <c>$proxy_add_x_forwarded_for</c> follows).
    /// </summary>
    private BackendRequest BackendRequestFor(RequestHead head)
    {
        if (server.Options.Backend is not { } backend)
        {
            return BackendRequest.None;
        }

        var headers = new List<KeyValuePair<string, string>>(backend.ForwardHeaders.Count);
        foreach (string name in backend.ForwardHeaders)
        {
            string? value = name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) ? head.Authorization
                : name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? head.Cookie
                : null;
            if (value is not null)
            {
                headers.Add(KeyValuePair.Create(name, value));
            }
        }

        headers.AddRange(head.Captured);
        string? client = connection.RemoteEndPoint is IPEndPoint ip
            ? (ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address).ToString()
            : null;
        string? forwardedFor = (head.ForwardedFor, client) switch
        {
            (null, _) => client,
            (_, null) => head.ForwardedFor,
            _ => head.ForwardedFor + ", " + client,
        };
        return new BackendRequest(headers, forwardedFor);
    }

    /// <summary>Plan → first origin → response head → entries; the caller holds the archive slot.</summary>
    private async ValueTask<bool> ServeAsync(RequestHead head, ArchiveManifest manifest, string id, bool keepAlive)
    {
        var output = connection.Transport.Output;
        var options = server.Options;
        ArchiveStreamer streamer = manifest.Format == ArchiveFormat.Tar
            ? new TarArchiveStreamer(server.Origins, options.ReadBufferBytes, options.Limits.ClientIdleTimeout, manifest, DateTimeOffset.UtcNow)
            : new ZipArchiveStreamer(server.Origins, options.ReadBufferBytes, options.Limits.ClientIdleTimeout, manifest, DateTimeOffset.UtcNow, options.CompressionLevel);
        streamer.Metrics = server.Metrics;
        streamer.Retries = options.Upstream.Retries;
        streamer.Prefetch = options.Upstream.Prefetch;
        streamer.Logger = logger;
        streamer.ArchiveId = id;
        Record.Entries = manifest.Entries.Length;
        long length = streamer.Length;
        var validators = ArchiveValidators.For(manifest, length, server.Origins.DefaultName);
        if (validators is not null)
        {
            streamer.ArchiveETag = validators.ETag;
            streamer.CrcStore = server.CrcStore;
        }

        // HTTP/1.0 has no chunked coding: a body of unknown length ends when the connection closes.
        bool chunked = length < 0 && head.Version == 11;
        bool close = !keepAlive || (length < 0 && !chunked);

        if (head.Method == HttpMethod.Head)
        {
            WriteHead(streamer, manifest, validators, length, chunked, close);
            Record.CountUnflushed(output);
            await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            return !close;
        }

        if (head.Range is not null && validators is not null && streamer.ServesRanges
            && ByteRange.IfRangeMatches(head.IfRange, validators.ETag, validators.LastModified))
        {
            var range = ByteRange.Parse(head.Range, length);
            if (range.Kind == ByteRangeKind.Unsatisfiable)
            {
                return await RefuseAsync(id, 416, $"range '{head.Range}' is outside the archive's {length} bytes", keepAlive,
                    $"Content-Range: bytes */{length}").ConfigureAwait(false);
            }

            bool prepared;
            try
            {
                prepared = range.Kind == ByteRangeKind.Partial && await streamer.PrepareRangeAsync(range, options.MaxCrcReadBytes, connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (connection.ConnectionClosed.IsCancellationRequested)
            {
                await streamer.DisposeRangeAsync().ConfigureAwait(false);
                return LeftBeforeHead(id, "while the range was being prepared");
            }

            if (prepared)
            {
                try
                {
                    WriteHead(streamer, manifest, validators, range.Length, chunked: false, close, range, length);
                    server.Metrics.ArchivesStarted.Add(1);
                    server.Metrics.TimeToFirstByte.Record(Record.Elapsed.TotalSeconds);
                    return await StreamAsync(streamer, null, id, chunked: false).ConfigureAwait(false) && !close;
                }
                finally
                {
                    await streamer.DisposeRangeAsync().ConfigureAwait(false);
                }
            }
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
            catch (OperationCanceledException) when (connection.ConnectionClosed.IsCancellationRequested)
            {
                return LeftBeforeHead(id, "while the first origin file was opening");
            }
        }

        WriteHead(streamer, manifest, validators, length, chunked, close);
        server.Metrics.ArchivesStarted.Add(1);
        server.Metrics.TimeToFirstByte.Record(Record.Elapsed.TotalSeconds);
        return await StreamAsync(streamer, first, id, chunked).ConfigureAwait(false) && !close;
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

            long tail = output.CanGetUnflushedBytes ? output.UnflushedBytes : 0;
            var result = await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
            if (result.IsCompleted)
            {
                return Ended(AbortReason.Client, "client disconnected", streamer);
            }

            server.Metrics.ResponseBytes.Add(tail);
            Record.Bytes += tail;
            return Ended(null, null, streamer);
        }
        catch (ArchiveAbortedException ex)
        {
            // SPEC §3: after the first byte a failure can only abort (chunked: no last chunk; fixed length: short).
            Log.ArchiveAborted(logger, connection.ConnectionId, id, ex.EntryIndex, ex.Reason);
            connection.Abort(new ConnectionAbortedException(ex.Message, ex));
            return Ended(AbortReason.Origin, ex.Message, streamer);
        }
        catch (Exception ex) when (ex is ClientDisconnectedException or ConnectionResetException or OperationCanceledException or IOException)
        {
            Log.ClientGone(logger, connection.ConnectionId, id, ex.Message);
            connection.Abort(new ConnectionAbortedException(ex.Message, ex));
            return Ended(AbortReason.Client, ex.Message, streamer);
        }
    }

    /// <summary>
    /// The client went away before the response head (manifest or first origin file still loading): nothing was
    /// sent, so the access line says 499, as nginx logs a request whose client closed it first; the connection closes.
    /// </summary>
    private bool LeftBeforeHead(string id, string when)
    {
        string reason = "client left " + when;
        Log.ClientGone(logger, connection.ConnectionId, id, reason);
        Record.Status = StatusClientClosedRequest;
        Record.Result = "client-gone";
        Record.Reason = reason;
        return false;
    }

    /// <summary>Counts a streamed archive's end, completed (<paramref name="abortReason"/> null) or aborted; returns whether it completed.</summary>
    private bool Ended(string? abortReason, string? message, ArchiveStreamer streamer)
    {
        Record.Bytes += streamer.BytesSent;
        server.Metrics.ArchiveDuration.Record(Record.Elapsed.TotalSeconds);
        if (abortReason is null)
        {
            server.Metrics.ArchivesCompleted.Add(1);
            return true;
        }

        server.Metrics.ArchivesAborted.Add(1, new KeyValuePair<string, object?>("reason", abortReason));
        Record.Result = abortReason == AbortReason.Client ? "client-gone" : "aborted";
        Record.Reason = message;
        return false;
    }

    private void WriteHead(ArchiveStreamer streamer, ArchiveManifest manifest, ArchiveValidators? validators, long length, bool chunked, bool close,
        ByteRange? range = null, long total = -1)
    {
        Record.Status = range is null ? 200 : 206;
        ResponseWriter.WriteArchiveHead(connection.Transport.Output, new ArchiveResponseHead
        {
            ContentType = streamer.ContentType,
            FileName = manifest.FileName,
            ContentLength = length,
            Chunked = chunked,
            Close = close,
            CacheControl = server.CacheControl,
            ETag = validators?.ETagUtf8,
            LastModified = validators?.LastModified ?? default,
            AcceptRanges = streamer.ServesRanges,
            Partial = range is not null,
            ContentRangeStart = range?.Start ?? 0,
            ContentRangeTotal = total,
        });
    }

    private async ValueTask<bool> RefuseAsync(string id, int status, string reason, bool keepAlive, string? extraHeader = null)
    {
        Log.ArchiveRefused(logger, connection.ConnectionId, id, status, reason);
        server.Metrics.ArchivesRefused.Add(1, new KeyValuePair<string, object?>("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Record.Status = status;
        Record.Result = "refused";
        Record.Reason = reason;
        ResponseWriter.WriteText(connection.Transport.Output, status, reason, !keepAlive, _headOnly, extraHeader: extraHeader);
        Record.CountUnflushed(connection.Transport.Output);
        await connection.Transport.Output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return keepAlive;
    }
}
