using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// examples/django run for real: Django's dev server on loopback as the manifest backend, RawZipServer in
/// front, a user logged in with a session cookie. Needs Debian's python3-django for /usr/bin/python3
/// (.ci/run installs it); a pyenv python3 on PATH would not see Debian's dist-packages.
/// </summary>
public sealed class DjangoExampleTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";
    private const string Password = "test-password";

    private static string ExampleDirectory()
    {
        // Up from bin/Debug/net10.0 to the repository; bounded by the depth of the path.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "examples", "django");
            if (File.Exists(Path.Combine(candidate, "manage.py")))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("examples/django not found above " + AppContext.BaseDirectory);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [Fact]
    public async Task ACookieAuthenticatedDownloadGoesThroughTheDjangoBackendAndNoCookieGetsItsForbidden()
    {
        var check = await ArchiveReaders.RunAsync(Python, ["-c", "import django"], TimeSpan.FromSeconds(30));
        Assert.True(check.ExitCode == 0, $"Django is missing for {Python} (Debian: apt-get install -y python3-django): {check}");

        int port = FreePort();
        var info = new ProcessStartInfo(Python)
        {
            WorkingDirectory = ExampleDirectory(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "manage.py", "runserver", $"127.0.0.1:{port}", "--noreload" })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DEMO_PASSWORD"] = Password;
        info.Environment["DJANGO_SECRET_KEY"] = Guid.NewGuid().ToString("N");
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var log = new StringBuilder();
        using var django = new Process { StartInfo = info };
        django.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        django.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        Assert.True(django.Start());
        django.BeginOutputReadLine();
        django.BeginErrorReadLine();
        try
        {
            var djangoUrl = new Uri($"http://127.0.0.1:{port}/");
            using var app = new HttpClient(new SocketsHttpHandler { UseProxy = false, UseCookies = false }) { BaseAddress = djangoUrl, Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilUpAsync(app, django, log);

            string cookie = await LogInAsync(app);
            await using var server = await TestServer.StartAsync(output, settings: new Dictionary<string, string?>
            {
                ["Manifests:BackendUrl"] = new Uri(djangoUrl, "manifests/").AbsoluteUri,
                // The origins the example's manifests name, as in the embedded demo.
                ["Origins:samples:Directory"] = Path.Combine(AppContext.BaseDirectory, "demo", "samples"),
                ["DefaultOrigin"] = "samples",
            });
            byte[] beach = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "demo", "samples", "photos", "2026", "beach.txt"));

            var json = await Requests.SendAsync(server, Requests.Get("/archive/holiday", $"Cookie: {cookie}\r\n"));
            var modZip = await Requests.SendAsync(server, Requests.Get("/archive/holiday.modzip", $"Cookie: {cookie}\r\n"));
            var anonymous = await Requests.SendAsync(server, Requests.Get("/archive/holiday"));
            var unknown = await Requests.SendAsync(server, Requests.Get("/archive/nobody-s-album", $"Cookie: {cookie}\r\n"));
            var forged = await Requests.SendAsync(server, Requests.Get("/archive/holiday", "Cookie: sessionid=forged\r\n"));

            Assert.Equal("HTTP/1.1 200 OK", json.StatusLine);
            Assert.Contains("holiday.zip", json.Header("Content-Disposition"), StringComparison.Ordinal);
            await ArchiveReaders.VerifyAsync(json.Body,
                [ExpectedEntry.File("2026/beach.txt", beach), ExpectedEntry.Synthetic("2026/random.bin", 100000, 42), ExpectedEntry.Directory("2026/empty-folder/")],
                output, "Django JSON manifest");
            Assert.Equal("HTTP/1.1 200 OK", modZip.StatusLine);
            await ArchiveReaders.VerifyAsync(modZip.Body, [ExpectedEntry.File("2026/beach.txt", beach)], output, "Django mod_zip manifest");
            Assert.Equal("HTTP/1.1 403 Forbidden", anonymous.StatusLine);
            Assert.Equal("HTTP/1.1 404 Not Found", unknown.StatusLine);
            Assert.Equal("HTTP/1.1 403 Forbidden", forged.StatusLine);
        }
        finally
        {
            if (!django.HasExited)
            {
                django.Kill(entireProcessTree: true);
            }

            await django.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
            lock (log)
            {
                output.WriteLine("django: " + log);
            }
        }
    }

    /// <summary>Polls /healthz/ for at most 30 seconds (Django imports take a moment).</summary>
    private static async Task WaitUntilUpAsync(HttpClient app, Process django, StringBuilder log)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            Assert.False(django.HasExited, "Django exited: " + log);
            try
            {
                using var response = await app.GetAsync("healthz/");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Assert.True(DateTime.UtcNow < deadline, "Django did not start within 30 s: " + log);
            await Task.Delay(200);
        }
    }

    /// <summary>Logs in as the example's user; returns the session cookie as a Cookie header value.</summary>
    private static async Task<string> LogInAsync(HttpClient app)
    {
        using var wrong = await app.PostAsync("login/", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "alice", ["password"] = "nope" }));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);

        using var response = await app.PostAsync("login/", new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "alice", ["password"] = Password }));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        string setCookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("sessionid=", StringComparison.Ordinal));
        return setCookie.Split(';')[0];
    }
}
