using RawZipServer.IntegrationTests.Infrastructure;
using Xunit.Sdk;

namespace RawZipServer.IntegrationTests;

/// <summary>The checks themselves: every reader must notice a flipped data byte, or a passing test proves nothing.</summary>
public sealed class InfrastructureTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryReaderRejectsAnArchiveWithOneCorruptedDataByte()
    {
        await using var server = await TestServer.StartAsync(output);
        var spec = new ArchiveSpec().Synthetic("a.bin", 1000, 5).Synthetic("b.bin", 3000, 6, crc: true);
        server.WriteManifest("x", spec);
        using var client = server.CreateClient();
        byte[] archive = await client.GetByteArrayAsync("/archive/x");
        int at = archive.AsSpan().IndexOf(spec.Expected[1].Content.AsSpan(0, 64));
        Assert.True(at > 0);
        archive[at + 1500] ^= 0x55;
        using var zip = TempFile.Write(archive);
        var limit = TimeSpan.FromSeconds(30);

        var failures = new List<string>();
        async Task MustFail(string reader, Func<Task> check)
        {
            var ex = await Record.ExceptionAsync(check);
            Assert.True(ex is XunitException, $"{reader} accepted a corrupted archive");
            failures.Add(reader);
        }

        await MustFail("ZIP-FORMAT.md §4 invariants", () =>
        {
            ArchiveReaders.AssertZipFormat(zip.Path, spec.Expected);
            return Task.CompletedTask;
        });
        await MustFail("unzip", () => ArchiveReaders.UnzipAsync(zip.Path, spec.Expected, limit));
        await MustFail("7z", () => ArchiveReaders.SevenZipAsync(zip.Path, limit));
        await MustFail("bsdtar file", () => ArchiveReaders.BsdtarSeekableAsync(zip.Path, limit));
        await MustFail("bsdtar stdin", () => ArchiveReaders.BsdtarStreamingAsync(zip.Path, limit));
        await MustFail("python", () => ArchiveReaders.PythonAsync(zip.Path, spec.Expected, limit));
        await MustFail(".NET", () => ArchiveReaders.VerifyWithDotNetAsync(zip.Path, spec.Expected));
        output.WriteLine("corrupted archive rejected by " + string.Join(", ", failures));
    }
}
