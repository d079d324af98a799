using System.Diagnostics;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using System.Text.Json;
using RawZipServer.Tests.Shared;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>
/// Checks an archive against every rule of ZIP-FORMAT.md §4 with the shared <see cref="ZipInspector"/>,
/// then runs the external ZIP readers of ZIP-FORMAT.md §7 (unzip, 7-Zip, bsdtar seekable and streaming,
/// Python zipfile) and .NET ZipArchive over it, each of which must pass; the inspector's, .NET's and
/// Python's results are also compared entry by entry (name, size, CRC, bytes) with what was expected.
/// </summary>
internal static class ArchiveReaders
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromMinutes(2);

    private const string PythonCheck = """
        import sys, zipfile, json
        z = zipfile.ZipFile(sys.argv[1])
        bad = z.testzip()
        if bad is not None:
            print("testzip: bad entry " + bad, file=sys.stderr)
            sys.exit(1)
        json.dump([[i.filename, i.file_size, i.CRC] for i in z.infolist()], sys.stdout)
        """;

    /// <summary>Saves <paramref name="archive"/> to a temp file and verifies it with every reader.</summary>
    public static async Task VerifyAsync(byte[] archive, IReadOnlyList<ExpectedEntry> expected, ITestOutputHelper output, string label)
    {
        string path = Path.Combine(Path.GetTempPath(), $"rawzip-it-{Guid.NewGuid():N}.zip");
        await File.WriteAllBytesAsync(path, archive);
        try
        {
            await VerifyFileAsync(path, expected, output, label);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Verifies the archive at <paramref name="path"/> with every reader.</summary>
    public static async Task VerifyFileAsync(string path, IReadOnlyList<ExpectedEntry> expected, ITestOutputHelper output, string label, TimeSpan? timeout = null)
    {
        var limit = timeout ?? s_defaultTimeout;
        long length = new FileInfo(path).Length;
        var passed = new List<string>();
        var clock = Stopwatch.StartNew();

        void Passed(string reader)
        {
            passed.Add($"{reader} ({clock.Elapsed.TotalSeconds:0.0}s)");
            clock.Restart();
        }

        AssertZipFormat(path, expected);
        Passed("ZIP-FORMAT.md §4 invariants");
        await UnzipAsync(path, expected, limit);
        Passed("unzip -tq");
        await SevenZipAsync(path, limit);
        Passed("7z t");
        await BsdtarListAsync(path, expected, limit);
        await BsdtarSeekableAsync(path, limit);
        Passed("bsdtar -xOf FILE");
        await BsdtarStreamingAsync(path, limit);
        Passed("bsdtar -xOf - <FILE");
        await PythonAsync(path, expected, limit);
        Passed("python zipfile");

        await VerifyWithDotNetAsync(path, expected);
        Passed(".NET ZipArchive");

        output.WriteLine($"{label}: {length} bytes, {expected.Count} entries verified by {string.Join(", ", passed)}");
    }

    /// <summary>
    /// The shared inspector reads the file in place (data only in chunks, for the CRCs), asserts every rule
    /// of ZIP-FORMAT.md §4, and compares each entry's name, size and CRC with what was expected.
    /// </summary>
    public static void AssertZipFormat(string path, IReadOnlyList<ExpectedEntry> expected)
    {
        using var zip = ZipInspector.ReadFile(path);
        zip.AssertInvariants();
        Assert.Equal(expected.Select(e => e.Name), zip.Entries.Select(e => e.Central.NameString));
        for (int i = 0; i < expected.Count; i++)
        {
            var central = zip.Entries[i].Central;
            Assert.True(expected[i].Size == central.UncompressedSize, $"inspector: entry {i} '{expected[i].Name}' size {central.UncompressedSize}, expected {expected[i].Size}");
            Assert.True(expected[i].Crc == central.Crc, $"inspector: entry {i} '{expected[i].Name}' CRC {central.Crc:x8}, expected {expected[i].Crc:x8}");
        }
    }

    /// <summary>Info-ZIP unzip checks the CRC of every entry. An empty archive is "zipfile is empty", exit 1 (ZIP-FORMAT.md §7).</summary>
    public static async Task UnzipAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit)
    {
        var unzip = await RunAsync("unzip", ["-tq", path], limit);
        if (expected.Count == 0)
        {
            Assert.True(unzip.ExitCode == 1 && unzip.Output.Contains("zipfile is empty", StringComparison.Ordinal),
                $"unzip -tq on an empty archive: expected exit 1 'zipfile is empty', got {unzip}");
        }
        else
        {
            Assert.True(unzip.ExitCode == 0, $"unzip -tq failed: {unzip}");
        }
    }

    public static async Task SevenZipAsync(string path, TimeSpan limit)
    {
        var sevenZip = await RunAsync("7z", ["t", path], limit);
        Assert.True(sevenZip.ExitCode == 0 && sevenZip.Output.Contains("Everything is Ok", StringComparison.Ordinal)
            && !sevenZip.Output.Contains("WARNING", StringComparison.OrdinalIgnoreCase), $"7z t failed: {sevenZip}");
    }

    public static async Task BsdtarListAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit)
    {
        var list = await RunAsync("bsdtar", ["-tf", path], limit);
        Assert.True(list.ExitCode == 0, $"bsdtar -tf failed: {list}");
        string[] listed = list.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Select(e => e.Name), listed);
    }

    /// <summary>libarchive, seekable: reads the central directory; -x checks every CRC.</summary>
    public static async Task BsdtarSeekableAsync(string path, TimeSpan limit)
    {
        var seekable = await RunAsync("sh", ["-c", "bsdtar -xOf \"$1\" > /dev/null", "sh", path], limit, requires: "bsdtar");
        Assert.True(seekable.ExitCode == 0 && seekable.StdErr.Length == 0, $"bsdtar -xOf FILE failed: {seekable}");
    }

    /// <summary>libarchive, streaming from a pipe: local headers and descriptors only.</summary>
    public static async Task BsdtarStreamingAsync(string path, TimeSpan limit)
    {
        var streaming = await RunAsync("sh", ["-c", "bsdtar -xOf - < \"$1\" > /dev/null", "sh", path], limit, requires: "bsdtar");
        Assert.True(streaming.ExitCode == 0 && streaming.StdErr.Length == 0, $"bsdtar -xOf - (stdin) failed: {streaming}");
    }

    /// <summary>Python zipfile testzip() (reads every entry, checks CRCs), then names, sizes and CRCs from its infolist.</summary>
    public static async Task PythonAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit)
    {
        var python = await RunAsync("python3", ["-c", PythonCheck, path], limit);
        Assert.True(python.ExitCode == 0, $"python zipfile failed: {python}");
        var infos = JsonSerializer.Deserialize<JsonElement[][]>(python.StdOut)!;
        Assert.Equal(expected.Count, infos.Length);
        for (int i = 0; i < infos.Length; i++)
        {
            Assert.Equal(expected[i].Name, infos[i][0].GetString());
            Assert.Equal(expected[i].Size, infos[i][1].GetInt64());
            Assert.True(expected[i].Crc == infos[i][2].GetUInt32(), $"python: entry {i} '{expected[i].Name}' CRC {infos[i][2].GetUInt32():x8}, expected {expected[i].Crc:x8}");
        }
    }

    /// <summary>ZipArchive does not check CRCs (ZIP-FORMAT.md §7): compute them here, and compare names, sizes and bytes.</summary>
    public static async Task VerifyWithDotNetAsync(string path, IReadOnlyList<ExpectedEntry> expected)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous);
        await using var zip = new ZipArchive(file, ZipArchiveMode.Read);
        Assert.Equal(expected.Count, zip.Entries.Count);
        byte[] buffer = new byte[1 << 20];
        for (int i = 0; i < expected.Count; i++)
        {
            var want = expected[i];
            var entry = zip.Entries[i];
            Assert.Equal(want.Name, entry.FullName);
            Assert.Equal(want.Size, entry.Length);
            if (!want.Deflated)
            {
                Assert.Equal(want.Size, entry.CompressedLength); // stored
            }

            Assert.True(want.Crc == entry.Crc32, $".NET: entry {i} '{want.Name}' central CRC {entry.Crc32:x8}, expected {want.Crc:x8}");
            if (want.IsDirectory)
            {
                Assert.EndsWith("/", entry.FullName, StringComparison.Ordinal);
                continue;
            }

            var crc = new Crc32();
            var content = want.Content is null ? null : new MemoryStream();
            long total = 0;
            await using (var stream = await entry.OpenAsync())
            {
                int n;
                while ((n = await stream.ReadAsync(buffer)) > 0)
                {
                    crc.Append(buffer.AsSpan(0, n));
                    content?.Write(buffer, 0, n);
                    total += n;
                }
            }

            Assert.Equal(want.Size, total);
            Assert.True(want.Crc == crc.GetCurrentHashAsUInt32(), $".NET: entry {i} '{want.Name}' data CRC {crc.GetCurrentHashAsUInt32():x8}, expected {want.Crc:x8}");
            if (content is not null)
            {
                Assert.True(want.Content.AsSpan().SequenceEqual(content.ToArray()), $".NET: entry {i} '{want.Name}' content differs");
            }
        }
    }

    internal sealed record ProcessResult(string Command, int ExitCode, string StdOut, string StdErr)
    {
        public string Output => StdOut + StdErr;

        public override string ToString() =>
            $"`{Command}` exit {ExitCode}\nstdout: {Truncate(StdOut)}\nstderr: {Truncate(StdErr)}";

        private static string Truncate(string s) => s.Length > 4000 ? s[..2000] + "\n…\n" + s[^2000..] : s;
    }

    /// <summary>Runs a reader under a UTF-8 locale; fails clearly when it is not installed; kills it after <paramref name="timeout"/>.</summary>
    public static async Task<ProcessResult> RunAsync(string program, string[] args, TimeSpan timeout, string? requires = null)
    {
        RequireOnPath(requires ?? program);
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["LC_ALL"] = "C.UTF-8";
        info.Environment["LANG"] = "C.UTF-8";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within {timeout}");
        }

        string command = program + " " + string.Join(' ', args.Select(a => a.Contains(' ', StringComparison.Ordinal) || a.Contains('\n', StringComparison.Ordinal) ? "'" + a + "'" : a));
        return new ProcessResult(command, process.ExitCode, await stdout, await stderr);
    }

    public static void RequireOnPath(string program)
    {
        string[] directories = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        if (!directories.Any(d => File.Exists(Path.Combine(d, program))))
        {
            Assert.Fail($"ZIP reader '{program}' is not on PATH. Install the readers (Debian: apt-get install -y unzip p7zip-full libarchive-tools python3) — ZIP-FORMAT.md §7.");
        }
    }
}
