namespace RawZipServer.Manifest;

/// <summary>A manifest that cannot be served: <see cref="StatusCode"/> (400, 404, 413) with a one-line reason.</summary>
internal sealed class ManifestException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    public static ManifestException Entry(int index, string problem) => new(400, $"manifest entry {index}: {problem}");
}
