using System.Buffers;
using System.IO.Hashing;
using Microsoft.Win32.SafeHandles;

namespace RawZipServer.Tests.Shared;

/// <summary>Random access to an archive's bytes, which need not all exist in memory.</summary>
internal abstract class ArchiveBytes
{
    /// <summary>How much <see cref="Crc32Of"/> reads at a time: an entry's data is never held whole.</summary>
    public const int ChunkSize = 1 << 20;

    public abstract long Length { get; }

    /// <summary>Fills <paramref name="destination"/> with the bytes at <paramref name="offset"/>.</summary>
    public abstract void Read(long offset, Span<byte> destination);

    public byte[] Read(long offset, int count)
    {
        var bytes = new byte[count];
        Read(offset, bytes);
        return bytes;
    }

    /// <summary>CRC-32 of a range, read in pieces of <see cref="ChunkSize"/> bytes.</summary>
    public virtual uint Crc32Of(long offset, long length)
    {
        var crc = new Crc32();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            while (length > 0)
            {
                int n = (int)Math.Min(length, ChunkSize);
                Read(offset, buffer.AsSpan(0, n));
                crc.Append(buffer.AsSpan(0, n));
                offset += n;
                length -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return crc.GetCurrentHashAsUInt32();
    }

    public static ArchiveBytes Of(byte[] bytes) => new ArrayBytes(bytes);

    /// <summary>
    /// The bytes of the file at <paramref name="path"/>, read on demand with <see cref="RandomAccess"/>:
    /// a multi-gigabyte archive is never loaded. Dispose it to close the file.
    /// </summary>
    public static FileArchiveBytes OfFile(string path) => new(path);

    /// <summary>Throws unless <c>[offset, offset + count)</c> lies inside the archive.</summary>
    protected void CheckRange(long offset, int count)
    {
        if (offset < 0 || offset > Length - count)
        {
            throw new InvalidDataException($"read of {count} bytes at {offset} is outside the {Length}-byte archive");
        }
    }

    private sealed class ArrayBytes(byte[] bytes) : ArchiveBytes
    {
        public override long Length => bytes.Length;

        public override void Read(long offset, Span<byte> destination)
        {
            CheckRange(offset, destination.Length);
            bytes.AsSpan((int)offset, destination.Length).CopyTo(destination);
        }
    }
}

/// <summary>
/// An archive file read in place. Small reads (headers, names, extras) go through one cached
/// <see cref="BlockSize"/> window, so walking a central directory of 70,000 records costs few system
/// calls; larger reads (data, in <see cref="ArchiveBytes.ChunkSize"/> pieces) go straight to the file.
/// </summary>
internal sealed class FileArchiveBytes : ArchiveBytes, IDisposable
{
    public const int BlockSize = 64 << 10;

    private readonly SafeFileHandle _handle;
    private readonly byte[] _block = new byte[BlockSize];
    private long _blockOffset;
    private int _blockLength;

    public FileArchiveBytes(string path)
    {
        _handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Length = RandomAccess.GetLength(_handle);
    }

    public override long Length { get; }

    public override void Read(long offset, Span<byte> destination)
    {
        CheckRange(offset, destination.Length);
        if (destination.Length > BlockSize / 2)
        {
            ReadExactly(offset, destination);
            return;
        }

        if (offset < _blockOffset || offset + destination.Length > _blockOffset + _blockLength)
        {
            _blockOffset = offset;
            _blockLength = (int)Math.Min(BlockSize, Length - offset);
            ReadExactly(_blockOffset, _block.AsSpan(0, _blockLength));
        }

        _block.AsSpan((int)(offset - _blockOffset), destination.Length).CopyTo(destination);
    }

    private void ReadExactly(long offset, Span<byte> destination)
    {
        while (!destination.IsEmpty)
        {
            int n = RandomAccess.Read(_handle, destination, offset);
            if (n == 0)
            {
                throw new EndOfStreamException($"the archive file ended at {offset}, before the {Length} bytes it had when opened");
            }

            destination = destination[n..];
            offset += n;
        }
    }

    public void Dispose() => _handle.Dispose();
}
