using System.Buffers.Binary;
using System.Text;

namespace RawZipServer.IntegrationTests.Infrastructure;

/// <summary>One central-directory record, ZIP64 extra applied.</summary>
internal sealed record CentralEntry(string Name, ushort VersionNeeded, ushort Flags, uint Crc, long CompressedSize, long Size, long LocalHeaderOffset, bool HasZip64Extra)
{
    public bool HasDataDescriptor => (Flags & 0x0008) != 0;
    public bool IsUtf8 => (Flags & 0x0800) != 0;
}

/// <summary>The end records and central directory of a ZIP file, read independently of any reader under test.</summary>
internal sealed record ZipDirectory(long EntryCount, bool HasZip64End, ushort EocdEntryCount, IReadOnlyList<CentralEntry> Entries);

internal static class ZipInspector
{
    public static ZipDirectory Read(string path)
    {
        using var file = File.OpenRead(path);
        long length = file.Length;
        int tailLength = (int)Math.Min(length, 22 + 65535);
        byte[] tail = new byte[tailLength];
        file.Position = length - tailLength;
        file.ReadExactly(tail);
        int eocd = -1;
        for (int i = tailLength - 22; i >= 0; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(tail.AsSpan(i)) == 0x06054b50)
            {
                eocd = i;
                break;
            }
        }

        if (eocd < 0)
        {
            throw new InvalidDataException("no end of central directory record");
        }

        var e = tail.AsSpan(eocd);
        ushort eocdCount = BinaryPrimitives.ReadUInt16LittleEndian(e[10..]);
        long count = eocdCount;
        long cdSize = BinaryPrimitives.ReadUInt32LittleEndian(e[12..]);
        long cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(e[16..]);
        bool zip64 = false;
        long eocdPosition = length - tailLength + eocd;
        if (eocdPosition >= 20)
        {
            byte[] locator = new byte[20];
            file.Position = eocdPosition - 20;
            file.ReadExactly(locator);
            if (BinaryPrimitives.ReadUInt32LittleEndian(locator) == 0x07064b50)
            {
                zip64 = true;
                long zip64EndOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(locator.AsSpan(8));
                byte[] end = new byte[56];
                file.Position = zip64EndOffset;
                file.ReadExactly(end);
                if (BinaryPrimitives.ReadUInt32LittleEndian(end) != 0x06064b50)
                {
                    throw new InvalidDataException("ZIP64 locator does not point at a ZIP64 end record");
                }

                count = (long)BinaryPrimitives.ReadUInt64LittleEndian(end.AsSpan(32));
                cdSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(end.AsSpan(40));
                cdOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(end.AsSpan(48));
            }
        }

        byte[] cd = new byte[cdSize];
        file.Position = cdOffset;
        file.ReadExactly(cd);
        var entries = new List<CentralEntry>();
        int p = 0;
        for (long i = 0; i < count; i++)
        {
            var h = cd.AsSpan(p);
            if (BinaryPrimitives.ReadUInt32LittleEndian(h) != 0x02014b50)
            {
                throw new InvalidDataException($"central directory record {i} has a bad signature");
            }

            ushort needed = BinaryPrimitives.ReadUInt16LittleEndian(h[6..]);
            ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(h[8..]);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
            long csize = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            long usize = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
            int nameLength = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            int extraLength = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
            int commentLength = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            long offset = BinaryPrimitives.ReadUInt32LittleEndian(h[42..]);
            string name = Encoding.UTF8.GetString(h.Slice(46, nameLength));
            var extra = h.Slice(46 + nameLength, extraLength);
            bool hasZip64 = false;
            while (extra.Length >= 4)
            {
                ushort id = BinaryPrimitives.ReadUInt16LittleEndian(extra);
                int size = BinaryPrimitives.ReadUInt16LittleEndian(extra[2..]);
                var data = extra.Slice(4, size);
                if (id == 0x0001)
                {
                    hasZip64 = true;
                    int q = 0;
                    if (usize == 0xFFFFFFFF)
                    {
                        usize = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[q..]);
                        q += 8;
                    }

                    if (csize == 0xFFFFFFFF)
                    {
                        csize = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[q..]);
                        q += 8;
                    }

                    if (offset == 0xFFFFFFFF)
                    {
                        offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(data[q..]);
                    }
                }

                extra = extra[(4 + size)..];
            }

            entries.Add(new CentralEntry(name, needed, flags, crc, csize, usize, offset, hasZip64));
            p += 46 + nameLength + extraLength + commentLength;
        }

        return new ZipDirectory(count, zip64, eocdCount, entries);
    }

    /// <summary>The general-purpose flags of the local header at <paramref name="offset"/>.</summary>
    public static ushort LocalFlags(string path, long offset)
    {
        using var file = File.OpenRead(path);
        byte[] header = new byte[30];
        file.Position = offset;
        file.ReadExactly(header);
        Assert.Equal(0x04034b50u, BinaryPrimitives.ReadUInt32LittleEndian(header));
        return BinaryPrimitives.ReadUInt16LittleEndian(header.AsSpan(6));
    }
}
