using System.Numerics;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Plates;

namespace AnprWatch.Core.Markers;

public readonly record struct MarkerMatch(Marker Marker, MatchKind Kind);

/// <summary>
/// The frozen set of active markers, keyed by OCR-equivalence key. Exact matches share the key of their
/// ocr-equivalent cousins, so one probe answers both questions; a read that hits nothing costs one probe and
/// allocates nothing. Instances never change after <see cref="Build"/>: a new list means a new index.
/// </summary>
/// <remarks>
/// Keys are packed into 64 bits (<see cref="OcrEquivalence.PackedKey"/>) in an open-addressed table at most half
/// full: a read that hits nothing (nearly all of them) reads one cache line of key slots and nothing else. A
/// string-keyed FrozenDictionary read a bucket, then an entry, then often the key: two or three cache misses with a
/// million markers, measured at ~38 ns against ~15 ns now (benchmarks/README.md).
/// </remarks>
public sealed class MarkerIndex
{
    private readonly ulong[] _keys;
    private readonly Marker[]?[] _buckets;
    private readonly int _shift;
    private readonly OcrEquivalence _equivalence;
    private readonly int _maxSubstitutions;

    public static MarkerIndex Empty { get; } = Build([], OcrEquivalence.Default, 1, version: 0);

    /// <summary>Markers in the index.</summary>
    public int Count { get; }

    /// <summary>The marker-list generation this index was built from (0 = none).</summary>
    public long Version { get; }

    private MarkerIndex(Dictionary<string, Marker[]> byKey, OcrEquivalence equivalence, int maxSubstitutions, int count, long version)
    {
        var capacity = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(16, byKey.Count * 2));
        _keys = new ulong[capacity];
        _buckets = new Marker[]?[capacity];
        _shift = 64 - BitOperations.Log2((uint)capacity);
        foreach (var (key, bucket) in byKey)
        {
            var packed = equivalence.PackedKey(key);
            var slot = Slot(packed);
            while (_keys[slot] != 0)
            {
                slot = (slot + 1) & (capacity - 1);
            }

            _keys[slot] = packed;
            _buckets[slot] = bucket;
        }

        _equivalence = equivalence;
        _maxSubstitutions = maxSubstitutions;
        Count = count;
        Version = version;
    }

    public static MarkerIndex Build(IEnumerable<Marker> markers, OcrEquivalence equivalence, int maxSubstitutions, long version)
    {
        var builder = new Builder(equivalence, maxSubstitutions, markers.TryGetNonEnumeratedCount(out var expected) ? expected : 0);
        foreach (var marker in markers)
        {
            builder.Add(marker);
        }

        return builder.Build(version);
    }

    /// <summary>Collects markers one at a time, so a million-marker list can stream from the store into the index.</summary>
    public sealed class Builder(OcrEquivalence equivalence, int maxSubstitutions, int capacity = 0)
    {
        // Nearly every bucket holds one marker: single-element arrays, grown only on the rare collision, keep a
        // million-marker build to the arrays the frozen index keeps anyway.
        private readonly Dictionary<string, Marker[]> _buckets = new(capacity, StringComparer.Ordinal);
        private int _count;

        public void Add(Marker marker)
        {
            var key = equivalence.Key(marker.Vrm);
            _buckets[key] = _buckets.TryGetValue(key, out var bucket) ? [.. bucket, marker] : [marker];
            _count++;
        }

        public MarkerIndex Build(long version)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxSubstitutions);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSubstitutions, 2);
            return new MarkerIndex(_buckets, equivalence, maxSubstitutions, _count, version);
        }
    }

    /// <summary>
    /// Finds the markers a normalised VRM matches, into <paramref name="matches"/> (cleared first). Exact matches win:
    /// when any marker matches exactly, no ocr-equivalent matches are returned.
    /// </summary>
    public bool Match(ReadOnlySpan<char> vrm, List<MarkerMatch> matches)
    {
        matches.Clear();
        var key = _equivalence.PackedKey(vrm);
        if (key == 0)
        {
            return false;
        }

        var keys = _keys;
        var slot = Slot(key);
        while (keys[slot] != key)
        {
            if (keys[slot] == 0)
            {
                return false;
            }

            slot = (slot + 1) & (keys.Length - 1);
        }

        var bucket = _buckets[slot]!;

        foreach (var marker in bucket)
        {
            if (vrm.SequenceEqual(marker.Vrm))
            {
                matches.Add(new MarkerMatch(marker, MatchKind.Exact));
            }
        }

        if (matches.Count > 0)
        {
            return true;
        }

        foreach (var marker in bucket)
        {
            if (OcrEquivalence.Substitutions(vrm, marker.Vrm) <= _maxSubstitutions)
            {
                matches.Add(new MarkerMatch(marker, MatchKind.OcrEquivalent));
            }
        }

        return matches.Count > 0;
    }

    /// <summary>Fibonacci hashing: the multiply spreads the packed characters over the top bits, which pick the slot.</summary>
    private int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> _shift);
}
