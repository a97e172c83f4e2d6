using System.Collections.Frozen;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Plates;

namespace AnprWatch.Core.Markers;

public readonly record struct MarkerMatch(Marker Marker, MatchKind Kind);

/// <summary>
/// The frozen set of active markers, keyed by OCR-equivalence key. Exact matches share the key of their
/// ocr-equivalent cousins, so one span probe answers both questions; a read that hits nothing costs one hash
/// lookup and allocates nothing. Instances never change after <see cref="Build"/>: a new list means a new index.
/// </summary>
public sealed class MarkerIndex
{
    private readonly FrozenDictionary<string, Marker[]> _byKey;
    private readonly FrozenDictionary<string, Marker[]>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly OcrEquivalence _equivalence;
    private readonly int _maxSubstitutions;

    public static MarkerIndex Empty { get; } = Build([], OcrEquivalence.Default, 1, version: 0);

    /// <summary>Markers in the index.</summary>
    public int Count { get; }

    /// <summary>The marker-list generation this index was built from (0 = none).</summary>
    public long Version { get; }

    private MarkerIndex(FrozenDictionary<string, Marker[]> byKey, OcrEquivalence equivalence, int maxSubstitutions, int count, long version)
    {
        _byKey = byKey;
        _lookup = byKey.GetAlternateLookup<ReadOnlySpan<char>>();
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
            return new MarkerIndex(_buckets.ToFrozenDictionary(StringComparer.Ordinal), equivalence, maxSubstitutions, _count, version);
        }
    }

    /// <summary>
    /// Finds the markers a normalised VRM matches, into <paramref name="matches"/> (cleared first). Exact matches win:
    /// when any marker matches exactly, no ocr-equivalent matches are returned.
    /// </summary>
    public bool Match(ReadOnlySpan<char> vrm, List<MarkerMatch> matches)
    {
        matches.Clear();
        if (vrm.IsEmpty || vrm.Length > Vrm.MaxLength)
        {
            return false;
        }

        Span<char> key = stackalloc char[Vrm.MaxLength];
        key = key[..vrm.Length];
        _equivalence.Key(vrm, key);
        if (!_lookup.TryGetValue(key, out var bucket))
        {
            return false;
        }

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
}
