using BenchmarkDotNet.Attributes;
using RawZipServer.Zip;

namespace RawZipServer.Benchmarks;

/// <summary>Cost of encoding the records around one entry; must allocate nothing.</summary>
[MemoryDiagnoser]
public class ZipRecordBenchmarks
{
    private readonly byte[] _buffer = new byte[1024];
    private ZipEntry _entry;

    [GlobalSetup]
    public void Setup()
    {
        _entry = new ZipEntry
        {
            Name = "2026/beach/IMG_0001.jpg"u8.ToArray(),
            Size = 4_821_337,
            DosDateTime = DosDateTime.From(new DateTimeOffset(2026, 7, 14, 9, 30, 0, TimeSpan.Zero)),
            UnixTime = 1_784_021_400,
        };
        _entry.Decide();
        _entry.Offset = 5_000_000_000; // central record with a ZIP64 offset field
    }

    [Benchmark(Baseline = true)]
    public int LocalFileHeader_Write() => LocalFileHeader.Write(_buffer, _entry);

    [Benchmark]
    public int DataDescriptor_Write() => DataDescriptor.Write(_buffer, _entry, 0x8f3c2a1b, _entry.Size);

    [Benchmark]
    public int CentralDirectoryHeader_Write() => CentralDirectoryHeader.Write(_buffer, _entry);
}
