namespace AnprWatch.Core.Plates;

/// <summary>
/// OCR equivalence classes (DESIGN §3): characters a camera confuses map to one representative, so a misread
/// plate and the true plate share an equivalence key.
/// </summary>
public sealed class OcrEquivalence
{
    public static readonly IReadOnlyList<string> DefaultClasses = ["0ODQ", "1I", "2Z", "5S", "6G", "8B"];

    public static OcrEquivalence Default { get; } = Create(DefaultClasses);

    private readonly char[] _representative = new char[128];

    public IReadOnlyList<string> Classes { get; }

    private OcrEquivalence(IReadOnlyList<string> classes)
    {
        Classes = classes;
        for (var c = 0; c < _representative.Length; c++)
        {
            _representative[c] = (char)c;
        }

        foreach (var cls in classes)
        {
            foreach (var c in cls)
            {
                _representative[c] = cls[0];
            }
        }
    }

    /// <summary>Builds a table from classes such as "0ODQ"; each class is upper-case A–Z/0–9, no character in two classes.</summary>
    public static OcrEquivalence Create(IEnumerable<string> classes)
    {
        var list = classes.Select(c => c.Trim().ToUpperInvariant()).Where(c => c.Length > 0).ToList();
        var seen = new HashSet<char>();
        foreach (var cls in list)
        {
            foreach (var c in cls)
            {
                if (c is not (>= 'A' and <= 'Z' or >= '0' and <= '9'))
                {
                    throw new ArgumentException($"OCR class '{cls}' contains '{c}': only A–Z and 0–9 are allowed");
                }

                if (!seen.Add(c))
                {
                    throw new ArgumentException($"character '{c}' appears in more than one OCR class");
                }
            }
        }

        return new OcrEquivalence(list);
    }

    /// <summary>Writes the equivalence key of a normalised VRM (same length) into <paramref name="destination"/>.</summary>
    public void Key(ReadOnlySpan<char> vrm, Span<char> destination)
    {
        for (var i = 0; i < vrm.Length; i++)
        {
            destination[i] = _representative[vrm[i] & 0x7F];
        }
    }

    public string Key(string vrm)
    {
        Span<char> buffer = stackalloc char[vrm.Length];
        Key(vrm, buffer);
        return buffer.SequenceEqual(vrm) ? vrm : new string(buffer);
    }

    /// <summary>Positions where two VRMs of equal length differ.</summary>
    public static int Substitutions(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var n = 0;
        for (var i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                n++;
            }
        }

        return n;
    }
}
