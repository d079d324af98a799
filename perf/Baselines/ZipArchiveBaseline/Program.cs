using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

// Baseline for perf/compare.sh: the "obvious" ASP.NET Core way to stream a ZIP of files another server holds —
// a minimal API that fetches each file with one shared HttpClient and copies the response stream into a
// System.IO.Compression.ZipArchive entry (create mode, stored) written straight to Response.Body.
//   --Origin=http://127.0.0.1:PORT/   base URL the files are fetched from (sources are relative to it)
//   --Manifests=DIR                   GET /archive/{id} reads DIR/{id}.json, RawZipServer's manifest format; only
//                                     files[].path and files[].source are used (sizes, CRCs and origins are ignored)
// Prints "Listening on URL" (use --urls http://127.0.0.1:0 for an ephemeral port).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var origin = new Uri(builder.Configuration["Origin"] ?? throw new InvalidOperationException("--Origin=URL is required"));
string manifests = builder.Configuration["Manifests"] ?? throw new InvalidOperationException("--Manifests=DIR is required");
var app = builder.Build();

// One client for the process, as the HttpClient guidelines say (a pooled SocketsHttpHandler underneath).
using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None })
{
    BaseAddress = origin,
    Timeout = Timeout.InfiniteTimeSpan,
};

app.MapGet("/archive/{id}", async (string id, HttpContext ctx) =>
{
    string path = Path.Combine(manifests, id + ".json");
    if (!Regex.IsMatch(id, "^[A-Za-z0-9_-]+$") || !File.Exists(path))
    {
        ctx.Response.StatusCode = 404;
        return;
    }

    var files = new List<(string Name, string Source)>();
    using (var doc = JsonDocument.Parse(await File.ReadAllBytesAsync(path, ctx.RequestAborted)))
    {
        foreach (var f in doc.RootElement.GetProperty("files").EnumerateArray())
        {
            files.Add((f.GetProperty("path").GetString()!, f.GetProperty("source").GetString()!));
        }
    }

    // ZipArchiveEntry's write stream still writes its data descriptor synchronously on DisposeAsync
    // (.NET 10), as the usual ZipArchive-over-Response.Body code needs: allow it.
    ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
    ctx.Response.ContentType = "application/zip";
    ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}.zip\"";
    await using var zip = await ZipArchive.CreateAsync(ctx.Response.Body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ctx.RequestAborted);
    foreach (var (name, source) in files)
    {
        using var response = await http.GetAsync(source.TrimStart('/'), HttpCompletionOption.ResponseHeadersRead, ctx.RequestAborted);
        response.EnsureSuccessStatusCode();
        var entry = zip.CreateEntry(name, CompressionLevel.NoCompression);
        await using var entryStream = await entry.OpenAsync(ctx.RequestAborted);
        await response.Content.CopyToAsync(entryStream, ctx.RequestAborted);
    }
});

await app.StartAsync();
foreach (string url in app.Urls)
{
    Console.WriteLine($"Listening on {url}");
}

await app.WaitForShutdownAsync();
