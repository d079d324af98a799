using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(RawZipServer.Benchmarks.ZipRecordBenchmarks).Assembly).Run(args);
