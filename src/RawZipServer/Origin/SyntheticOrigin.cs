using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;

namespace RawZipServer.Origin;

/// <summary>
/// Deterministic pseudo-random content generated on the fly: source <c>/{bytes}</c> or
/// <c>/{bytes}/{seed}</c>. Byte <c>p</c> depends only on (seed, p), so any range can be produced
/// without generating what precedes it, and the same source always yields the same bytes.
/// </summary>
internal sealed class SyntheticOrigin(string name) : Origin(name)
{
    // A fixed time, so archives of synthetic files are reproducible byte for byte.
    public static readonly DateTimeOffset Modified = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override string? CheckSource(string source) =>
        TryParse(source, out _, out _) ? null : "synthetic source must be /{bytes} or /{bytes}/{seed} (decimal numbers)";

    public override ValueTask<OriginFile> OpenAsync(string source, long offset, long length, string? ifMatch, CancellationToken cancellationToken)
    {
        if (!TryParse(source, out long total, out ulong seed))
        {
            throw new OriginException($"origin '{Name}' has no file '{source}'");
        }

        if (length < 0)
        {
            length = total - offset;
        }

        if (offset < 0 || offset + length > total)
        {
            throw new OriginException($"origin '{Name}': bytes {offset}+{length} are outside '{source}' ({total} bytes)");
        }

        var file = new SyntheticFile(total, seed, offset, length);
        if (ifMatch is not null && ifMatch != file.Validator)
        {
            throw new OriginException($"origin '{Name}': '{source}' is no longer {ifMatch}");
        }

        return ValueTask.FromResult<OriginFile>(file);
    }

    public static bool TryParse(string source, out long length, out ulong seed)
    {
        var s = source.AsSpan().TrimStart('/');
        int slash = s.IndexOf('/');
        seed = 0;
        return long.TryParse(slash < 0 ? s : s[..slash], NumberStyles.None, CultureInfo.InvariantCulture, out length)
            && (slash < 0 || ulong.TryParse(s[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out seed));
    }

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="position"/> of the file with <paramref name="seed"/>.</summary>
    public static void Fill(Span<byte> destination, long position, ulong seed)
    {
        while (!destination.IsEmpty && (position & 7) != 0)
        {
            destination[0] = ByteAt(position++, seed);
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
            b = ByteAt(position++, seed);
        }
    }

    private static byte ByteAt(long position, ulong seed) => (byte)(Mix(seed, (ulong)position >> 3) >> (int)(8 * (position & 7)));

    /// <summary>SplitMix64 of the block index: cheap, and well mixed enough that CRC and compression see noise.</summary>
    private static ulong Mix(ulong seed, ulong index)
    {
        ulong z = seed + ((index + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private sealed class SyntheticFile : OriginFile
    {
        private readonly ulong _seed;
        private readonly long _end;
        private long _position;

        public SyntheticFile(long total, ulong seed, long offset, long length)
        {
            _seed = seed;
            _position = offset;
            _end = offset + length;
            Length = length;
            TotalLength = total;
            LastModified = Modified;
            ETag = $"\"synthetic-{total}-{seed}\"";
        }

        public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            int n = (int)Math.Min(destination.Length, _end - _position);
            Fill(destination.Span[..n], _position, _seed);
            _position += n;
            return ValueTask.FromResult(n);
        }

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
