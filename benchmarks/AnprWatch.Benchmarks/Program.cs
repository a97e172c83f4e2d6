using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(AnprWatch.Benchmarks.MarkerLookupBenchmarks).Assembly).Run(args);
