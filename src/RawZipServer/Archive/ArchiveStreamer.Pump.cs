using System.Runtime.CompilerServices;
using System.IO.Hashing;
using System.IO.Pipelines;
using RawZipServer.Origin;

namespace RawZipServer.Archive;

internal abstract partial class ArchiveStreamer
{
    /// <summary>
    /// Origin → output memory → CRC-32 → advance → flush, until the entry's bytes are all sent. With a
    /// <paramref name="deflater"/> the origin reads into its scratch buffer instead and the compressed
    /// bytes go into the output. Returns the number of origin (uncompressed) bytes.
    /// </summary>
    /// <param name="expected">The size promised by the header, or -1.</param>
    /// <param name="crc">Null when nothing needs the CRC (tar without a manifest CRC).</param>
    /// <param name="maxUnknownSize">An entry of unknown size aborts when it reaches this many bytes.</param>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    protected async ValueTask<long> PumpAsync(
        PipeWriter output, OriginFile file, int index, long expected, Crc32? crc, EntryDeflater? deflater, long maxUnknownSize, CancellationToken cancellationToken)
    {
        crc?.Reset();
        long remaining = expected >= 0 ? expected : long.MaxValue;
        long total = 0;
        while (remaining > 0)
        {
            var memory = deflater is null ? output.GetMemory(ReadSize) : deflater.Buffer;
            if (remaining < memory.Length)
            {
                memory = memory[..(int)remaining];
            }

            int n;
            try
            {
                n = await file.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new ArchiveAbortedException(index, $"origin read failed after {total} bytes: {ex.Message}", ex);
            }

            if (n == 0)
            {
                if (expected >= 0)
                {
                    throw new ArchiveAbortedException(index, $"origin ended after {total} of {expected} bytes");
                }

                break;
            }

            var data = memory.Span[..n];
            crc?.Append(data);
            if (deflater is null)
            {
                output.Advance(n);
            }
            else
            {
                deflater.Write(data);
            }

            total += n;
            remaining -= n;
            // Per read (one per flush), never per byte: one interlocked add in the metrics listener.
            Metrics?.OriginBytes.Add(n);
            if (expected < 0 && total >= maxUnknownSize)
            {
                throw new ArchiveAbortedException(index, $"entry of unknown size reached {maxUnknownSize} bytes, more than its header allows");
            }

            await FlushAsync(output, cancellationToken).ConfigureAwait(false);
        }

        if (expected >= 0 && file.Length < 0 && await HasMoreAsync(output, file, cancellationToken).ConfigureAwait(false))
        {
            // Nothing bounded the origin to the manifest's size: a longer file must not be cut into a valid-looking entry.
            throw new ArchiveAbortedException(index, $"origin has more than the {expected} bytes the manifest says");
        }

        return total;
    }

    /// <summary>Reads one probe byte into scratch pipe memory (never advanced, so never sent).</summary>
    private static async ValueTask<bool> HasMoreAsync(PipeWriter output, OriginFile file, CancellationToken cancellationToken)
    {
        try
        {
            return await file.ReadAsync(output.GetMemory(1)[..1], cancellationToken).ConfigureAwait(false) > 0;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            return false; // the entry's bytes are complete and checked; a failure after them changes nothing
        }
    }
}
