namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>A file under the temp folder, deleted on dispose.</summary>
internal sealed class TempFile : IDisposable
{
    private TempFile(string path) => Path = path;

    public string Path { get; }

    public static TempFile Create(string extension = ".zip") =>
        new(System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"rawzip-it-{Guid.NewGuid():N}{extension}"));

    public static TempFile Write(byte[] content)
    {
        var file = Create();
        File.WriteAllBytes(file.Path, content);
        return file;
    }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}

internal static class Requests
{
    public static string Get(string target, string extraHeaders = "") => $"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extraHeaders}\r\n";

    public static string Head(string target, string extraHeaders = "") => $"HEAD {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{extraHeaders}\r\n";

    /// <summary>Sends <paramref name="request"/> on a new connection and reads one response.</summary>
    public static async Task<RawResponse> SendAsync(TestServer server, string request, bool headRequest = false)
    {
        using var connection = server.Connect();
        await connection.SendAsync(request);
        return await connection.ReadResponseAsync(headRequest);
    }
}
