namespace RawZipServer.Http;

/// <summary>
/// What the server keeps of a request head: the method, the target and the few headers it acts on.
/// One instance per connection, reset for each request; strings are made only for headers present.
/// </summary>
internal sealed class RequestHead
{
    public HttpMethod Method;
    /// <summary>Origin-form target: path and query, as sent.</summary>
    public string Target = "";
    /// <summary>10 for HTTP/1.0, 11 for HTTP/1.1.</summary>
    public int Version;
    public bool KeepAlive;
    /// <summary>-1 when absent.</summary>
    public long ContentLength;
    public bool HasTransferEncoding;
    public bool HasHost;
    public string? Range;
    public string? IfRange;
    public string? Authorization;
    public string? Cookie;
    public string? ForwardedFor;

    /// <summary>
    /// Names of further headers to keep (those of <c>Manifests:ForwardHeaders</c> beyond Authorization
    /// and Cookie); set once per connection, survives <see cref="Reset"/>.
    /// </summary>
    public string[] CaptureNames = [];

    /// <summary>The headers of <see cref="CaptureNames"/> this request carried, as sent.</summary>
    public readonly List<KeyValuePair<string, string>> Captured = [];

    public ReadOnlySpan<char> Path
    {
        get
        {
            int q = Target.IndexOf('?', StringComparison.Ordinal);
            return q < 0 ? Target : Target.AsSpan(0, q);
        }
    }

    public ReadOnlySpan<char> Query
    {
        get
        {
            int q = Target.IndexOf('?', StringComparison.Ordinal);
            return q < 0 ? default : Target.AsSpan(q + 1);
        }
    }

    public void Reset()
    {
        Method = HttpMethod.Other;
        Target = "";
        Version = 0;
        KeepAlive = false;
        ContentLength = -1;
        HasTransferEncoding = false;
        HasHost = false;
        Range = IfRange = Authorization = Cookie = ForwardedFor = null;
        Captured.Clear();
    }
}
