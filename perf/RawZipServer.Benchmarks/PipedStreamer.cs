using System.IO.Pipelines;
using RawZipServer.Archive;

namespace RawZipServer.Benchmarks;

/// <summary>Runs an archive streamer into a <see cref="Pipe"/> that another task drains, as a socket would.</summary>
internal static class PipedStreamer
{
    /// <summary>Streams the archive and returns the number of bytes the reader side received.</summary>
    public static async Task<long> RunAsync(ArchiveStreamer streamer)
    {
        var pipe = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var drain = DrainAsync(pipe.Reader);
        await streamer.WriteAsync(pipe.Writer, null, CancellationToken.None);
        await pipe.Writer.CompleteAsync();
        return await drain;
    }

    public static async Task<long> DrainAsync(PipeReader reader)
    {
        long total = 0;
        while (true)
        {
            var result = await reader.ReadAsync();
            total += result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                await reader.CompleteAsync();
                return total;
            }
        }
    }
}
