using System.IO.Hashing;
using System.IO.Pipelines;
using RawZipServer.Manifest;
using RawZipServer.Origin;
using RawZipServer.Tar;

namespace RawZipServer.Archive;

/// <summary>
/// Streams one manifest as a POSIX pax tar archive (SPEC §6): per entry its headers, then its bytes
/// through the shared pump, then padding to the block; then two zero blocks. Every size must be
/// known before its header: from the manifest, else from the origin (an origin that cannot say is a
/// 502 for the first file and an abort later).
/// </summary>
internal sealed partial class TarArchiveStreamer : ArchiveStreamer
{
    private readonly TarEntry[] _entries;

    public TarArchiveStreamer(OriginRegistry origins, int readSize, TimeSpan clientIdleTimeout, ArchiveManifest manifest, DateTimeOffset requestTime)
        : base(origins, readSize, clientIdleTimeout, manifest, requestTime)
    {
        _entries = new TarEntry[manifest.Entries.Length];
        for (int i = 0; i < _entries.Length; i++)
        {
            var m = manifest.Entries[i];
            ref var e = ref _entries[i];
            e.Name = m.PathUtf8;
            e.IsDirectory = m.IsDirectory;
            e.Size = m.Size;
            e.UnixTicks = UnixTicks(m.Modified ?? requestTime);
            e.Decide();
        }

        Length = TarLayout.Plan(_entries);
    }

    public override long Length { get; }

    public override ReadOnlySpan<byte> ContentType => "application/x-tar"u8;

    protected override bool NeedsSizeBeforeHeader => true;

    protected override async Task WriteEntriesAsync(PipeWriter output, OriginFile? first, CancellationToken cancellationToken)
    {
        if (Range is { } range)
        {
            await WriteRangeAsync(output, range, cancellationToken).ConfigureAwait(false);
            return;
        }

        var tar = new TarWriter(_entries);
        // tar has no checksum of the data; a CRC the manifest gives is still checked, as for ZIP.
        var crc = new Crc32();
        var files = new OriginPrefetch(this, Manifest, Prefetch, first, cancellationToken);
        await using var closeFiles = files.ConfigureAwait(false);
        for (int i = 0; i < _entries.Length; i++)
        {
            if (_entries[i].IsDirectory)
            {
                tar.WriteHeader(output, i);
                continue;
            }

            var file = await files.TakeAsync(i).ConfigureAwait(false);
            await using (file.ConfigureAwait(false))
            {
                var m = Manifest.Entries[i];
                ref var e = ref _entries[i];
                if (e.Size < 0)
                {
                    e.Size = file.Length; // OpenAsync made sure the origin said it
                }

                e.UnixTicks = UnixTicks(m.Modified ?? file.LastModified ?? RequestTime);
                e.Decide();
                tar.WriteHeader(output, i);
                long size = await PumpAsync(output, file, i, e.Size, m.Crc32.HasValue ? crc : null, null, long.MaxValue, cancellationToken).ConfigureAwait(false);
                if (m.Crc32 is { } want && crc.GetCurrentHashAsUInt32() != want)
                {
                    throw new ArchiveAbortedException(i, $"CRC-32 is {crc.GetCurrentHashAsUInt32():x8}, the manifest says {want:x8}");
                }

                tar.CompleteEntry(output, i, size);
            }
        }

        tar.WriteEnd(output);
        if (Length >= 0 && tar.Position != Length)
        {
            throw new ArchiveAbortedException(_entries.Length, $"wrote {tar.Position} bytes, planned {Length}");
        }
    }

    private static long UnixTicks(DateTimeOffset time) => time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
}
