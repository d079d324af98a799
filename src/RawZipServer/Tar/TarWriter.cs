using System.Buffers;

namespace RawZipServer.Tar;

/// <summary>
/// Writes the records around the entries' data: headers, the padding after each entry's data and
/// the trailer. The data goes from the origin straight into the same output (the pump). Knows
/// nothing of HTTP.
/// </summary>
internal sealed class TarWriter(TarEntry[] entries)
{
    /// <summary>Bytes of the archive written so far.</summary>
    public long Position { get; private set; }

    /// <summary>Writes the headers of entry <paramref name="index"/>; its size must be known (tar has no descriptor).</summary>
    public void WriteHeader(IBufferWriter<byte> output, int index)
    {
        ref var e = ref entries[index];
        e.Offset = Position;
        int length = e.HeaderLength;
        TarHeader.Write(output.GetSpan(length), e);
        output.Advance(length);
        Position += length;
    }

    /// <summary>Accounts for the entry's data the pump wrote and pads it to a whole block.</summary>
    /// <exception cref="InvalidDataException">The data is not the size the header promised.</exception>
    public void CompleteEntry(IBufferWriter<byte> output, int index, long size)
    {
        ref readonly var e = ref entries[index];
        if (size != e.Size)
        {
            throw new InvalidDataException($"got {size} bytes, the header says {e.Size}");
        }

        int padding = (int)(TarEntry.Padded(size) - size);
        output.GetSpan(padding)[..padding].Clear();
        output.Advance(padding);
        Position += size + padding;
    }

    public void WriteEnd(IBufferWriter<byte> output)
    {
        Position += TarHeader.WriteTrailer(output.GetSpan(TarConstants.TrailerLength));
        output.Advance(TarConstants.TrailerLength);
    }
}
