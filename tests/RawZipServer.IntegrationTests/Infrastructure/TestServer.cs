using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RawZipServer.Hosting;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>
/// An in-process RawZipServer on 127.0.0.1 with an ephemeral port: a temp folder for the directory
/// origin <c>files</c>, one for manifests, the synthetic origin <c>synthetic</c> and, when given, the
/// HTTP origin <c>web</c>. Disposing stops the server and deletes the folders.
/// </summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly ServerHost _host;
    private readonly string _root;

    private TestServer(ServerHost host, string root, ServerOptions options)
    {
        _host = host;
        Options = options;
        _root = root;
        var address = new Uri(host.Addresses[0]);
        BaseAddress = address;
        EndPoint = new IPEndPoint(IPAddress.Parse(address.Host), address.Port);
    }

    public Uri BaseAddress { get; }
    public ServerOptions Options { get; }
    public IPEndPoint EndPoint { get; }
    public string FilesDirectory => Path.Combine(_root, "files");
    public string ManifestsDirectory => Path.Combine(_root, "manifests");

    public static async Task<TestServer> StartAsync(ITestOutputHelper? output, Uri? webOrigin = null, IDictionary<string, string?>? settings = null, ILoggerFactory? loggerFactory = null)
    {
        string root = Path.Combine(Path.GetTempPath(), "rawzip-it-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "files"));
        Directory.CreateDirectory(Path.Combine(root, "manifests"));
        var values = new Dictionary<string, string?>
        {
            ["Listen"] = "http://127.0.0.1:0",
            ["Origins:files:Directory"] = Path.Combine(root, "files"),
            ["Origins:synthetic:Synthetic"] = "true",
            ["DefaultOrigin"] = "files",
            ["Manifests:Directory"] = Path.Combine(root, "manifests"),
        };
        if (webOrigin is not null)
        {
            values["Origins:web:BaseUrl"] = webOrigin.AbsoluteUri;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var config = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = ServerOptionsLoader.Load(config);
        loggerFactory ??= output is null ? NullLoggerFactory.Instance : new TestOutputLoggerFactory(output);
        try
        {
            var host = await ServerHost.StartAsync(options, loggerFactory);
            return new TestServer(host, root, options);
        }
        catch
        {
            Directory.Delete(root, recursive: true);
            throw;
        }
    }

    /// <summary>Writes a file under the directory origin; returns its content.</summary>
    public byte[] WriteFile(string relativePath, byte[] content)
    {
        string path = Path.Combine(FilesDirectory, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return content;
    }

    public void WriteManifest(string id, string json) => File.WriteAllText(Path.Combine(ManifestsDirectory, id + ".json"), json);

    public void WriteManifest(string id, ArchiveSpec spec) => WriteManifest(id, spec.ToJson());

    public Uri ArchiveUri(string id) => new(BaseAddress, "/archive/" + id);

    public HttpClient CreateClient() => new(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromMinutes(10),
    };

    /// <summary>What SIGTERM does in the process: drain for at most <paramref name="drainTimeout"/>, then stop; returns the archives aborted.</summary>
    public Task<int> DrainAndStopAsync(TimeSpan drainTimeout) => _host.DrainAndStopAsync(drainTimeout);

    public RawHttpConnection Connect() => RawHttpConnection.Connect(EndPoint);

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
