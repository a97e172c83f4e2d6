using System.Text.Json;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Reads;
using BenchmarkDotNet.Attributes;

namespace AnprWatch.Benchmarks;

/// <summary>
/// Per read, from raw JSON bytes to "which markers does it hit": the fast decoder + frozen index, decoded a chunk at a
/// time and matched after as <c>ReadPipeline</c> does, against JsonSerializer.Deserialize&lt;T&gt; + the same
/// validation + <see cref="NaiveMatcher"/> in the same run. Setup checks both find the same matches.
/// </summary>
[MemoryDiagnoser]
public class DecodeMatchBenchmarks
{
    private const int ChunkSize = 32;

    private MarkerIndex _index = null!;
    private NaiveMatcher _naive = null!;
    private byte[][] _messages = null!;
    private readonly List<MarkerMatch> _matches = new(4);
    private readonly char[] _chunkVrms = new char[ChunkSize * Vrm.MaxLength];
    private readonly int[] _chunkLengths = new int[ChunkSize];

    public sealed class NaiveRead
    {
        public string? ReadId { get; set; }
        public string? Vrm { get; set; }
        public string? CameraId { get; set; }
        public string? ForceCode { get; set; }
        public DateTimeOffset? ObservedAt { get; set; }
        public double? Lat { get; set; }
        public double? Lon { get; set; }
        public string? Site { get; set; }
        public string? Direction { get; set; }
        public string? Lane { get; set; }
        public double? Confidence { get; set; }
        public string? PlateImageUrl { get; set; }
        public string? OverviewImageUrl { get; set; }
    }

    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [GlobalSetup]
    public void Setup()
    {
        var markers = Workload.Markers(1_000_000);
        _index = MarkerIndex.Build(markers, OcrEquivalence.Default, 1, 1);
        _naive = new NaiveMatcher(markers);
        _messages = Workload.ReadMessages(Workload.ReadPlates(Workload.Reads, markers));
        var (naive, ours) = (NaiveDeserializeAndDictionary(), Utf8DecodeAndFrozenIndex());
        if (naive != ours || ours == 0)
        {
            throw new InvalidOperationException($"the baseline found {naive} matches and ours {ours}: they must agree, and find some");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Workload.Reads)]
    public int NaiveDeserializeAndDictionary()
    {
        var hits = 0;
        foreach (var message in _messages)
        {
            var read = JsonSerializer.Deserialize<NaiveRead>(message, Web);
            if (read is not null && IsValid(read) && NaiveMatcher.Normalise(read.Vrm!) is { } vrm)
            {
                hits += _naive.Matches(vrm);
            }
        }

        return hits;
    }

    /// <summary>DESIGN §4.1's checks, as the fast decoder makes them.</summary>
    private static bool IsValid(NaiveRead read)
        => read.ReadId is { Length: > 0 and <= 64 } && read.Vrm is { Length: <= 32 } && read.CameraId is { Length: > 0 and <= 64 }
           && ForceRegistry.TryGet(read.ForceCode, out _) && read.ObservedAt is not null
           && read.Lat is null or (>= -90 and <= 90) && read.Lon is null or (>= -180 and <= 180) && read.Confidence is null or (>= 0 and <= 1)
           && read.Site is null or { Length: <= 200 } && read.Direction is null or { Length: <= 32 } && read.Lane is null or { Length: <= 32 }
           && read.PlateImageUrl is null or { Length: <= 2048 } && read.OverviewImageUrl is null or { Length: <= 2048 };

    [Benchmark(OperationsPerInvoke = Workload.Reads)]
    public int Utf8DecodeAndFrozenIndex()
    {
        var hits = 0;
        for (var start = 0; start < _messages.Length; start += ChunkSize)
        {
            var count = Math.Min(ChunkSize, _messages.Length - start);
            for (var i = 0; i < count; i++)
            {
                _chunkLengths[i] = ReadDecoder.TryDecodeHead(_messages[start + i], _chunkVrms.AsSpan(i * Vrm.MaxLength, Vrm.MaxLength), out var head, out _) ? head.VrmLength : 0;
            }

            for (var i = 0; i < count; i++)
            {
                if (_chunkLengths[i] > 0 && _index.Match(_chunkVrms.AsSpan(i * Vrm.MaxLength, _chunkLengths[i]), _matches))
                {
                    hits += _matches.Count;
                }
            }
        }

        return hits;
    }
}
