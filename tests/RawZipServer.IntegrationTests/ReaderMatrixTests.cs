using System.Diagnostics;
using System.Net;
using System.Text;
using RawZipServer.IntegrationTests.Infrastructure;

namespace RawZipServer.IntegrationTests;

/// <summary>
/// Every archive kind the server produces, downloaded from the real server and run through every
/// installed reader (issue 3): prints a matrix reader × kind (ok / FAIL / n.a.) and fails if any
/// applicable cell fails. The multi-GiB kinds are in <see cref="LongReaderMatrixTests"/>.
/// </summary>
public sealed class ReaderMatrixTests(ITestOutputHelper output)
{
    private const string Long100 = "long/";

    [Fact]
    public async Task EveryArchiveKindPassesEveryApplicableReader()
    {
        await using var server = await TestServer.StartAsync(output);
        var random = new Random(3);
        byte[] Text(int lines) => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, lines).Select(i => $"line {i}: the quick brown fox jumps over the lazy dog\n")));
        byte[] Noise(int size)
        {
            byte[] b = new byte[size];
            random.NextBytes(b);
            return b;
        }

        ArchiveSpec Files(ArchiveSpec spec, IEnumerable<(string Path, byte[] Content, bool Crc, string? Compression, bool Deflated)> files, bool sizes = true)
        {
            foreach (var (path, content, crc, compression, deflated) in files)
            {
                string source = "f" + Guid.NewGuid().ToString("N");
                server.WriteFile(source, content);
                spec.File(path, source, content, size: sizes, crc: crc, compression: compression, deflated: deflated);
            }

            return spec;
        }

        var kinds = new List<MatrixKind>
        {
            new("zip stored", Files(new ArchiveSpec(), [("a.txt", Text(50), true, null, false), ("b.bin", Noise(70_000), true, null, false), ("empty", [], true, null, false)])),
            new("zip stored+descriptor", Files(new ArchiveSpec(), [("a.txt", Text(50), false, null, false), ("b.bin", Noise(70_000), false, null, false)]), StoredDescriptors: true),
            new("zip deflate", Files(new ArchiveSpec { Compression = "deflate" },
                [("text.txt", Text(5000), true, null, true), ("noise.bin", Noise(300_000), false, null, true), ("empty.txt", [], true, null, false), ("one.txt", "x"u8.ToArray(), false, null, true)])),
            new("zip mixed (auto)", Files(new ArchiveSpec { Compression = "auto" },
                [("photo.JPG", Noise(40_000), true, null, false), ("notes.md", Text(300), false, null, true), ("raw.txt", Text(10), true, "store", false), ("image.png", Noise(1000), false, "deflate", true)])
                .Directory("folder/")),
            new("zip empty", new ArchiveSpec()),
            new("zip directories", Files(new ArchiveSpec().Directory("a/").Directory("a/b/").Directory("ä/"), [("a/b/c.txt", Text(3), true, null, false)])),
            new("zip unicode names", Files(new ArchiveSpec { Compression = "auto" },
                [("Grüße/Zürich.txt", Text(20), true, null, true), ("日本語/ファイル.jpg", Noise(100), true, null, false), ("😀.txt", Text(1), true, "store", false)])),
            new("tar long+unicode names", Files(new ArchiveSpec { Format = "tar" },
                [(new string('a', 100), Text(1), true, null, false), (new string('b', 101), Noise(511), false, null, false),
                 (new string('p', 150) + "/" + new string('n', 5), Noise(512), false, null, false),
                 (Long100 + new string('c', 150), Noise(513), false, null, false), (string.Join('/', Enumerable.Repeat("segment", 40)), Text(7), false, null, false),
                 ("Grüße/Zürich 日本.txt", Text(30), false, null, false), ("empty.txt", [], false, null, false)])),
            new("tar directories", Files(new ArchiveSpec { Format = "tar" }.Directory("photos/").Directory("photos/2026/"), [("photos/2026/a.txt", Text(2), false, null, false)]).Directory("empty folder/")),
            new("tar sizes from origin", Files(new ArchiveSpec { Format = "tar" }, [("x.bin", Noise(5000), false, null, false), ("y.txt", Text(9), false, null, false)], sizes: false), SizesFromOrigin: true),
            new("tar empty", new ArchiveSpec { Format = "tar" }),
        };

        await ReaderMatrix.RunAsync(server, kinds, output, TimeSpan.FromMinutes(2));
    }
}

/// <summary>The multi-GiB kinds: ZIP64 by size and offset, ZIP64 by count, a tar entry of 8 GiB.</summary>
[Collection("Long")]
[Trait("Category", "Long")]
public sealed class LongReaderMatrixTests(ITestOutputHelper output)
{
    [Fact]
    public async Task BigArchivesPassEveryApplicableReader()
    {
        await using var server = await TestServer.StartAsync(output);
        var count = new ArchiveSpec();
        for (int i = 0; i < 70_000; i++)
        {
            count.Synthetic($"tiny/{i / 1000:D2}/{i:D5}.bin", 1, (ulong)i, crc: true);
        }

        var kinds = new List<MatrixKind>
        {
            new("zip64 size+offset", new ArchiveSpec()
                .Synthetic("before.bin", 1000, 1, crc: true)
                .Synthetic("five-gib.bin", 5L << 30, 2, crc: true)
                .Synthetic("after.bin", 1000, 3, crc: true)),
            new("zip64 count (70,000)", count),
            new("tar 8 GiB entry (pax size)", new ArchiveSpec { Format = "tar" }
                .Synthetic("before.bin", 1000, 1)
                .Synthetic("eight-gib.bin", (8L << 30) + 1, 2)
                .Synthetic("after.bin", 1000, 3)),
        };

        await ReaderMatrix.RunAsync(server, kinds, output, TimeSpan.FromMinutes(4));
    }
}

/// <param name="StoredDescriptors">Some stored entry has a data descriptor: Java ZipInputStream refuses that by design (n.a.).</param>
/// <param name="SizesFromOrigin">The manifest gives no sizes (the origin's Content-Length does), so the response is chunked.</param>
internal sealed record MatrixKind(string Name, ArchiveSpec Spec, bool StoredDescriptors = false, bool SizesFromOrigin = false)
{
    public bool IsTar => Spec.Format == "tar";
}

internal static class ReaderMatrix
{
    private delegate Task Reader(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit);

    private sealed record Column(string Name, Func<MatrixKind, bool> Applies, Reader Read);

    private static readonly Column[] s_columns =
    [
        new("unzip -t", k => !k.IsTar, (p, e, l) => ArchiveReaders.UnzipAsync(p, e, l)),
        new("7z t", _ => true, (p, _, l) => ArchiveReaders.SevenZipAsync(p, l)),
        new("bsdtar file", _ => true, BsdtarFileAsync),
        new("bsdtar stdin", _ => true, BsdtarStdinAsync),
        new("python", _ => true, PythonAsync),
        new(".NET ZipArchive", k => !k.IsTar, (p, e, _) => ArchiveReaders.VerifyWithDotNetAsync(p, e)),
        new("java ZipFile", k => !k.IsTar, JavaZipCheck.ZipFileAsync),
        new("java ZipInputStream", k => !k.IsTar && !k.StoredDescriptors, JavaZipCheck.ZipInputStreamAsync),
        new("GNU tar", k => k.IsTar, TarReaders.GnuTarAsync),
    ];

    private static bool s_isTar;

    public static async Task RunAsync(TestServer server, IReadOnlyList<MatrixKind> kinds, ITestOutputHelper output, TimeSpan limit)
    {
        var cells = new string[kinds.Count, s_columns.Length];
        var failures = new List<string>();
        for (int k = 0; k < kinds.Count; k++)
        {
            var kind = kinds[k];
            string id = "kind" + k;
            server.WriteManifest(id, kind.Spec);
            using var file = TempFile.Create(kind.IsTar ? ".tar" : ".zip");
            var clock = Stopwatch.StartNew();
            await DownloadAsync(server, id, kind, file.Path);
            output.WriteLine($"{kind.Name}: {new FileInfo(file.Path).Length} bytes in {clock.Elapsed.TotalSeconds:0.0}s");
            for (int c = 0; c < s_columns.Length; c++)
            {
                var column = s_columns[c];
                if (!column.Applies(kind))
                {
                    cells[k, c] = "n.a.";
                    continue;
                }

                clock.Restart();
                try
                {
                    s_isTar = kind.IsTar;
                    await column.Read(file.Path, kind.Spec.Expected, limit);
                    cells[k, c] = "ok";
                }
                catch (Exception ex)
                {
                    cells[k, c] = "FAIL";
                    failures.Add($"{kind.Name} × {column.Name}: {ex.Message}");
                }

                output.WriteLine($"  {column.Name}: {cells[k, c]} ({clock.Elapsed.TotalSeconds:0.0}s)");
            }
        }

        output.WriteLine(Format(kinds, cells));
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>Downloads the archive and checks the response head that goes with its kind.</summary>
    private static async Task DownloadAsync(TestServer server, string id, MatrixKind kind, string path)
    {
        using var client = server.CreateClient();
        using var response = await client.GetAsync("/archive/" + id, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(kind.IsTar ? "application/x-tar" : "application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{id}.{(kind.IsTar ? "tar" : "zip")}", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        bool compressed = kind.Spec.Compression is "deflate" or "auto" || kind.Spec.Files.Any(f => f.Compression is "deflate" or "auto");
        bool lengthKnown = !compressed && !kind.SizesFromOrigin;
        Assert.Equal(lengthKnown, response.Content.Headers.NonValidated.Contains("Content-Length"));
        Assert.Equal(!lengthKnown, response.Headers.TransferEncodingChunked == true);
        long? announced = response.Content.Headers.ContentLength;
        await using (var body = await response.Content.ReadAsStreamAsync())
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.Asynchronous))
        {
            await body.CopyToAsync(file, 4 << 20);
        }

        if (lengthKnown)
        {
            Assert.Equal(announced, new FileInfo(path).Length);
        }
    }

    private static Task BsdtarFileAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit) =>
        s_isTar ? TarReaders.BsdtarFileAsync(path, expected, limit) : BothAsync(ArchiveReaders.BsdtarListAsync(path, expected, limit), () => ArchiveReaders.BsdtarSeekableAsync(path, limit));

    private static Task BsdtarStdinAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit) =>
        s_isTar ? TarReaders.BsdtarStdinAsync(path, expected, limit) : ArchiveReaders.BsdtarStreamingAsync(path, limit);

    private static Task PythonAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit) =>
        s_isTar ? TarReaders.PythonAsync(path, expected, limit) : ArchiveReaders.PythonAsync(path, expected, limit);

    private static async Task BothAsync(Task first, Func<Task> second)
    {
        await first;
        await second();
    }

    private static string Format(IReadOnlyList<MatrixKind> kinds, string[,] cells)
    {
        int nameWidth = Math.Max(12, kinds.Max(k => k.Name.Length));
        var sb = new StringBuilder("\nreader matrix (ok / FAIL / n.a.)\n");
        sb.Append("| ").Append("archive kind".PadRight(nameWidth)).Append(" |");
        foreach (var c in s_columns)
        {
            sb.Append(' ').Append(c.Name).Append(" |");
        }

        sb.Append("\n|").Append(new string('-', nameWidth + 2)).Append('|');
        foreach (var c in s_columns)
        {
            sb.Append(new string('-', c.Name.Length + 2)).Append('|');
        }

        for (int k = 0; k < kinds.Count; k++)
        {
            sb.Append("\n| ").Append(kinds[k].Name.PadRight(nameWidth)).Append(" |");
            for (int c = 0; c < s_columns.Length; c++)
            {
                sb.Append(' ').Append(cells[k, c].PadRight(s_columns[c].Name.Length)).Append(" |");
            }
        }

        return sb.Append('\n').ToString();
    }
}
