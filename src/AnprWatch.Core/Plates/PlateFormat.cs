namespace AnprWatch.Core.Plates;

/// <summary>GB registration formats. Unknown plates (foreign, personalised) are accepted and labelled, never dropped.</summary>
public enum PlateFormat
{
    Unknown,
    Current,
    Prefix,
    Suffix,
    Dateless,
    NorthernIreland,
}

public static class PlateFormats
{
    public static string Label(this PlateFormat format) => format switch
    {
        PlateFormat.Current => "current",
        PlateFormat.Prefix => "prefix",
        PlateFormat.Suffix => "suffix",
        PlateFormat.Dateless => "dateless",
        PlateFormat.NorthernIreland => "northern-ireland",
        _ => "unknown",
    };

    /// <summary>Classifies a normalised VRM.</summary>
    public static PlateFormat Classify(ReadOnlySpan<char> vrm)
    {
        var letters = CountLeading(vrm, IsLetter);
        var digits = CountLeading(vrm[letters..], IsDigit);
        var trailing = CountLeading(vrm[(letters + digits)..], IsLetter);
        var rest = vrm.Length - letters - digits - trailing;

        if (rest == 0)
        {
            // AB12CDE: two letters, two digits, three letters.
            if (letters == 2 && digits == 2 && trailing == 3)
            {
                return PlateFormat.Current;
            }

            // A123BCD: one letter (the year), 1–3 digits, three letters.
            if (letters == 1 && digits is >= 1 and <= 3 && trailing == 3)
            {
                return PlateFormat.Prefix;
            }

            // ABC123D: three letters, 1–3 digits, one letter (the year).
            if (letters == 3 && digits is >= 1 and <= 3 && trailing == 1)
            {
                return PlateFormat.Suffix;
            }

            // ABZ1234: Northern Ireland codes are two letters containing I or Z, optionally after a serial letter.
            if (letters is 2 or 3 && digits is >= 1 and <= 4 && trailing == 0 && IsNiCode(vrm.Slice(letters - 2, 2)))
            {
                return PlateFormat.NorthernIreland;
            }

            // Dateless: 1–3 letters and 1–4 digits, either way round.
            if ((letters is >= 1 and <= 3 && digits is >= 1 and <= 4 && trailing == 0)
                || (letters == 0 && digits is >= 1 and <= 4 && trailing is >= 1 and <= 3))
            {
                return PlateFormat.Dateless;
            }
        }

        return PlateFormat.Unknown;
    }

    private static bool IsNiCode(ReadOnlySpan<char> code) => code.Contains('I') || code.Contains('Z');

    private static bool IsLetter(char c) => c is >= 'A' and <= 'Z';

    private static bool IsDigit(char c) => c is >= '0' and <= '9';

    private static int CountLeading(ReadOnlySpan<char> s, Func<char, bool> predicate)
    {
        var n = 0;
        while (n < s.Length && predicate(s[n]))
        {
            n++;
        }

        return n;
    }
}
