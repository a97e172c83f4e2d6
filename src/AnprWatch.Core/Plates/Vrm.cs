using System.Numerics;

namespace AnprWatch.Core.Plates;

/// <summary>
/// Vehicle registration mark normalisation (DESIGN §3): upper-case, keep only A–Z and 0–9, 1–10 characters.
/// Works on spans so the hot path can normalise a read without allocating.
/// </summary>
public static class Vrm
{
    public const int MaxLength = 10;

    /// <summary>Raw VRMs longer than this are refused before normalising: no real plate needs the padding.</summary>
    public const int MaxRawLength = 32;

    /// <summary>Normalises <paramref name="raw"/> into <paramref name="destination"/>; false when the result is not 1–10 characters.</summary>
    public static bool TryNormalise(ReadOnlySpan<char> raw, Span<char> destination, out int length)
        => TryNormaliseCore(raw, destination, out length);

    /// <summary>
    /// UTF-8 twin for the hot path: any non-ASCII byte fails it, and the caller decodes the text and asks the
    /// <see cref="char"/> overload, which alone can tell a look-alike letter from punctuation.
    /// </summary>
    public static bool TryNormalise(ReadOnlySpan<byte> rawUtf8, Span<char> destination, out int length)
        => TryNormaliseCore(rawUtf8, destination, out length);

    // One loop for both encodings; the JIT specialises it per unit type, so neither pays for the other.
    private static bool TryNormaliseCore<T>(ReadOnlySpan<T> raw, Span<char> destination, out int length)
        where T : unmanaged, IBinaryInteger<T>
    {
        length = 0;
        foreach (var unit in raw)
        {
            var c = int.CreateTruncating(unit);
            if (c is >= 'a' and <= 'z')
            {
                c -= 32;
            }
            else if (c is not (>= 'A' and <= 'Z' or >= '0' and <= '9'))
            {
                // A control character (NUL, BEL…) is not spacing a camera prints: the read is refused, never cleaned.
                if (c is < 0x20 or 0x7F)
                {
                    length = 0;
                    return false;
                }

                // A letter or digit outside A–Z/0–9 (Cyrillic 'А', 'É', a full-width '１') is a look-alike: stripping it
                // would turn a plate into a different one, so the whole VRM is refused. Other characters are spacing.
                if (c >= 0x80 && (typeof(T) == typeof(byte) || !IsLayout((char)c)))
                {
                    length = 0;
                    return false;
                }

                continue;
            }

            if (length == MaxLength || length == destination.Length)
            {
                length = 0;
                return false;
            }

            destination[length++] = (char)c;
        }

        return length > 0;
    }

    /// <summary>
    /// The only non-ASCII characters removed from a VRM: spaces (no-break, thin…), dashes, the middle dot and the
    /// zero-width joiners and marks. An allow-list, because whole categories hide look-alikes: Devanagari danda '।'
    /// (other punctuation) reads as I, Arabic end of ayah '۝' (a format character) and ideographic full stop '。' as O.
    /// Everything else is refused rather than guessed at.
    /// </summary>
    private static bool IsLayout(char c)
        => c is '\u00B7' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF'
           || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.SpaceSeparator or System.Globalization.UnicodeCategory.DashPunctuation;

    /// <summary>The first character a VRM may not hold, named for an error message, or null.</summary>
    public static string? DescribeForeignCharacter(ReadOnlySpan<char> raw)
    {
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c >= 0x80 && !IsLayout(c))
            {
                return System.Text.Rune.DecodeFromUtf16(raw[i..], out var rune, out _) == System.Buffers.OperationStatus.Done
                    ? $"'{rune}' (U+{rune.Value:X4})"
                    : $"an unpaired surrogate (U+{(int)c:X4})";
            }
        }

        return null;
    }

    /// <summary>Why <paramref name="raw"/> is not a VRM, for the field named <paramref name="field"/>.</summary>
    public static string InvalidReason(string field, ReadOnlySpan<char> raw)
        => raw.IndexOfAnyInRange('\u0000', '\u001F') is var at and >= 0 || (at = raw.IndexOf('\u007F')) >= 0
            ? $"{field} is not a valid VRM: it holds a control character (U+{(int)raw[at]:X4}), refused, never stripped"
            : DescribeForeignCharacter(raw) is { } foreign
            ? $"{field} contains {foreign}, a look-alike character outside A–Z and 0–9: refused, never stripped"
            : $"{field} is not a valid VRM (after removing spaces and punctuation it must be 1–10 letters or digits)";

    public static string? Normalise(string? raw)
    {
        if (raw is null || raw.Length > MaxRawLength)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[MaxLength];
        return TryNormalise(raw, buffer, out var length) ? new string(buffer[..length]) : null;
    }

    /// <summary>Logs and traces must never carry a VRM (DESIGN §7): this keeps only the first two characters.</summary>
    public static string Redact(string? vrm)
        => string.IsNullOrEmpty(vrm) ? "" : vrm.Length <= 2 ? new string('*', vrm.Length) : string.Concat(vrm.AsSpan(0, 2), new string('*', vrm.Length - 2));
}
