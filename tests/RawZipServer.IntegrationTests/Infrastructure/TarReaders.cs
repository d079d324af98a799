using System.Security.Cryptography;
using System.Text.Json;
using static RawZipServer.IntegrationTests.Infrastructure.ArchiveReaders;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>
/// The tar readers of ZIP-FORMAT.md §8: GNU tar, bsdtar (file and stdin), Python tarfile and 7-Zip.
/// tar has no checksum of the data, so contents are compared with what was expected (SHA-256 of
/// small entries, CRC-32 of every entry, computed by the reader).
/// </summary>
internal static class TarReaders
{
    private const string PythonCheck = """
        import sys, tarfile, json, hashlib, zlib
        out = []
        with tarfile.open(sys.argv[1], "r:") as t:
            for m in t:
                if m.isdir():
                    out.append([m.name + "/", "dir", 0, 0, ""])
                    continue
                f = t.extractfile(m)
                crc, sha, n = 0, hashlib.sha256(), 0
                while True:
                    b = f.read(1 << 20)
                    if not b: break
                    crc = zlib.crc32(b, crc); sha.update(b); n += len(b)
                out.append([m.name, "file", n, crc, sha.hexdigest()])
        json.dump(out, sys.stdout)
        """;

    /// <summary>GNU tar lists every member (names and sizes) and extracts them all to stdout.</summary>
    public static async Task GnuTarAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit)
    {
        var list = await RunAsync("tar", ["--warning=all", "-tvf", path], limit);
        Assert.True(list.ExitCode == 0 && list.StdErr.Length == 0, $"tar -tvf failed: {list}");
        Assert.Equal(expected.Count, list.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        foreach (var e in expected)
        {
            Assert.Contains(e.Name, list.StdOut, StringComparison.Ordinal);
        }

        await ConcatenatedCrcAsync("tar -xOf \"$1\"", "tar", path, expected, limit);
    }

    public static Task BsdtarFileAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit) =>
        ConcatenatedCrcAsync("bsdtar -xOf \"$1\"", "bsdtar", path, expected, limit);

    public static Task BsdtarStdinAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit) =>
        ConcatenatedCrcAsync("bsdtar -xOf - < \"$1\"", "bsdtar", path, expected, limit);

    /// <summary>Python tarfile: every member's name, size, CRC-32 and (content known) SHA-256.</summary>
    public static async Task PythonAsync(string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit)
    {
        var python = await RunAsync("python3", ["-c", PythonCheck, path], limit);
        Assert.True(python.ExitCode == 0, $"python tarfile failed: {python}");
        var members = JsonSerializer.Deserialize<JsonElement[][]>(python.StdOut)!;
        Assert.Equal(expected.Count, members.Length);
        for (int i = 0; i < members.Length; i++)
        {
            var want = expected[i];
            Assert.Equal(want.Name, members[i][0].GetString());
            Assert.Equal(want.IsDirectory ? "dir" : "file", members[i][1].GetString());
            Assert.Equal(want.Size, members[i][2].GetInt64());
            Assert.True(want.Crc == members[i][3].GetUInt32(), $"python tarfile: '{want.Name}' CRC {members[i][3].GetUInt32():x8}, expected {want.Crc:x8}");
            if (want.Content is not null && !want.IsDirectory)
            {
                Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(want.Content)), members[i][4].GetString());
            }
        }
    }

    /// <summary>7-Zip reads pax headers (path, size, mtime); "Everything is Ok" and no warnings.</summary>
    public static Task SevenZipAsync(string path, TimeSpan limit) => ArchiveReaders.SevenZipAsync(path, limit);

    /// <summary>
    /// Extracts every member to stdout and compares the CRC-32 of the concatenation with the
    /// expected one (the files in order): any wrong, missing or extra byte changes it.
    /// </summary>
    private static async Task ConcatenatedCrcAsync(string extract, string requires, string path, IReadOnlyList<ExpectedEntry> expected, TimeSpan limit)
    {
        string script = extract + " | python3 -c 'import sys,zlib\nc=0;n=0\nwhile True:\n b=sys.stdin.buffer.read(1<<20)\n if not b: break\n c=zlib.crc32(b,c);n+=len(b)\nprint(n,c)'; exit ${PIPESTATUS[0]}";
        var result = await RunAsync("bash", ["-c", script, "bash", path], limit, requires: requires);
        Assert.True(result.ExitCode == 0 && result.StdErr.Length == 0, $"{extract} failed: {result}");
        long size = expected.Sum(e => e.Size);
        uint crc = CombinedCrc(expected);
        Assert.Equal($"{size} {crc}", result.StdOut.Trim());
    }

    /// <summary>CRC-32 of all expected files concatenated, without holding them: each entry's content or, for huge synthetic ones, its bytes regenerated.</summary>
    private static uint CombinedCrc(IReadOnlyList<ExpectedEntry> expected)
    {
        var crc = new System.IO.Hashing.Crc32();
        foreach (var e in expected)
        {
            if (e.IsDirectory || e.Size == 0)
            {
                continue;
            }

            if (e.Content is not null)
            {
                crc.Append(e.Content);
            }
            else
            {
                Assert.NotNull(e.SyntheticSeed);
                byte[] buffer = new byte[1 << 20];
                for (long position = 0; position < e.Size; position += buffer.Length)
                {
                    int n = (int)Math.Min(buffer.Length, e.Size - position);
                    RawZipServer.Origin.SyntheticOrigin.Fill(buffer.AsSpan(0, n), position, e.SyntheticSeed.Value);
                    crc.Append(buffer.AsSpan(0, n));
                }
            }
        }

        return crc.GetCurrentHashAsUInt32();
    }
}
