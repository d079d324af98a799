using System.Buffers;

namespace RawZipServer.UnitTests.Infrastructure;

/// <summary>A segment of a hand-built multi-segment <see cref="ReadOnlySequence{T}"/>.</summary>
internal sealed class BufferSegment : ReadOnlySequenceSegment<byte>
{
    public BufferSegment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public BufferSegment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new BufferSegment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }
}

/// <summary>Builds <see cref="ReadOnlySequence{T}"/>s split in chosen places.</summary>
internal static class Sequences
{
    /// <summary>One segment per part (empty parts included, as a socket reader may produce them).</summary>
    public static ReadOnlySequence<byte> FromParts(params byte[][] parts)
    {
        if (parts.Length == 0)
        {
            return ReadOnlySequence<byte>.Empty;
        }

        // Each part gets its own array, so nothing can read past a segment's end by accident.
        var first = new BufferSegment(parts[0].ToArray(), 0);
        var last = first;
        for (int i = 1; i < parts.Length; i++)
        {
            last = last.Append(parts[i].ToArray());
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    public static ReadOnlySequence<byte> OneBytePerSegment(byte[] bytes) =>
        bytes.Length == 0 ? ReadOnlySequence<byte>.Empty : FromParts([.. bytes.Select(b => new[] { b })]);

    public static ReadOnlySequence<byte> SplitAt(byte[] bytes, int at) => FromParts(bytes[..at], bytes[at..]);
}
