using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;

// Baseline for perf/compare.sh: the "obvious" ASP.NET Core way to stream a ZIP — a minimal API that
// writes System.IO.Compression.ZipArchive (create mode, stored) straight to Response.Body.
// GET /archive/big4: four 1 GiB files whose bytes are generated in process exactly as RawZipServer's
// synthetic origin does ("/1073741824/{1..4}"), so both servers pay the same cost to produce them.
// Prints "Listening on URL" (use --urls http://127.0.0.1:0 for an ephemeral port).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

app.MapGet("/archive/{id}", async (string id, HttpContext ctx) =>
{
    int files = id == "big4" ? 4 : 1;
    const long size = 1L << 30;
    // ZipArchiveEntry's write stream still writes its data descriptor synchronously on DisposeAsync
    // (.NET 10), as the usual ZipArchive-over-Response.Body code needs: allow it.
    ctx.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpBodyControlFeature>()!.AllowSynchronousIO = true;
    ctx.Response.ContentType = "application/zip";
    ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}.zip\"";
    var buffer = new byte[81920];
    await using var zip = await ZipArchive.CreateAsync(ctx.Response.Body, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, ctx.RequestAborted);
    for (int f = 1; f <= files; f++)
    {
        var entry = zip.CreateEntry($"f{f}.bin", CompressionLevel.NoCompression);
        await using var s = await entry.OpenAsync(ctx.RequestAborted);
        for (long pos = 0; pos < size; pos += buffer.Length)
        {
            int n = (int)Math.Min(buffer.Length, size - pos);
            Synthetic.Fill(buffer.AsSpan(0, n), pos, (ulong)f);
            await s.WriteAsync(buffer.AsMemory(0, n), ctx.RequestAborted);
        }
    }
});

await app.StartAsync();
foreach (string url in app.Urls)
{
    Console.WriteLine($"Listening on {url}");
}

await app.WaitForShutdownAsync();

internal static class Synthetic
{
    // Same generator as src/RawZipServer/Origin/SyntheticOrigin.cs (SplitMix64 per 8-byte block).
    public static void Fill(Span<byte> destination, long position, ulong seed)
    {
        while (!destination.IsEmpty && (position & 7) != 0)
        {
            destination[0] = (byte)(Mix(seed, (ulong)position >> 3) >> (int)(8 * (position & 7)));
            position++;
            destination = destination[1..];
        }

        var words = MemoryMarshal.Cast<byte, ulong>(destination);
        ulong block = (ulong)position >> 3;
        for (int i = 0; i < words.Length; i++)
        {
            ulong value = Mix(seed, block + (ulong)i);
            words[i] = BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
        }

        int done = words.Length * 8;
        position += done;
        foreach (ref byte b in destination[done..])
        {
            b = (byte)(Mix(seed, (ulong)position >> 3) >> (int)(8 * (position & 7)));
            position++;
        }
    }

    private static ulong Mix(ulong seed, ulong index)
    {
        ulong z = seed + ((index + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
