using System.Buffers;

namespace RawZipServer.Zip;

/// <summary>
/// Writes the records around the entries' data: local headers, descriptors, central directory and
/// end records. The data itself goes from the origin straight into the same output (the pump), and
/// is reported back through <see cref="CompleteEntry"/>. Knows nothing of HTTP.
/// </summary>
internal sealed class ZipWriter
{
    private readonly ZipEntry[] _entries;
    private long _position;
    private long _directoryOffset;
    private bool _anyZip64;

    public ZipWriter(ZipEntry[] entries) => _entries = entries;

    /// <summary>Bytes of the archive written so far.</summary>
    public long Position => _position;

    public void WriteLocalHeader(IBufferWriter<byte> output, int index)
    {
        ref var e = ref _entries[index];
        e.Offset = _position;
        int length = e.LocalHeaderLength;
        LocalFileHeader.Write(output.GetSpan(length), e);
        output.Advance(length);
        _position += length;
    }

    /// <summary>
    /// Accounts for the <paramref name="size"/> data bytes the pump wrote, checks them against what
    /// the header promised and writes the data descriptor if the entry has one.
    /// </summary>
    /// <exception cref="ZipEntryMismatchException">The data contradicts the header.</exception>
    public void CompleteEntry(IBufferWriter<byte> output, int index, uint crc, long size) => CompleteEntry(output, index, crc, size, size);

    /// <inheritdoc cref="CompleteEntry(IBufferWriter{byte}, int, uint, long)"/>
    /// <param name="compressedSize">Bytes the data took in the archive (the size itself when stored).</param>
    public void CompleteEntry(IBufferWriter<byte> output, int index, uint crc, long size, long compressedSize)
    {
        ref var e = ref _entries[index];
        if (e.Size >= 0 && size != e.Size)
        {
            throw new ZipEntryMismatchException($"got {size} bytes, expected {e.Size}");
        }

        if (e.CrcKnown && crc != e.Crc)
        {
            throw new ZipEntryMismatchException($"CRC-32 is {crc:x8}, the manifest says {e.Crc:x8}");
        }

        if (e.Size < 0 && size >= ZipConstants.Mask32)
        {
            // SPEC §5: an entry of unknown size has no ZIP64 header, so it must stay below 4 GiB.
            // (A known size of exactly 0xFFFFFFFF is fine: its 16-byte descriptor holds it.)
            throw new ZipEntryMismatchException("entry of unknown size reached 4 GiB without a ZIP64 header");
        }

        if (!e.Deflate && compressedSize != size)
        {
            throw new ZipEntryMismatchException($"stored entry with {compressedSize} data bytes for {size} bytes");
        }

        if (e.Deflate && !e.Zip64 && compressedSize >= ZipConstants.Mask32)
        {
            // Without the ZIP64 header the 16-byte descriptor cannot hold it (ZIP-FORMAT.md §4 item 13).
            throw new ZipEntryMismatchException("deflated data reached 4 GiB without a ZIP64 header");
        }

        e.Size = size;
        e.Crc = crc;
        e.CompressedSize = compressedSize;
        _position += compressedSize;
        if (e.HasDescriptor)
        {
            int length = DataDescriptor.Write(output.GetSpan(ZipConstants.Zip64DataDescriptorLength), e, crc, compressedSize, size);
            output.Advance(length);
            _position += length;
        }
    }

    /// <summary>Writes the central directory record of entry <paramref name="index"/>; call for every entry, in order, after the last entry's data.</summary>
    public void WriteCentralDirectoryHeader(IBufferWriter<byte> output, int index)
    {
        ref readonly var e = ref _entries[index];
        if (index == 0)
        {
            _directoryOffset = _position;
        }

        int length = CentralDirectoryHeader.Length(e);
        CentralDirectoryHeader.Write(output.GetSpan(length), e);
        output.Advance(length);
        _position += length;
        _anyZip64 |= CentralDirectoryHeader.UsesZip64(e);
    }

    /// <summary>Writes the end records after the central directory.</summary>
    public void WriteEnd(IBufferWriter<byte> output)
    {
        if (_entries.Length == 0)
        {
            _directoryOffset = _position;
        }

        long directorySize = _position - _directoryOffset;
        bool zip64 = EndOfCentralDirectory.NeedsZip64(_entries.Length, directorySize, _directoryOffset, _anyZip64);
        int length = EndOfCentralDirectory.Write(output.GetSpan(EndOfCentralDirectory.Length(zip64)), _entries.Length, directorySize, _directoryOffset, zip64);
        output.Advance(length);
        _position += length;
    }

    /// <summary>Writes the whole central directory and the end records in one go (small archives, tests).</summary>
    public void WriteCentralDirectory(IBufferWriter<byte> output)
    {
        for (int i = 0; i < _entries.Length; i++)
        {
            WriteCentralDirectoryHeader(output, i);
        }

        WriteEnd(output);
    }
}
