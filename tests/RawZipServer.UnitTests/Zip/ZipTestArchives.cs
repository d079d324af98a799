using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using RawZipServer.UnitTests.Infrastructure;
using RawZipServer.Zip;

namespace RawZipServer.UnitTests.Zip;

/// <summary>A file or directory to put in a test archive; a name ending in '/' is a directory.</summary>
internal sealed record TestFile(string Name, byte[] Data, bool SizeKnown = true, bool CrcKnown = true, DateTimeOffset? Modified = null)
{
    public static readonly DateTimeOffset DefaultTime = new(2026, 7, 14, 9, 30, 12, TimeSpan.Zero);

    public static TestFile Text(string name, string content, bool sizeKnown = true, bool crcKnown = true) =>
        new(name, Encoding.UTF8.GetBytes(content), sizeKnown, crcKnown);

    public static TestFile Directory(string name) => new(name, [], SizeKnown: false, CrcKnown: false);

    public DateTimeOffset Time => Modified ?? DefaultTime;
}

/// <summary>Builds archives with the server's <see cref="ZipWriter"/> the way the streamer drives it.</summary>
internal static class ZipTestArchives
{
    public static ZipEntry[] Entries(params TestFile[] files)
    {
        var entries = new ZipEntry[files.Length];
        for (int i = 0; i < files.Length; i++)
        {
            var f = files[i];
            ref var e = ref entries[i];
            e.Name = Encoding.UTF8.GetBytes(f.Name);
            e.IsDirectory = f.Name.EndsWith('/');
            e.Size = f.SizeKnown ? f.Data.Length : -1;
            e.Crc = f.CrcKnown ? Crc32.HashToUInt32(f.Data) : 0;
            e.CrcKnown = f.CrcKnown;
            e.DosDateTime = DosDateTime.From(f.Time);
            e.UnixTime = DosDateTime.UnixSeconds(f.Time);
            e.Decide();
        }

        return entries;
    }

    /// <summary>Writes the archive; data goes into the output in small uneven pieces, as the pump writes it.</summary>
    public static byte[] Write(ZipEntry[] entries, IReadOnlyList<TestFile> files)
    {
        var output = new ArrayBufferWriter<byte>();
        var writer = new ZipWriter(entries);
        for (int i = 0; i < entries.Length; i++)
        {
            writer.WriteLocalHeader(output, i);
            var data = files[i].Data.AsSpan();
            int piece = 1;
            while (!data.IsEmpty)
            {
                int n = Math.Min(piece, data.Length);
                data[..n].CopyTo(output.GetSpan(n));
                output.Advance(n);
                data = data[n..];
                piece = piece * 3 + 1;
            }

            writer.CompleteEntry(output, i, Crc32.HashToUInt32(files[i].Data), files[i].Data.Length);
        }

        writer.WriteCentralDirectory(output);
        Assert.Equal(output.WrittenCount, writer.Position);
        return output.WrittenSpan.ToArray();
    }

    public static byte[] Build(params TestFile[] files) => Write(Entries(files), files);

    /// <summary>Reads the archive back with System.IO.Compression and checks names, sizes, content and CRCs.</summary>
    public static void AssertReadableByDotNet(byte[] archive, IReadOnlyList<TestFile> files)
    {
        using var zip = new ZipArchive(new MemoryStream(archive), ZipArchiveMode.Read);
        Assert.Equal(files.Count, zip.Entries.Count);
        for (int i = 0; i < files.Count; i++)
        {
            var entry = zip.Entries[i];
            Assert.Equal(files[i].Name, entry.FullName);
            Assert.Equal(files[i].Data.Length, entry.Length);
            Assert.Equal(files[i].Data.Length, entry.CompressedLength);
            Assert.Equal(Crc32.HashToUInt32(files[i].Data), entry.Crc32);
            using var content = entry.Open();
            using var copy = new MemoryStream();
            content.CopyTo(copy);
            Assert.Equal(files[i].Data, copy.ToArray());
        }
    }
}
