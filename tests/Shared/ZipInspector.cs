using System.Buffers.Binary;
using System.Text;

namespace RawZipServer.Tests.Shared;

/// <summary>
/// A small ZIP reader written from PKWARE APPNOTE 6.3.10, independent of the server's Zip classes:
/// it finds the end records, walks the central directory, reads each local header, data and data
/// descriptor, and checks the rules of ZIP-FORMAT.md §4 with <see cref="AssertInvariants"/>.
/// Shared by the unit tests (archives in memory) and the integration tests (archive files the server
/// produced, read in place with <see cref="ReadFile"/>: an entry's data is only read, in chunks, for its CRC).
/// </summary>
internal sealed class ZipInspector : IDisposable
{
    public const uint LocalSignature = 0x04034B50;
    public const uint DescriptorSignature = 0x08074B50;
    public const uint CentralSignature = 0x02014B50;
    public const uint Zip64EndSignature = 0x06064B50;
    public const uint LocatorSignature = 0x07064B50;
    public const uint EndSignature = 0x06054B50;
    public const uint FileAttributes = 0x81A4u << 16;           // 0100644 << 16
    public const uint DirectoryAttributes = (0x41EDu << 16) | 0x10; // 040755 << 16 | MS-DOS directory

    private readonly IDisposable? _owned;

    private ZipInspector(ArchiveBytes bytes, IDisposable? owned)
    {
        Bytes = bytes;
        _owned = owned;
    }

    public ArchiveBytes Bytes { get; }
    public long Length => Bytes.Length;
    public EndRecord End { get; private set; } = null!;
    public Zip64EndRecord? Zip64End { get; private set; }
    public LocatorRecord? Locator { get; private set; }
    public long EntryCount { get; private set; }
    public long DirectoryOffset { get; private set; }
    public long DirectorySize { get; private set; }
    public List<InspectedEntry> Entries { get; } = [];

    public static ZipInspector Read(byte[] archive) => Read(ArchiveBytes.Of(archive));

    public static ZipInspector Read(ArchiveBytes bytes) => Read(bytes, owned: null);

    /// <summary>Reads the archive file at <paramref name="path"/> in place; dispose the inspector to close it.</summary>
    public static ZipInspector ReadFile(string path)
    {
        var file = ArchiveBytes.OfFile(path);
        try
        {
            return Read(file, owned: file);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static ZipInspector Read(ArchiveBytes bytes, IDisposable? owned)
    {
        var zip = new ZipInspector(bytes, owned);
        zip.ReadEnd();
        zip.ReadCentralDirectory();
        foreach (var entry in zip.Entries)
        {
            zip.ReadLocal(entry);
        }

        return zip;
    }

    private static ushort U16(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt16LittleEndian(b[at..]);
    private static uint U32(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt32LittleEndian(b[at..]);
    private static ulong U64(ReadOnlySpan<byte> b, int at) => BinaryPrimitives.ReadUInt64LittleEndian(b[at..]);

    private void ReadEnd()
    {
        // APPNOTE 4.3.16: the end record is the last 22 bytes plus a comment of up to 65535 bytes.
        long lowest = Math.Max(0, Length - 22 - 0xFFFF);
        long at = -1;
        for (long p = Length - 22; p >= lowest; p--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(Bytes.Read(p, 4)) == EndSignature)
            {
                at = p;
                break;
            }
        }

        if (at < 0)
        {
            throw new InvalidDataException("no end of central directory record");
        }

        byte[] e = Bytes.Read(at, 22);
        End = new EndRecord(at, U16(e, 4), U16(e, 6), U16(e, 8), U16(e, 10), U32(e, 12), U32(e, 16), U16(e, 20));
        EntryCount = End.EntriesTotal;
        DirectorySize = End.DirectorySize;
        DirectoryOffset = End.DirectoryOffset;

        if (at >= 20 && BinaryPrimitives.ReadUInt32LittleEndian(Bytes.Read(at - 20, 4)) == LocatorSignature)
        {
            byte[] l = Bytes.Read(at - 20, 20);
            Locator = new LocatorRecord(at - 20, U32(l, 4), (long)U64(l, 8), U32(l, 16));
            byte[] z = Bytes.Read(Locator.Zip64EndOffset, 56);
            if (U32(z, 0) != Zip64EndSignature)
            {
                throw new InvalidDataException($"the locator points at {Locator.Zip64EndOffset}, where there is no ZIP64 end record");
            }

            Zip64End = new Zip64EndRecord(Locator.Zip64EndOffset, (long)U64(z, 4), U16(z, 12), U16(z, 14), U32(z, 16), U32(z, 20),
                (long)U64(z, 24), (long)U64(z, 32), (long)U64(z, 40), (long)U64(z, 48));
            EntryCount = Zip64End.EntriesTotal;
            DirectorySize = Zip64End.DirectorySize;
            DirectoryOffset = Zip64End.DirectoryOffset;
        }
    }

    private void ReadCentralDirectory()
    {
        long p = DirectoryOffset;
        for (long i = 0; i < EntryCount; i++)
        {
            byte[] h = Bytes.Read(p, 46);
            if (U32(h, 0) != CentralSignature)
            {
                throw new InvalidDataException($"central directory record {i} at {p} has no PK\\1\\2 signature");
            }

            var c = new CentralRecord
            {
                RecordOffset = p,
                VersionMadeBy = U16(h, 4),
                VersionNeeded = U16(h, 6),
                Flags = U16(h, 8),
                Method = U16(h, 10),
                DosTime = U32(h, 12),
                Crc = U32(h, 16),
                CompressedSize32 = U32(h, 20),
                UncompressedSize32 = U32(h, 24),
                DiskStart = U16(h, 34),
                InternalAttributes = U16(h, 36),
                ExternalAttributes = U32(h, 38),
                Offset32 = U32(h, 42),
                CommentLength = U16(h, 32),
            };
            int nameLength = U16(h, 28), extraLength = U16(h, 30);
            c.Name = Bytes.Read(p + 46, nameLength);
            c.Extras = ParseExtras(Bytes.Read(p + 46 + nameLength, extraLength));
            c.RecordLength = 46 + nameLength + extraLength + c.CommentLength;

            // APPNOTE 4.5.3: the ZIP64 fields present are exactly those whose slot holds the sentinel, in this order.
            c.UncompressedSize = c.UncompressedSize32;
            c.CompressedSize = c.CompressedSize32;
            c.LocalHeaderOffset = c.Offset32;
            if (c.Zip64Extra is { } z)
            {
                int at = 0;
                if (c.UncompressedSize32 == uint.MaxValue && at + 8 <= z.Length)
                {
                    c.UncompressedSize = (long)U64(z, at);
                    at += 8;
                }

                if (c.CompressedSize32 == uint.MaxValue && at + 8 <= z.Length)
                {
                    c.CompressedSize = (long)U64(z, at);
                    at += 8;
                }

                if (c.Offset32 == uint.MaxValue && at + 8 <= z.Length)
                {
                    c.LocalHeaderOffset = (long)U64(z, at);
                    at += 8;
                }

                if (c.DiskStart == ushort.MaxValue && at + 4 <= z.Length)
                {
                    at += 4;
                }

                c.Zip64ExtraUsedLength = at;
            }

            Entries.Add(new InspectedEntry(Bytes) { Index = (int)i, Central = c });
            p += c.RecordLength;
        }

        DirectoryEnd = p;
    }

    /// <summary>Where the walk over the central directory records ended.</summary>
    public long DirectoryEnd { get; private set; }

    private void ReadLocal(InspectedEntry entry)
    {
        long p = entry.Central.LocalHeaderOffset;
        byte[] h = Bytes.Read(p, 30);
        if (U32(h, 0) != LocalSignature)
        {
            throw new InvalidDataException($"entry {entry.Index}: no PK\\3\\4 at {p}");
        }

        var l = new LocalRecord
        {
            Offset = p,
            VersionNeeded = U16(h, 4),
            Flags = U16(h, 6),
            Method = U16(h, 8),
            DosTime = U32(h, 10),
            Crc = U32(h, 14),
            CompressedSize32 = U32(h, 18),
            UncompressedSize32 = U32(h, 22),
        };
        int nameLength = U16(h, 26), extraLength = U16(h, 28);
        l.Name = Bytes.Read(p + 30, nameLength);
        l.Extras = ParseExtras(Bytes.Read(p + 30 + nameLength, extraLength));
        l.HeaderLength = 30 + nameLength + extraLength;
        entry.Local = l;
        entry.DataOffset = p + l.HeaderLength;
        entry.DataLength = entry.Central.CompressedSize;

        long end = entry.DataOffset + entry.DataLength;
        if ((l.Flags & 8) != 0 && end + 4 <= Length)
        {
            // 4.3.9.2: 8-byte sizes when the (local) ZIP64 extra is present for the file.
            bool wide = l.Zip64Extra is not null;
            int length = wide ? 24 : 16;
            byte[] d = Bytes.Read(end, (int)Math.Min(length, Length - end));
            if (d.Length == length && U32(d, 0) == DescriptorSignature)
            {
                entry.Descriptor = wide
                    ? new DescriptorRecord(end, 24, U32(d, 4), (long)U64(d, 8), (long)U64(d, 16))
                    : new DescriptorRecord(end, 16, U32(d, 4), U32(d, 8), U32(d, 12));
            }
            else
            {
                entry.Descriptor = new DescriptorRecord(end, 0, 0, -1, -1); // missing or unsigned: an invariant fails
            }
        }

        entry.DataInArchive = end <= Length;
    }

    private static List<ExtraField> ParseExtras(byte[] extra)
    {
        var fields = new List<ExtraField>();
        int at = 0;
        while (at < extra.Length)
        {
            if (at + 4 > extra.Length)
            {
                throw new InvalidDataException("truncated extra field header");
            }

            ushort id = U16(extra, at);
            int size = U16(extra, at + 2);
            if (at + 4 + size > extra.Length)
            {
                throw new InvalidDataException($"extra field 0x{id:x4} claims {size} bytes past the end of the extra");
            }

            fields.Add(new ExtraField(id, extra[(at + 4)..(at + 4 + size)]));
            at += 4 + size;
        }

        return fields;
    }

    public InspectedEntry this[string name] => Entries.Single(e => e.Central.NameString == name);

    /// <summary>Concatenated bytes of an entry's data.</summary>
    public byte[] DataOf(InspectedEntry entry) => Bytes.Read(entry.DataOffset, checked((int)entry.DataLength));

    /// <summary>Checks every rule of ZIP-FORMAT.md §4 that can be seen in the bytes.</summary>
    public void AssertInvariants()
    {
        long expectedOffset = 0;
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        bool anyZip64Record = false;
        foreach (var entry in Entries)
        {
            var c = entry.Central;
            var l = entry.Local;
            string at = $"entry {entry.Index} ('{c.NameString}')";
            bool bit3 = c.HasDataDescriptor;
            bool isDirectory = c.Name.Length > 0 && c.Name[^1] == (byte)'/';

            // Records are contiguous, in order, starting at 0 (item 14).
            Check(c.LocalHeaderOffset == expectedOffset, $"{at}: local header at {c.LocalHeaderOffset}, expected {expectedOffset}");
            long descriptorLength = entry.Descriptor?.Length ?? 0;
            expectedOffset = c.LocalHeaderOffset + l.HeaderLength + c.CompressedSize + descriptorLength;

            // Names (items 6, 10).
            Check(l.Name.AsSpan().SequenceEqual(c.Name), $"{at}: local and central names differ");
            Check(names.Add(c.NameString), $"{at}: duplicate name");
            Check(c.Name.Length > 0 && c.Name[0] != (byte)'/' && !c.Name.Contains((byte)'\\') && !c.Name.Contains((byte)0), $"{at}: bad name bytes");
            bool nonAscii = c.Name.Any(b => b >= 0x80);
            Check(((c.Flags & 0x800) != 0) == nonAscii, $"{at}: bit 11 is {(c.Flags & 0x800) != 0} for a name that is {(nonAscii ? "non-" : "")}ASCII");
            Check((c.Flags & ~0x808) == 0, $"{at}: unexpected flags 0x{c.Flags:x4}");

            // Same flags, method, time in both headers (items 6, 7, 16); stored only.
            Check(l.Flags == c.Flags, $"{at}: flags 0x{l.Flags:x4} local vs 0x{c.Flags:x4} central");
            Check(l.Method == c.Method && c.Method == 0, $"{at}: method {l.Method} local vs {c.Method} central");
            Check(l.DosTime == c.DosTime, $"{at}: DOS time 0x{l.DosTime:x8} local vs 0x{c.DosTime:x8} central");
            Check(c.CompressedSize == c.UncompressedSize, $"{at}: stored entry with csize {c.CompressedSize} != usize {c.UncompressedSize}");

            // Extras: only ZIP64 (first) and 0x5455 mtime-only, never 0x7075 (item 11, 19).
            foreach (var extras in new[] { l.Extras, c.Extras })
            {
                Check(extras.All(x => x.Id is 0x0001 or 0x5455), $"{at}: unexpected extra field ids {string.Join(",", extras.Select(x => $"0x{x.Id:x4}"))}");
                Check(extras.Count(x => x.Id == 0x5455) == 1, $"{at}: needs exactly one 0x5455 field");
                Check(extras.Count(x => x.Id == 0x0001) <= 1, $"{at}: more than one ZIP64 extra");
                Check(extras[^1].Id == 0x5455, $"{at}: 0x5455 must come after the ZIP64 extra");
            }

            Check(l.Timestamp is { Length: 5 } lt && lt[0] == 1, $"{at}: local 0x5455 must be flags 1 + mtime");
            Check(c.Timestamp is { Length: 5 } ct && ct[0] == 1, $"{at}: central 0x5455 must be flags 1 + mtime");
            Check(l.Timestamp!.AsSpan().SequenceEqual(c.Timestamp), $"{at}: local and central mtime differ");

            // Local ZIP64 extra <=> version needed 45 <=> 24-byte descriptor (items 4, 5, 9, 11, 13).
            bool localZip64 = l.Zip64Extra is not null;
            Check(l.VersionNeeded == (localZip64 ? 45 : 20), $"{at}: local version needed {l.VersionNeeded} with local ZIP64 {localZip64}");
            Check(localZip64 == (bit3 ? c.UncompressedSize > uint.MaxValue : c.UncompressedSize >= uint.MaxValue),
                $"{at}: local ZIP64 is {localZip64} for a {c.UncompressedSize}-byte entry (bit 3: {bit3})");
            if (localZip64)
            {
                Check(l.Zip64Extra!.Length == 16, $"{at}: local ZIP64 extra must hold both sizes (16 bytes), has {l.Zip64Extra.Length}");
                Check(l.UncompressedSize32 == uint.MaxValue && l.CompressedSize32 == uint.MaxValue, $"{at}: local ZIP64 entry without sentinel sizes");
                long expectedInExtra = bit3 ? 0 : c.UncompressedSize;
                Check((long)U64(l.Zip64Extra, 0) == expectedInExtra && (long)U64(l.Zip64Extra, 8) == expectedInExtra,
                    $"{at}: local ZIP64 extra sizes should be {expectedInExtra}");
            }

            // Local CRC and sizes (items 2, 3, 9).
            if (bit3)
            {
                Check(l.Crc == 0, $"{at}: bit 3 with a CRC in the local header");
                Check(localZip64 || (l.CompressedSize32 == 0 && l.UncompressedSize32 == 0), $"{at}: bit 3 with sizes in the local header");
            }
            else
            {
                Check(l.Crc == c.Crc, $"{at}: local CRC 0x{l.Crc:x8} vs central 0x{c.Crc:x8}");
                Check(localZip64 || (l.CompressedSize32 == c.CompressedSize && l.UncompressedSize32 == c.UncompressedSize), $"{at}: local sizes differ from central");
            }

            // Descriptor iff bit 3, always signed, 24 bytes iff local ZIP64 (item 13).
            Check(bit3 == (entry.Descriptor is not null), $"{at}: bit 3 is {bit3} but a descriptor is {(entry.Descriptor is null ? "absent" : "present")}");
            if (entry.Descriptor is { } d)
            {
                Check(d.Length == (localZip64 ? 24 : 16), $"{at}: descriptor missing, unsigned or of the wrong width");
                Check(d.Crc == c.Crc && d.CompressedSize == c.CompressedSize && d.UncompressedSize == c.UncompressedSize,
                    $"{at}: descriptor (crc 0x{d.Crc:x8}, {d.CompressedSize}, {d.UncompressedSize}) disagrees with central directory");
            }

            // Directories and empty files (items 1, 1b).
            if (isDirectory)
            {
                Check(!bit3 && c.Crc == 0 && c.UncompressedSize == 0, $"{at}: directory with data, CRC or bit 3");
            }

            // Central record (items 15-20).
            Check(c.VersionMadeBy == 0x033F, $"{at}: version made by 0x{c.VersionMadeBy:x4}");
            bool centralZip64 = c.Zip64Extra is not null;
            Check(c.VersionNeeded == (centralZip64 || localZip64 ? 45 : 20), $"{at}: central version needed {c.VersionNeeded}");
            Check(c.DiskStart == 0 && c.InternalAttributes == 0 && c.CommentLength == 0, $"{at}: disk start, internal attributes or comment not 0");
            Check(c.ExternalAttributes == (isDirectory ? DirectoryAttributes : FileAttributes), $"{at}: external attributes 0x{c.ExternalAttributes:x8}");
            Check((c.UncompressedSize32 == uint.MaxValue) == (c.UncompressedSize >= uint.MaxValue), $"{at}: usize slot 0x{c.UncompressedSize32:x8} for {c.UncompressedSize}");
            Check((c.CompressedSize32 == uint.MaxValue) == (c.CompressedSize >= uint.MaxValue), $"{at}: csize slot 0x{c.CompressedSize32:x8} for {c.CompressedSize}");
            Check((c.Offset32 == uint.MaxValue) == (c.LocalHeaderOffset >= uint.MaxValue), $"{at}: offset slot 0x{c.Offset32:x8} for {c.LocalHeaderOffset}");
            int sentinelFields = (c.UncompressedSize32 == uint.MaxValue ? 1 : 0) + (c.CompressedSize32 == uint.MaxValue ? 1 : 0) + (c.Offset32 == uint.MaxValue ? 1 : 0);
            Check(centralZip64 == (sentinelFields > 0), $"{at}: central ZIP64 extra present {centralZip64} with {sentinelFields} sentinel fields");
            if (centralZip64)
            {
                Check(c.Zip64Extra!.Length == 8 * sentinelFields && c.Zip64ExtraUsedLength == c.Zip64Extra.Length,
                    $"{at}: central ZIP64 extra of {c.Zip64Extra.Length} bytes for {sentinelFields} sentinel fields");
            }

            anyZip64Record |= centralZip64 || localZip64;

            // Data (item 12): the CRC of the bytes is the CRC in the central directory.
            Check(entry.ActualCrc == c.Crc, $"{at}: data CRC 0x{entry.ActualCrc:x8}, central directory says 0x{c.Crc:x8}");
        }

        // Central directory right after the last entry, records contiguous (invariants, items 14, 21).
        Check(DirectoryOffset == expectedOffset, $"central directory at {DirectoryOffset}, last entry ends at {expectedOffset}");
        Check(DirectoryEnd - DirectoryOffset == DirectorySize, $"central directory records span {DirectoryEnd - DirectoryOffset} bytes, end record says {DirectorySize}");

        // End records (items 21-25).
        bool needZip64 = EntryCount >= 0xFFFF || DirectorySize >= uint.MaxValue || DirectoryOffset >= uint.MaxValue || anyZip64Record;
        Check((Zip64End is not null) == needZip64, $"ZIP64 end record present {Zip64End is not null}, needed {needZip64}");
        Check(End.Disk == 0 && End.DirectoryDisk == 0 && End.CommentLength == 0, "end record disk numbers or comment not 0");
        if (Zip64End is { } z)
        {
            Check(z.RecordSize == 44 && z.VersionMadeBy == 0x033F && z.VersionNeeded == 45 && z.Disk == 0 && z.DirectoryDisk == 0,
                $"ZIP64 end record header fields: size {z.RecordSize}, made by 0x{z.VersionMadeBy:x4}, needed {z.VersionNeeded}, disks {z.Disk}/{z.DirectoryDisk}");
            Check(z.EntriesThisDisk == z.EntriesTotal && z.EntriesTotal == Entries.Count, "ZIP64 end record entry counts");
            Check(z.Offset == DirectoryOffset + DirectorySize, "ZIP64 end record must follow the central directory");
            Check(Locator!.Disk == 0 && Locator.TotalDisks == 1, $"locator disk {Locator.Disk}, total disks {Locator.TotalDisks} (must be 0 and 1)");
            Check(Locator.Offset == z.Offset + 56 && End.Offset == Locator.Offset + 20, "ZIP64 end record, locator and end record must be adjacent");
            Check(End.EntriesThisDisk == 0xFFFF && End.EntriesTotal == 0xFFFF && End.DirectorySize == uint.MaxValue && End.DirectoryOffset == uint.MaxValue,
                "end record must hold sentinels when the ZIP64 end record is written");
        }
        else
        {
            Check(End.EntriesThisDisk == End.EntriesTotal && End.EntriesTotal == Entries.Count, "end record entry counts");
            Check(End.Offset == DirectoryOffset + DirectorySize, "end record must follow the central directory");
        }

        Check(Length == DirectoryOffset + DirectorySize + (Zip64End is null ? 0 : 56 + 20) + 22,
            $"archive length {Length} != O + S + end records ({DirectoryOffset} + {DirectorySize} + ...)");
    }

    private static void Check(bool condition, string problem) => Assert.True(condition, problem);

    public void Dispose() => _owned?.Dispose();
}

internal sealed record ExtraField(ushort Id, byte[] Data);

internal sealed record EndRecord(long Offset, ushort Disk, ushort DirectoryDisk, ushort EntriesThisDisk, ushort EntriesTotal, uint DirectorySize, uint DirectoryOffset, ushort CommentLength);

internal sealed record Zip64EndRecord(long Offset, long RecordSize, ushort VersionMadeBy, ushort VersionNeeded, uint Disk, uint DirectoryDisk,
    long EntriesThisDisk, long EntriesTotal, long DirectorySize, long DirectoryOffset);

internal sealed record LocatorRecord(long Offset, uint Disk, long Zip64EndOffset, uint TotalDisks);

internal sealed record DescriptorRecord(long Offset, int Length, uint Crc, long CompressedSize, long UncompressedSize);

internal abstract class HeaderRecord
{
    public ushort VersionNeeded { get; init; }
    public ushort Flags { get; init; }
    public ushort Method { get; init; }
    public uint DosTime { get; init; }
    public uint Crc { get; init; }
    public uint CompressedSize32 { get; init; }
    public uint UncompressedSize32 { get; init; }
    public byte[] Name { get; set; } = [];
    public List<ExtraField> Extras { get; set; } = [];

    public string NameString => Encoding.UTF8.GetString(Name);
    public bool HasDataDescriptor => (Flags & 8) != 0;
    public bool IsUtf8 => (Flags & 0x800) != 0;
    public byte[]? Zip64Extra => Extras.FirstOrDefault(x => x.Id == 0x0001)?.Data;
    public byte[]? Timestamp => Extras.FirstOrDefault(x => x.Id == 0x5455)?.Data;
    public int? ModifiedUnixTime => Timestamp is { Length: >= 5 } t ? BinaryPrimitives.ReadInt32LittleEndian(t.AsSpan(1)) : null;
}

internal sealed class LocalRecord : HeaderRecord
{
    public long Offset { get; init; }
    public int HeaderLength { get; set; }
}

internal sealed class CentralRecord : HeaderRecord
{
    public long RecordOffset { get; init; }
    public int RecordLength { get; set; }
    public ushort VersionMadeBy { get; init; }
    public ushort DiskStart { get; init; }
    public ushort InternalAttributes { get; init; }
    public uint ExternalAttributes { get; init; }
    public uint Offset32 { get; init; }
    public ushort CommentLength { get; init; }
    public int Zip64ExtraUsedLength { get; set; }

    // Effective values: the 32-bit slot, or the ZIP64 field where the slot holds the sentinel.
    public long UncompressedSize { get; set; }
    public long CompressedSize { get; set; }
    public long LocalHeaderOffset { get; set; }
}

internal sealed class InspectedEntry(ArchiveBytes bytes)
{
    private uint? _actualCrc;

    public int Index { get; init; }
    public CentralRecord Central { get; init; } = null!;
    public LocalRecord Local { get; set; } = null!;
    public DescriptorRecord? Descriptor { get; set; }
    public long DataOffset { get; set; }
    public long DataLength { get; set; }
    public bool DataInArchive { get; set; }

    /// <summary>CRC-32 of the entry's data as it stands in the archive (0 if it runs past the end); computed on first use.</summary>
    public uint ActualCrc => _actualCrc ??= DataInArchive ? bytes.Crc32Of(DataOffset, DataLength) : 0;
}
