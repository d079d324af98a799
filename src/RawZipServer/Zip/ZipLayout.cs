namespace RawZipServer.Zip;

/// <summary>
/// Plans the archive before its first byte, as mod_zip does: with every size known, each entry's
/// offset and the total length follow from the manifest alone. One plan feeds Content-Length and,
/// through the same record-length functions the writer uses, matches the bytes written.
/// </summary>
internal static class ZipLayout
{
    /// <summary>
    /// Sets each entry's <see cref="ZipEntry.Offset"/> and returns the archive length, or -1 when
    /// some size is unknown before streaming or some entry is deflated (its compressed size is
    /// known only once it is written).
    /// </summary>
    public static long Plan(Span<ZipEntry> entries)
    {
        long position = 0;
        foreach (ref var e in entries)
        {
            if (e.Size < 0 || e.Deflate)
            {
                return -1;
            }

            e.Offset = position;
            position += e.LocalHeaderLength + e.Size + e.DescriptorLength;
        }

        long directoryOffset = position;
        bool anyZip64 = false;
        foreach (ref readonly var e in entries)
        {
            position += CentralDirectoryHeader.Length(e);
            anyZip64 |= CentralDirectoryHeader.UsesZip64(e);
        }

        long directorySize = position - directoryOffset;
        return position + EndOfCentralDirectory.Length(EndOfCentralDirectory.NeedsZip64(entries.Length, directorySize, directoryOffset, anyZip64));
    }
}
