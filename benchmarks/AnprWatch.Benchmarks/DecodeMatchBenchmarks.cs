using System.Text.Json;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Reads;
using BenchmarkDotNet.Attributes;

namespace AnprWatch.Benchmarks;

/// <summary>
/// Per read, from raw JSON bytes to "does it hit anything": Utf8JsonReader decode + span normalise + frozen index,
/// against JsonSerializer.Deserialize&lt;T&gt; + string normalise + Dictionary&lt;string, …&gt; in the same run.
/// </summary>
[MemoryDiagnoser]
public class DecodeMatchBenchmarks
{
    private MarkerIndex _index = null!;
    private Dictionary<string, List<Marker>> _naive = null!;
    private byte[][] _messages = null!;
    private readonly List<MarkerMatch> _matches = new(4);

    public sealed class NaiveRead
    {
        public string? ReadId { get; set; }
        public string? Vrm { get; set; }
        public string? CameraId { get; set; }
        public string? ForceCode { get; set; }
        public DateTimeOffset ObservedAt { get; set; }
        public double? Lat { get; set; }
        public double? Lon { get; set; }
        public string? Site { get; set; }
        public string? Direction { get; set; }
        public string? Lane { get; set; }
        public double? Confidence { get; set; }
        public string? PlateImageUrl { get; set; }
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [GlobalSetup]
    public void Setup()
    {
        var markers = Workload.Markers(1_000_000);
        _index = MarkerIndex.Build(markers, OcrEquivalence.Default, 1, 1);
        _naive = markers.GroupBy(m => m.Vrm).ToDictionary(g => g.Key, g => g.ToList());
        _messages = Workload.ReadMessages(Workload.ReadPlates(Workload.Reads));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.Reads)]
    public int NaiveDeserializeAndDictionary()
    {
        var hits = 0;
        foreach (var message in _messages)
        {
            var read = JsonSerializer.Deserialize<NaiveRead>(message, Web)!;
            var key = read.Vrm!.ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
            if (_naive.TryGetValue(key, out var found))
            {
                hits += found.Count;
            }
        }

        return hits;
    }

    [Benchmark(OperationsPerInvoke = Workload.Reads)]
    public int Utf8DecodeAndFrozenIndex()
    {
        var hits = 0;
        Span<char> vrm = stackalloc char[Vrm.MaxLength];
        foreach (var message in _messages)
        {
            if (ReadDecoder.TryDecodeHead(message, vrm, out var head, out _) && _index.Match(vrm[..head.VrmLength], _matches))
            {
                hits += _matches.Count;
            }
        }

        return hits;
    }
}
