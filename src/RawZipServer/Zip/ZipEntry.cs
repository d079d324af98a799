namespace RawZipServer.Zip;

/// <summary>
/// One archive member as the writer sees it: what is known before its local header, the
/// format decisions taken from that, and what the writer learns while streaming it.
/// A mutable struct kept in one array per archive, so a million-entry archive is one allocation.
/// </summary>
internal struct ZipEntry
{
    /// <summary>UTF-8 name, <c>/</c>-separated; ends with <c>/</c> for a directory.</summary>
    public byte[] Name;
    public bool IsDirectory;
    /// <summary>Uncompressed size, or -1 while unknown (the data descriptor then carries it).</summary>
    public long Size;
    /// <summary>CRC-32 promised by the manifest; meaningful only when <see cref="CrcKnown"/>.</summary>
    public uint Crc;
    public bool CrcKnown;
    public uint DosDateTime;
    public int UnixTime;
    /// <summary>The manifest asks for deflate; <see cref="Deflate"/> says whether it is used.</summary>
    public bool WantsDeflate;

    // Set by Decide(): the layout of this entry's records.
    public bool HasDescriptor;
    /// <summary>Local ZIP64 extra, version 45 and (with a descriptor) the 24-byte descriptor, together.</summary>
    public bool Zip64;
    /// <summary>Method 8; always with a descriptor, since the compressed size is known only at the end.</summary>
    public bool Deflate;

    // Learned while writing.
    public long Offset;
    /// <summary>Bytes of (possibly compressed) data written; meaningful after the entry completed.</summary>
    public long CompressedSize;

    /// <summary>
    /// Takes the per-entry decisions of ZIP-FORMAT.md §4 items 1–4. Call again if the size becomes
    /// known later (from the origin's Content-Length) before the local header is written.
    /// </summary>
    public void Decide()
    {
        if ((IsDirectory || Size == 0) && !CrcKnown)
        {
            // Directories and known-empty files have no data, so CRC 0 is exact. A CRC the manifest
            // gave is kept, so a contradicting one is still caught when the entry completes.
            Crc = 0;
            CrcKnown = true;
            Size = 0;
        }

        // Item 4: a deflated entry decides ZIP64 on size + slack. One whose size falls inside the
        // slack window (not ZIP64 stored, possibly ZIP64 deflated) is stored instead, so it never
        // carries a ZIP64 header its final sizes do not need (Java ZipInputStream would misread it).
        bool inSlackWindow = Size >= 0 && Size <= ZipConstants.Mask32 && Size + ZipConstants.DeflateSlack(Size) > ZipConstants.Mask32;
        Deflate = WantsDeflate && !IsDirectory && Size != 0 && !inSlackWindow;
        HasDescriptor = Deflate || !(CrcKnown && Size >= 0);
        // With a descriptor, Java ZipInputStream (<= JDK 22) reads 8-byte sizes only when the real
        // count exceeds 0xFFFFFFFF, so "exceeds" is exact there. Without one nothing reads a
        // descriptor, and the local header follows the central-directory rule (>=).
        Zip64 = Size >= 0 && (Deflate ? Size + ZipConstants.DeflateSlack(Size) > ZipConstants.Mask32
            : HasDescriptor ? (ulong)Size > ZipConstants.Mask32 : Size >= ZipConstants.Mask32);
    }

    public readonly ushort Method => Deflate ? ZipConstants.MethodDeflate : ZipConstants.MethodStored;

    /// <summary>The compressed size as the central directory records it: the uncompressed size for stored entries.</summary>
    public readonly long DataLength => Deflate ? CompressedSize : Size;

    public readonly bool IsUtf8 => !System.Text.Ascii.IsValid(Name);

    public readonly ushort Flags =>
        (ushort)((HasDescriptor ? ZipConstants.FlagDataDescriptor : 0) | (IsUtf8 ? ZipConstants.FlagUtf8 : 0));

    public readonly int LocalHeaderLength =>
        ZipConstants.LocalFileHeaderLength + Name.Length + (Zip64 ? ZipConstants.LocalZip64ExtraLength : 0)
        + ZipConstants.ExtendedTimestampFieldLength;

    public readonly int DescriptorLength =>
        !HasDescriptor ? 0 : Zip64 ? ZipConstants.Zip64DataDescriptorLength : ZipConstants.DataDescriptorLength;
}
