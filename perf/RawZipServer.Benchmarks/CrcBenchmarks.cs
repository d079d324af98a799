using System.IO.Hashing;
using BenchmarkDotNet.Attributes;

namespace RawZipServer.Benchmarks;

/// <summary>
/// The pump's CRC stage: System.IO.Hashing <see cref="Crc32.Append(ReadOnlySpan{byte})"/> over one
/// block of the read size, against copying the same block (<see cref="Span{T}.CopyTo"/>, the
/// baseline): the CRC pass must cost less than the copy this server avoids. Both run on one thread,
/// so GB/s per core = KiB × 1024 / mean ns. The blocks are pseudo-random bytes; the 256 KiB ones are
/// out of L2 on most machines.
/// </summary>
[MemoryDiagnoser]
public class CrcBenchmarks
{
    private readonly Crc32 _crc = new();
    private byte[] _source = [];
    private byte[] _destination = [];

    [Params(16, 64, 256)]
    public int KiB { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _source = new byte[KiB * 1024];
        _destination = new byte[KiB * 1024];
        new Random(42).NextBytes(_source);
    }

    [Benchmark(Baseline = true)]
    public int Copy()
    {
        _source.AsSpan().CopyTo(_destination);
        return _destination[^1];
    }

    [Benchmark]
    public uint Crc32Append()
    {
        _crc.Append(_source);
        return _crc.GetCurrentHashAsUInt32();
    }
}
