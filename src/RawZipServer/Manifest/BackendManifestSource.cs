using System.Net;
using System.Net.Http.Headers;
using RawZipServer.Hosting;

namespace RawZipServer.Manifest;

/// <summary>
/// SPEC §3 "Backend manifests": <c>GET {BackendUrl}{id}</c> with the forwarded headers. A 200 carries the
/// manifest (mod_zip text for <c>text/plain</c> or <c>X-Archive-Files: zip</c>, else JSON); 401/403/404/410
/// are relayed; anything else, a timeout, a body over <c>Limits:MaxManifestBytes</c> or a body that does not
/// parse is a 502. A manifest that parses but breaks a rule is a 400 naming the entry, as from any source.
/// </summary>
internal sealed class BackendManifestSource(BackendOptions options, HttpClient client, ManifestReader reader, long maxManifestBytes)
{
    private readonly string _prefix = options.Url.AbsoluteUri;

    public async ValueTask<ArchiveManifest> LoadAsync(string id, BackendRequest request, CancellationToken cancellationToken)
    {
        // The id matched [A-Za-z0-9._-]{1,200} (ManifestStore.IsValidId), so appending it cannot change the host.
        using var message = new HttpRequestMessage(System.Net.Http.HttpMethod.Get, new Uri(_prefix + id));
        foreach (var header in request.Headers)
        {
            message.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (request.ForwardedFor is not null)
        {
            message.Headers.TryAddWithoutValidation("X-Forwarded-For", request.ForwardedFor);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Timeout);
        (byte[] body, bool modZip) result;
        try
        {
            using var response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            result = await ReadResponseAsync(id, response, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ManifestException(502, $"manifest backend did not answer for '{id}' within {options.Timeout} (Manifests:BackendTimeout)");
        }
        catch (HttpRequestException ex)
        {
            throw new ManifestException(502, $"manifest backend failed for '{id}': {OneLine(ex.Message)}");
        }
        catch (IOException ex)
        {
            throw new ManifestException(502, $"manifest backend failed for '{id}': {OneLine(ex.Message)}");
        }

        ManifestDocument document;
        try
        {
            document = result.modZip ? ModZipManifestParser.Parse(result.body) : ManifestReader.ParseJson(result.body);
        }
        catch (ManifestException ex)
        {
            // The backend is the server's own application: a body that does not even parse is its fault, not the client's.
            throw new ManifestException(502, $"manifest backend sent an unreadable manifest for '{id}': {ex.Message}");
        }

        return reader.Validate(document, id);
    }

    private async ValueTask<(byte[] Body, bool ModZip)> ReadResponseAsync(string id, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        int status = (int)response.StatusCode;
        if (status is 401 or 403 or 404 or 410)
        {
            throw new ManifestException(status, $"manifest backend answered {status} for '{id}'");
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new ManifestException(502, $"manifest backend answered {status} for '{id}'");
        }

        if (response.Content.Headers.ContentLength is long announced && announced > maxManifestBytes)
        {
            throw TooLarge(id);
        }

        bool modZip = IsModZip(response);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Grows as bytes arrive, never past the cap + 1: one byte over is enough to refuse, the rest is not read.
            byte[] buffer = new byte[(int)Math.Min(maxManifestBytes + 1, 16 * 1024)];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxManifestBytes)
                    {
                        throw TooLarge(id);
                    }

                    Array.Resize(ref buffer, (int)Math.Min(maxManifestBytes + 1, (long)buffer.Length * 2));
                }

                int n = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                length += n;
            }

            if (length > maxManifestBytes)
            {
                throw TooLarge(id);
            }

            return (buffer.AsSpan(0, length).ToArray(), modZip);
        }
    }

    /// <summary>mod_zip's own switch is the <c>X-Archive-Files: zip</c> header; <c>text/plain</c> is its usual content type.</summary>
    private static bool IsModZip(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues("X-Archive-Files", out var values) && values.Any(v => v.Trim().Equals("zip", StringComparison.OrdinalIgnoreCase)))
        {
            return true;
        }

        MediaTypeHeaderValue? type = response.Content.Headers.ContentType;
        return string.Equals(type?.MediaType, "text/plain", StringComparison.OrdinalIgnoreCase);
    }

    private ManifestException TooLarge(string id) =>
        new(502, $"manifest backend sent more than Limits:MaxManifestBytes ({maxManifestBytes}) for '{id}'");

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
