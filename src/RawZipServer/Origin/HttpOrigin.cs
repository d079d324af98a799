using System.Runtime.CompilerServices;
using System.Net;

namespace RawZipServer.Origin;

/// <summary>
/// Files from an HTTP(S) server under <c>BaseUrl</c>, through one shared pooled <see cref="HttpClient"/>.
/// A source is appended to the base path, never resolved as a URL, so it cannot change the scheme, host or port.
/// </summary>
internal sealed class HttpOrigin(string name, Uri baseUrl, IReadOnlyList<KeyValuePair<string, string>> headers, HttpClient client, TimeSpan idleTimeout)
    : Origin(name)
{
    private readonly string _base = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl.AbsoluteUri : baseUrl.AbsoluteUri + "/";

    public override string? CheckSource(string source) => SourcePath.Check(source, allowQuery: true);

    public Uri UriFor(string source)
    {
        var uri = new Uri(_base + source.TrimStart('/'));
        // Defence in depth: the checks in SourcePath already make this impossible.
        if (uri.Scheme != baseUrl.Scheme || uri.Host != baseUrl.Host || uri.Port != baseUrl.Port)
        {
            throw new OriginException($"source '{source}' leaves origin '{Name}'");
        }

        return uri;
    }

    public override async ValueTask<OriginFile> OpenAsync(string source, long offset, long length, string? ifMatch, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(System.Net.Http.HttpMethod.Get, UriFor(source));
        foreach (var header in headers)
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        bool ranged = length >= 0 || offset > 0;
        if (ranged)
        {
            request.Headers.TryAddWithoutValidation("Range", length >= 0 ? $"bytes={offset}-{offset + length - 1}" : $"bytes={offset}-");
        }

        // An ETag pins with If-Match (the origin answers 412 for another version); a date with If-Unmodified-Since.
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation(ifMatch.StartsWith('"') ? "If-Match" : "If-Unmodified-Since", ifMatch);
        }

        HttpResponseMessage? response = null;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(idleTimeout);
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            var expectedStatus = ranged ? HttpStatusCode.PartialContent : HttpStatusCode.OK;
            if (response.StatusCode != expectedStatus)
            {
                // A 200 where 206 was asked would put the file's first bytes at the range's place.
                int status = (int)response.StatusCode;
                throw new OriginException($"origin '{Name}' answered {status} for '{source}'{(ranged ? $" (asked for {request.Headers.GetValues("Range").First()})" : "")}",
                    transient: status >= 500 || status == 408 || status == 429);
            }

            var content = response.Content;
            long contentLength = content.Headers.ContentLength ?? -1;
            long total = contentLength;
            if (ranged)
            {
                var range = content.Headers.ContentRange;
                long wantLength = length >= 0 ? length : (range?.Length ?? -1) - offset;
                if (range is not { From: { } from, To: { } to } || from != offset || to - from + 1 != wantLength
                    || (contentLength >= 0 && contentLength != wantLength))
                {
                    throw new OriginException($"origin '{Name}' sent another slice of '{source}' than bytes {offset}+{length}: Content-Range '{range}', Content-Length {contentLength}");
                }

                contentLength = wantLength;
                total = range.Length ?? -1;
            }

            var file = new HttpOriginFile(response, stream: await content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false), idleTimeout, cancellationToken,
                contentLength, total, content.Headers.LastModified, response.Headers.ETag?.ToString()) { Offset = offset };
            if (ifMatch is not null && file.Validator != ifMatch)
            {
                // Defence in depth: an origin that ignores If-Match must still not hand over another version.
                await file.DisposeAsync().ConfigureAwait(false);
                throw new OriginException($"origin '{Name}': '{source}' is {file.Validator ?? "unversioned"}, not {ifMatch}");
            }

            return file;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or OriginException)
        {
            response?.Dispose();
            if (ex is OriginException || ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // The caller's cancellation (its client left) is no origin failure: it must not be logged or counted as one.
                throw new OperationCanceledException($"request to origin '{Name}' for '{source}' cancelled", ex, cancellationToken);
            }

            string why = ex is OperationCanceledException ? "timed out" : ex.Message;
            throw new OriginException($"origin '{Name}' failed for '{source}': {why}", ex, transient: true);
        }
    }

    private sealed class HttpOriginFile : OriginFile
    {
        private readonly HttpResponseMessage _response;
        private readonly Stream _stream;
        private readonly TimeSpan _idleTimeout;
        // Linked to the token the file was opened with; its timer bounds each read by Upstream:IdleTimeout.
        private readonly CancellationTokenSource _readTimeout;

        public HttpOriginFile(HttpResponseMessage response, Stream stream, TimeSpan idleTimeout, CancellationToken openToken,
            long length, long totalLength, DateTimeOffset? lastModified, string? etag)
        {
            TotalLength = totalLength;
            _response = response;
            _stream = stream;
            _idleTimeout = idleTimeout;
            _readTimeout = CancellationTokenSource.CreateLinkedTokenSource(openToken);
            Length = length;
            LastModified = lastModified;
            ETag = etag;
        }

        // Pooled builder: a read that waits on the network suspends once per chunk.
        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            _readTimeout.CancelAfter(_idleTimeout);
            try
            {
                return await _stream.ReadAsync(destination, _readTimeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested && _readTimeout.IsCancellationRequested)
            {
                throw new IOException($"origin sent nothing for {_idleTimeout} (Upstream:IdleTimeout)", ex);
            }
            finally
            {
                // Disarmed between reads: time spent waiting on a slow client is not the origin's.
                _readTimeout.CancelAfter(Timeout.InfiniteTimeSpan);
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
            _response.Dispose();
            _readTimeout.Dispose();
        }
    }
}
