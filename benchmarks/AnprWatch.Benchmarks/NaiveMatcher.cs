using AnprWatch.Core.Markers;

namespace AnprWatch.Benchmarks;

/// <summary>
/// The naive way to answer what <see cref="MarkerIndex.Match"/> answers (exact matches, else OCR-equivalent ones
/// within the substitution limit), with strings: <c>ToUpperInvariant</c>/<c>Replace</c> and a
/// <c>Dictionary&lt;string, …&gt;</c> keyed by equivalence key. The benchmarks check it finds the same matches.
/// </summary>
public sealed class NaiveMatcher(IEnumerable<Marker> markers)
{
    private readonly Dictionary<string, List<Marker>> _byKey = markers.GroupBy(m => Key(m.Vrm)).ToDictionary(g => g.Key, g => g.ToList());

    /// <summary>Upper case, spaces and hyphens removed; null unless 1–10 letters and digits remain.</summary>
    public static string? Normalise(string raw)
    {
        var vrm = raw.ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        return vrm.Length is > 0 and <= 10 && vrm.All(char.IsAsciiLetterOrDigit) ? vrm : null;
    }

    /// <summary>The default OCR classes (0ODQ, 1I, 2Z, 5S, 6G, 8B), one Replace per confusable character.</summary>
    public static string Key(string vrm)
        => vrm.Replace('O', '0').Replace('D', '0').Replace('Q', '0').Replace('I', '1').Replace('Z', '2').Replace('S', '5').Replace('G', '6').Replace('B', '8');

    /// <summary>How many markers the (normalised) plate matches.</summary>
    public int Matches(string vrm)
    {
        if (!_byKey.TryGetValue(Key(vrm), out var cousins))
        {
            return 0;
        }

        var exact = cousins.Count(m => m.Vrm == vrm);
        return exact > 0 ? exact : cousins.Count(m => m.Vrm.Zip(vrm).Count(p => p.First != p.Second) <= 1);
    }
}
