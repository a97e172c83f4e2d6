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

    /// <summary>A–Z/0–9 → 1–36, the code of the character's representative; 0 for anything else.</summary>
    private readonly byte[] _packedCode = new byte[128];

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

        const string alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
        foreach (var c in alphabet)
        {
            _packedCode[c] = (byte)(alphabet.IndexOf(_representative[c], StringComparison.Ordinal) + 1);
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

    /// <summary>
    /// The equivalence key of a normalised VRM packed into 64 bits: six bits a character (A–Z/0–9 need 36 codes, and
    /// none is 0, so the length is implied), ten characters at most. 0 when <paramref name="vrm"/> is not a normalised
    /// VRM. Two VRMs have equal packed keys exactly when their keys are equal.
    /// </summary>
    public ulong PackedKey(ReadOnlySpan<char> vrm)
    {
        if (vrm.IsEmpty || vrm.Length > Vrm.MaxLength)
        {
            return 0;
        }

        var codes = _packedCode;
        ulong key = 0;
        foreach (var c in vrm)
        {
            ulong code = c < codes.Length ? codes[c] : 0u;
            if (code == 0)
            {
                return 0;
            }

            key = (key << 6) | code;
        }

        return key;
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
