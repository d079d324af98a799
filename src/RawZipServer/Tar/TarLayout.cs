namespace RawZipServer.Tar;

/// <summary>
/// Plans a tar archive before its first byte: with every size known, the offsets and the total
/// length follow from the manifest alone (SPEC §6: Content-Length, HEAD without origin traffic).
/// </summary>
internal static class TarLayout
{
    /// <summary>Sets each entry's <see cref="TarEntry.Offset"/> and returns the archive length, or -1 when some size is unknown.</summary>
    public static long Plan(Span<TarEntry> entries)
    {
        long position = 0;
        foreach (ref var e in entries)
        {
            if (e.Size < 0)
            {
                return -1;
            }

            e.Offset = position;
            position += e.TotalLength;
        }

        return position + TarConstants.TrailerLength;
    }
}
