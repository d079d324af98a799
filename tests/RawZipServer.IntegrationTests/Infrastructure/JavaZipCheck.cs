namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>
/// java.util.zip as a reader (ZIP-FORMAT.md §7): <c>tests/java/ZipCheck.java</c>, compiled once per
/// test run with javac into a temp folder, run with <c>ZipFile</c> and with <c>ZipInputStream</c>.
/// </summary>
internal static class JavaZipCheck
{
    private static readonly SemaphoreSlim s_compile = new(1, 1);
    private static string? s_classDirectory;

    public static Task ZipFileAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit) => RunAsync("file", path, expected, limit);

    public static Task ZipInputStreamAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit) => RunAsync("stream", path, expected, limit);

    private static async Task RunAsync(string mode, string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit)
    {
        string classes = await CompileAsync();
        var result = await ArchiveReaders.RunAsync("java", ["-cp", classes, "ZipCheck", mode, path], limit);
        Assert.True(result.ExitCode == 0, $"java ZipCheck {mode} failed: {result}");
        string[] lines = result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(expected.Count, lines.Length);
        for (int i = 0; i < lines.Length; i++)
        {
            var want = expected[i];
            Assert.Equal($"{want.Name}\t{want.Size}\t{want.Crc:x8}", lines[i]);
        }
    }

    private static async Task<string> CompileAsync()
    {
        await s_compile.WaitAsync();
        try
        {
            if (s_classDirectory is null)
            {
                string output = Path.Combine(Path.GetTempPath(), $"rawzip-java-{Guid.NewGuid():N}");
                Directory.CreateDirectory(output);
                string source = Path.Combine(AppContext.BaseDirectory, "java", "ZipCheck.java");
                var javac = await ArchiveReaders.RunAsync("javac", ["-d", output, source], TimeSpan.FromMinutes(2));
                Assert.True(javac.ExitCode == 0, $"javac failed: {javac}");
                s_classDirectory = output;
            }

            return s_classDirectory;
        }
        finally
        {
            s_compile.Release();
        }
    }
}
