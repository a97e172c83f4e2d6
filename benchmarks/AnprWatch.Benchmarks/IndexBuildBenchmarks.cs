using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using BenchmarkDotNet.Attributes;

namespace AnprWatch.Benchmarks;

/// <summary>Building the frozen index for 1,000,000 markers (what a hot reload costs, off the hot path).</summary>
[MemoryDiagnoser]
public class IndexBuildBenchmarks
{
    private List<Marker> _markers = null!;

    [GlobalSetup]
    public void Setup() => _markers = Workload.Markers(1_000_000);

    [Benchmark(Baseline = true)]
    public int NaiveDictionary() => _markers.GroupBy(m => m.Vrm).ToDictionary(g => g.Key, g => g.ToList()).Count;

    [Benchmark]
    public int FrozenIndex() => MarkerIndex.Build(_markers, OcrEquivalence.Default, 1, 1).Count;
}
