namespace RawZipServer.Manifest;

/// <summary>What a manifest backend is told about the client: the forwarded headers and its X-Forwarded-For chain.</summary>
internal sealed record BackendRequest(IReadOnlyList<KeyValuePair<string, string>> Headers, string? ForwardedFor)
{
    public static BackendRequest None { get; } = new([], null);
}
