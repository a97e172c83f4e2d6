using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using BenchmarkDotNet.Attributes;

namespace AnprWatch.Benchmarks;

/// <summary>
/// Lookup of a read's plate among 1,000,000 markers: the frozen equivalence-key index probed with a span, against
/// the naive string approach (<see cref="NaiveMatcher"/>: ToUpper + Replace, then Dictionary&lt;string, …&gt;) in the
/// same run. Setup checks both find the same matches.
/// </summary>
[MemoryDiagnoser]
public class MarkerLookupBenchmarks
{
    private MarkerIndex _index = null!;
    private NaiveMatcher _naive = null!;
    private string[] _plates = null!;
    private readonly List<MarkerMatch> _matches = new(4);

    [Params(1_000_000)]
    public int MarkerCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var markers = Workload.Markers(MarkerCount);
        _index = MarkerIndex.Build(markers, OcrEquivalence.Default, 1, 1);
        _naive = new NaiveMatcher(markers);
        _plates = Workload.ReadPlates(Workload.Reads, markers);
        var (naive, ours) = (NaiveStringDictionary(), FrozenSpanIndex());
        if (naive != ours || ours == 0)
        {
            throw new InvalidOperationException($"the baseline found {naive} matches and ours {ours}: they must agree, and find some");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.Reads)]
    public int NaiveStringDictionary()
    {
        var hits = 0;
        foreach (var plate in _plates)
        {
            if (NaiveMatcher.Normalise(plate) is { } vrm)
            {
                hits += _naive.Matches(vrm);
            }
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Workload.Reads)]
    public int FrozenSpanIndex()
    {
        var hits = 0;
        Span<char> vrm = stackalloc char[Vrm.MaxLength];
        foreach (var plate in _plates)
        {
            if (Vrm.TryNormalise(plate, vrm, out var length) && _index.Match(vrm[..length], _matches))
            {
                hits += _matches.Count;
            }
        }

        return hits;
    }
}
