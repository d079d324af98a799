using System.Net;
using System.Text.Json;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// A real browser's "Download all": headless Debian chromium (driven by playwright-core, tests/browser/download.mjs)
/// opens a page served by the test, clicks the link to an archive, and saves the download under the name the
/// browser took from Content-Disposition; the file must pass <c>unzip -t</c> and hold the right bytes.
/// Needs <c>/usr/bin/chromium</c> and <c>npm ci</c> in tests/browser (both done by .ci/run).
/// </summary>
public sealed class BrowserDownloadTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("photos-2026.zip")]
    [InlineData("Fotos – Sommer in Zürich 2026 ✓.zip")]
    public async Task ChromiumSavesTheArchiveUnderItsContentDispositionName(string name)
    {
        string root = PublishedBinaryTests.RepositoryRoot();
        string script = Path.Combine(root, "tests", "browser", "download.mjs");
        Assert.True(File.Exists("/usr/bin/chromium"), "chromium is not installed (Debian: apt-get install -y chromium; .ci/run does it)");
        Assert.True(Directory.Exists(Path.Combine(root, "tests", "browser", "node_modules", "playwright-core")),
            "playwright-core is not installed: run `npm ci` in tests/browser (.ci/run does it)");

        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec { Name = name }
            .Synthetic("album/IMG_0001.jpg", 700_000, 21)
            .File("album/notes.txt", "notes.txt", server.WriteFile("notes.txt", "Sommer, Sonne, Zürich\n"u8.ToArray()))
            .Synthetic("album/video.mp4", 2_000_000, 22, size: false)
            .Directory("album/empty/");
        server.WriteManifest("album", spec);

        await using var page = await BackendServer.StartAsync();
        string archiveUrl = server.ArchiveUri("album").AbsoluteUri;
        page.Handler = BackendServer.Answer(200, $"""
            <!doctype html><html><head><meta charset="utf-8"><title>Album</title></head>
            <body><h1>Album</h1><a href="{WebUtility.HtmlEncode(archiveUrl)}">Download all</a></body></html>
            """, "text/html; charset=utf-8");
        string pageUrl = new Uri(page.ManifestsUrl, "/elsewhere/page").AbsoluteUri;

        string downloads = Path.Combine(Path.GetTempPath(), "rawzip-browser-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(downloads);
        try
        {
            var run = await ArchiveReaders.RunAsync("node", [script, pageUrl, downloads], TimeSpan.FromMinutes(3));
            output.WriteLine(run.ToString());
            Assert.True(run.ExitCode == 0, "the browser run failed: " + run);
            using var result = JsonDocument.Parse(run.StdOut.Trim().Split('\n')[^1]);
            Assert.Equal(JsonValueKind.Null, result.RootElement.GetProperty("failure").ValueKind);
            Assert.Equal(name, result.RootElement.GetProperty("suggestedFilename").GetString());
            string saved = Path.Combine(downloads, name);
            Assert.True(File.Exists(saved), "saved as " + saved);
            await ArchiveReaders.UnzipAsync(saved, spec.Expected, TimeSpan.FromMinutes(1));
            await ArchiveReaders.VerifyWithDotNetAsync(saved, spec.Expected);
        }
        finally
        {
            Directory.Delete(downloads, recursive: true);
        }
    }
}
