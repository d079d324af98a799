using System.IO.Compression;
using System.IO.Hashing;
using System.IO.Pipelines;
using RawZipServer.Manifest;
using RawZipServer.Origin;
using RawZipServer.Zip;

namespace RawZipServer.Archive;

/// <summary>
/// Streams one manifest as a ZIP archive: for each entry its local header, then its bytes read from
/// the origin straight into the output's memory (or through deflate) and the CRC-32, then its
/// descriptor; then the central directory. The output's flushes carry the client's back-pressure to
/// the origin reads.
/// </summary>
internal sealed partial class ZipArchiveStreamer : ArchiveStreamer
{
    private readonly ZipEntry[] _entries;
    private readonly CompressionLevel _level;
    private readonly bool _anyDeflate;

    public ZipArchiveStreamer(OriginRegistry origins, int readSize, TimeSpan clientIdleTimeout, ArchiveManifest manifest, DateTimeOffset requestTime, CompressionLevel level = CompressionLevel.Fastest)
        : base(origins, readSize, clientIdleTimeout, manifest, requestTime)
    {
        _level = level;
        _entries = new ZipEntry[manifest.Entries.Length];
        for (int i = 0; i < _entries.Length; i++)
        {
            var m = manifest.Entries[i];
            ref var e = ref _entries[i];
            e.Name = m.PathUtf8;
            e.IsDirectory = m.IsDirectory;
            e.Size = m.Size;
            e.CrcKnown = m.Crc32.HasValue;
            e.Crc = m.Crc32.GetValueOrDefault();
            e.WantsDeflate = m.Deflate;
            _anyDeflate |= m.Deflate && !m.IsDirectory;
            SetTime(ref e, m.Modified ?? requestTime);
            e.Decide();
        }

        // SPEC §3: a compressed archive has no Content-Length, even when deflate ends up unused
        // (a known-empty file, the slack window): whether the length is known depends on the manifest's words only.
        Length = _anyDeflate ? -1 : ZipLayout.Plan(_entries);
    }

    public override long Length { get; }

    public override ReadOnlySpan<byte> ContentType => "application/zip"u8;

    protected override async Task WriteEntriesAsync(PipeWriter output, OriginFile? first, CancellationToken cancellationToken)
    {
        if (Range is { } range)
        {
            await WriteRangeAsync(output, range, cancellationToken).ConfigureAwait(false);
            return;
        }

        var zip = new ZipWriter(_entries);
        var crc = new Crc32();
        var files = new OriginPrefetch(this, Manifest, Prefetch, first, cancellationToken);
        await using var closeFiles = files.ConfigureAwait(false);
        using var deflater = _anyDeflate ? new EntryDeflater(_level, ReadSize) : null;
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].IsDirectory)
            {
                zip.WriteLocalHeader(output, i);
                zip.CompleteEntry(output, i, 0, 0);
                continue;
            }

            var file = await files.TakeAsync(i).ConfigureAwait(false);
            await using (file.ConfigureAwait(false))
            {
                Prepare(i, file);
                zip.WriteLocalHeader(output, i);
                bool deflate = _entries[i].Deflate;
                if (deflate)
                {
                    deflater!.Start(output);
                }

                // Without a ZIP64 header an entry of unknown size must stay below 4 GiB (SPEC §5).
                long size = await PumpAsync(output, file, i, _entries[i].Size, crc, deflate ? deflater : null, ZipConstants.Mask32, cancellationToken).ConfigureAwait(false);
                long compressed = deflate ? deflater!.Finish() : size;
                try
                {
                    zip.CompleteEntry(output, i, crc.GetCurrentHashAsUInt32(), size, compressed);
                }
                catch (ZipEntryMismatchException ex)
                {
                    throw new ArchiveAbortedException(i, ex.Message, ex);
                }

                if (ArchiveETag is not null && file.Validator is { } validator)
                {
                    CrcStore?.RecordCrc(ArchiveETag, i, validator, size, crc.GetCurrentHashAsUInt32());
                }
            }
        }

        for (int i = 0; i < _entries.Length; i++)
        {
            zip.WriteCentralDirectoryHeader(output, i);
            if (output.UnflushedBytes >= ReadSize)
            {
                await FlushAsync(output, cancellationToken).ConfigureAwait(false);
            }
        }

        zip.WriteEnd(output);
        if (Length >= 0 && zip.Position != Length)
        {
            // The plan and the writer share their length functions; this guards that they stay in step.
            throw new ArchiveAbortedException(_entries.Length, $"wrote {zip.Position} bytes, planned {Length}");
        }
    }

    /// <summary>Fills in what only the origin can tell: the size (when the manifest has none) and the time.</summary>
    private void Prepare(int index, OriginFile file)
    {
        ref var e = ref _entries[index];
        if (e.Size < 0 && file.Length >= 0)
        {
            e.Size = file.Length;
            e.Decide();
        }

        SetTime(ref e, Manifest.Entries[index].Modified ?? file.LastModified ?? RequestTime);
    }

    private static void SetTime(ref ZipEntry e, DateTimeOffset time)
    {
        e.DosDateTime = DosDateTime.From(time);
        e.UnixTime = DosDateTime.UnixSeconds(time);
    }
}
