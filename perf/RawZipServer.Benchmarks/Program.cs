using BenchmarkDotNet.Running;

if (args.Length > 0 && args[0] == "readsize-cpu")
{
    await RawZipServer.Benchmarks.ReadSizeCpuSweep.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 15);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(RawZipServer.Benchmarks.ZipRecordBenchmarks).Assembly).Run(args);
