using System.Diagnostics;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using RawZipServer.Http;
using HttpMethod = RawZipServer.Http.HttpMethod;

namespace RawZipServer.Connection;

/// <summary>
/// One loop per client connection: read a request head, answer it, repeat while keep-alive holds.
/// Requests are answered one at a time, so pipelined requests are answered in order; the bytes of the
/// next one wait in the transport's pipe meanwhile.
/// </summary>
internal sealed class ArchiveConnectionHandler(ServerContext server, ILogger<ArchiveConnectionHandler> logger, ILoggerFactory loggerFactory) : ConnectionHandler
{
    /// <summary>Its own category, so operators can route or silence access lines apart from the rest.</summary>
    private readonly ILogger _accessLogger = loggerFactory.CreateLogger("RawZipServer.Access");

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        server.Metrics.ActiveConnections.Add(1);
        try
        {
            await ServeConnectionAsync(connection).ConfigureAwait(false);
        }
        finally
        {
            server.Metrics.ActiveConnections.Add(-1);
        }
    }

    private async Task ServeConnectionAsync(ConnectionContext connection)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var head = new RequestHead { CaptureNames = server.ExtraForwardHeaders };
        var closeRequested = connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested ?? default;
        // Covers the whole wait for a head, idle keep-alive time included (a silent connection counts too).
        using var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(closeRequested);
        var responder = new ArchiveResponder(server, connection, logger);
        try
        {
            while (true)
            {
                headTimeout.CancelAfter(server.Options.Limits.RequestHeadersTimeout);
                if (!await ReadHeadAsync(input, output, head, headTimeout.Token, connection).ConfigureAwait(false))
                {
                    return;
                }

                headTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
                if (headTimeout.IsCancellationRequested)
                {
                    return;
                }

                responder.Record.Reset(Stopwatch.GetTimestamp());
                bool keepOpen = await RespondAsync(head, output, responder).ConfigureAwait(false);
                AccessLog.Write(_accessLogger, head, responder.Record, server.ClientAddresses.For(connection.RemoteEndPoint, head.ForwardedFor));
                if (!keepOpen)
                {
                    return;
                }
            }
        }
        catch (ConnectionResetException)
        {
            // The client went away between requests.
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.Unexpected(logger, connection.ConnectionId, ex);
            connection.Abort(new ConnectionAbortedException("unexpected server error", ex));
        }
    }

    /// <summary>Reads until one whole head is parsed; false when the connection is to close (end, timeout, refusal sent).</summary>
    private async ValueTask<bool> ReadHeadAsync(PipeReader input, PipeWriter output, RequestHead head, CancellationToken timeout, ConnectionContext connection)
    {
        long searched = 0;
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false; // Limits:RequestHeadersTimeout, or shutdown between requests
            }

            var buffer = result.Buffer;
            try
            {
                if (RequestParser.TryParse(buffer, server.Options.Limits.MaxRequestHeadersBytes, head, ref searched, out var consumed))
                {
                    input.AdvanceTo(consumed);
                    return true;
                }

                if (result.IsCompleted)
                {
                    if (buffer.IsEmpty)
                    {
                        return false;
                    }

                    BadRequestException.Throw(RequestRejectionReason.UnexpectedEndOfRequest);
                }
            }
            catch (BadRequestException ex)
            {
                input.AdvanceTo(buffer.End);
                Log.BadRequest(logger, connection.ConnectionId, ex.StatusCode, ex.Message);
                var record = new RequestRecord();
                record.Reset(Stopwatch.GetTimestamp());
                ResponseWriter.WriteText(output, ex.StatusCode, ex.Message, close: true);
                record.CountUnflushed(output);
                record.Status = ex.StatusCode;
                record.Result = "refused";
                record.Reason = ex.Message;
                await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
                // What the parser kept of a head it refused may be partial: the line says what it has.
                AccessLog.Write(_accessLogger, head, record, server.ClientAddresses.For(connection.RemoteEndPoint, head.ForwardedFor));
                return false;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>Routes one request; returns whether the connection stays open for the next.</summary>
    private async ValueTask<bool> RespondAsync(RequestHead head, PipeWriter output, ArchiveResponder responder)
    {
        // A body this server does not read would be taken for the next request: answer, then close.
        bool keepAlive = head.KeepAlive && head.ContentLength <= 0;
        var path = head.Path;
        bool getOrHead = head.Method is HttpMethod.Get or HttpMethod.Head;

        if (path.StartsWith("/archive/", StringComparison.Ordinal) && getOrHead)
        {
            return await responder.RespondAsync(head, path["/archive/".Length..].ToString(), keepAlive).ConfigureAwait(false);
        }

        var record = responder.Record;
        if (path.SequenceEqual("/healthz") && getOrHead)
        {
            // Draining (SIGTERM): load balancers take this server out while its archives finish.
            keepAlive &= !server.Draining;
            record.Status = server.Draining ? 503 : 200;
            ResponseWriter.WriteText(output, record.Status, server.Draining ? "draining" : "ok", !keepAlive, headOnly: head.Method == HttpMethod.Head);
        }
        else if (path.SequenceEqual("/metrics") && getOrHead)
        {
            record.Status = 200;
            MetricsResponseWriter.Write(output, server.Exporter.Render(), !keepAlive, headOnly: head.Method == HttpMethod.Head);
        }
        else if (path.StartsWith("/archive/", StringComparison.Ordinal) || path.SequenceEqual("/healthz") || path.SequenceEqual("/metrics"))
        {
            record.Status = 405;
            ResponseWriter.WriteText(output, 405, "method not allowed", !keepAlive, allow: "GET, HEAD");
        }
        else if (path.SequenceEqual("/archive"))
        {
            if (head.Method == HttpMethod.Post)
            {
                // The responder reads the body (or closes): keep-alive is its decision.
                return await responder.RespondPostAsync(head).ConfigureAwait(false);
            }
            else
            {
                record.Status = 405;
                ResponseWriter.WriteText(output, 405, "/archive takes POST; use GET /archive/{id} for a stored manifest", !keepAlive, head.Method == HttpMethod.Head, allow: "POST");
            }
        }
        else
        {
            record.Status = 404;
            ResponseWriter.WriteText(output, 404, "not found", !keepAlive, headOnly: head.Method == HttpMethod.Head);
        }

        record.CountUnflushed(output);
        await output.FlushAsync(CancellationToken.None).ConfigureAwait(false);
        return keepAlive;
    }
}
