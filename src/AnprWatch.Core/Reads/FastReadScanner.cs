using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Plates;

namespace AnprWatch.Core.Reads;

/// <summary>
/// The fast path of <see cref="ReadDecoder"/>: a strict scanner for the shape nearly every camera sends (one flat
/// object, no escapes, plain numbers, ISO timestamps). It answers "valid" only when certain and declines everything
/// else — escapes, nesting, exponents, unusual timestamps and every error — to the full Utf8JsonReader decoder, which
/// stays the reference and the source of every rejection reason. Tests hold the two to the same answers.
/// </summary>
internal static class FastReadScanner
{
    private const int RequiredMask = 0b11111;

    /// <summary>Bytes that end the fast scan of a string: the closing quote, an escape, or a control character (invalid JSON).</summary>
    private static readonly Vector128<byte> Quote = Vector128.Create((byte)'"');
    private static readonly Vector128<byte> Backslash = Vector128.Create((byte)'\\');
    private static readonly Vector128<byte> Space = Vector128.Create((byte)' ');

    private static readonly bool[] StringStops = Enumerable.Range(0, 256).Select(b => b is '"' or '\\' or < 0x20).ToArray();

    private static readonly byte[][] ForceCodes = ForceRegistry.All.Select(f => Encoding.UTF8.GetBytes(f.Code)).ToArray();

    private static readonly long[] PowersOfTen = Enumerable.Range(0, 16).Select(p => (long)Math.Pow(10, p)).ToArray();

    [ThreadStatic]
    private static Force? t_lastForce;

    public static bool TryScan(ReadOnlySpan<byte> json, Span<char> vrm, out ReadHead head)
    {
        head = default;
        if (json.Length > ReadDecoder.MaxMessageBytes || !Utf8.IsValid(json))
        {
            return false;
        }

        var i = SkipWhitespace(json, 0);
        if (i >= json.Length || json[i] != '{')
        {
            return false;
        }

        i = SkipWhitespace(json, i + 1);
        var seen = 0;
        var vrmLength = 0;
        Force? force = null;
        DateTimeOffset observedAt = default;
        while (true)
        {
            if (i >= json.Length || json[i] != '"' || !ScanString(json, i, out var key))
            {
                return false;
            }

            i = SkipWhitespace(json, key.End + 1);
            if (i >= json.Length || json[i] != ':')
            {
                return false;
            }

            i = SkipWhitespace(json, i + 1);
            if (i >= json.Length)
            {
                return false;
            }

            var field = Classify(json[key.Start..key.End]);
            if (field >= 0)
            {
                if ((seen & (1 << field)) != 0)
                {
                    return false;
                }

                seen |= 1 << field;
            }

            var c = json[i];
            if (c == '"')
            {
                if (!ScanString(json, i, out var value) || !AcceptString(field, json[value.Start..value.End], vrm, ref vrmLength, ref force, ref observedAt))
                {
                    return false;
                }

                i = value.End + 1;
            }
            else if (c == '-' || (uint)(c - '0') <= 9)
            {
                if (!ScanNumber(json, i, out var end) || !AcceptNumber(field, json[i..end]))
                {
                    return false;
                }

                i = end;
            }
            else if (json[i..].StartsWith("null"u8))
            {
                // Optional fields may be null; a null required field is an error the full decoder explains.
                if (field is >= 0 and <= 4)
                {
                    return false;
                }

                i += 4;
            }
            else if (field < 0 && (json[i..].StartsWith("true"u8) || json[i..].StartsWith("false"u8)))
            {
                i += c == 't' ? 4 : 5;
            }
            else
            {
                return false;
            }

            i = SkipWhitespace(json, i);
            if (i >= json.Length)
            {
                return false;
            }

            if (json[i] == ',')
            {
                i = SkipWhitespace(json, i + 1);
                continue;
            }

            if (json[i] == '}' && SkipWhitespace(json, i + 1) == json.Length && (seen & RequiredMask) == RequiredMask)
            {
                head = new ReadHead(vrmLength, force!, observedAt);
                return true;
            }

            return false;
        }
    }

    /// <summary>Field numbers follow <see cref="ReadDecoder"/>: 0 readId … 4 observedAt (required), then the optional ones.</summary>
    private static int Classify(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 => name.SequenceEqual("vrm"u8) ? 1 : name.SequenceEqual("lat"u8) ? 5 : name.SequenceEqual("lon"u8) ? 6 : -1,
        4 => name.SequenceEqual("site"u8) ? 7 : name.SequenceEqual("lane"u8) ? 9 : -1,
        6 => name.SequenceEqual("readId"u8) ? 0 : -1,
        8 => name.SequenceEqual("cameraId"u8) ? 2 : -1,
        9 => name.SequenceEqual("forceCode"u8) ? 3 : name.SequenceEqual("direction"u8) ? 8 : -1,
        10 => name.SequenceEqual("observedAt"u8) ? 4 : name.SequenceEqual("confidence"u8) ? 10 : -1,
        13 => name.SequenceEqual("plateImageUrl"u8) ? 11 : -1,
        16 => name.SequenceEqual("overviewImageUrl"u8) ? 12 : -1,
        _ => -1,
    };

    private static bool AcceptString(int field, ReadOnlySpan<byte> value, Span<char> vrm, ref int vrmLength, ref Force? force, ref DateTimeOffset observedAt) => field switch
    {
        -1 => true,
        0 or 2 => value.Length > 0 && FitsIn(value, ReadDecoder.MaxIdLength),
        1 => FitsIn(value, Vrm.MaxRawLength) && Vrm.TryNormalise(value, vrm, out vrmLength),
        3 => TryForce(value, out force),
        4 => TryParseTimestamp(value, out observedAt),
        7 => FitsIn(value, ReadDecoder.MaxSiteLength),
        8 or 9 => FitsIn(value, ReadDecoder.MaxShortFieldLength),
        11 or 12 => FitsIn(value, ReadDecoder.MaxUrlLength),
        _ => false, // a string where a number belongs
    };

    private static bool AcceptNumber(int field, ReadOnlySpan<byte> number) => field switch
    {
        -1 => true,
        5 => InRange(number, -90, 90),
        6 => InRange(number, -180, 180),
        10 => InRange(number, 0, 1),
        _ => false, // a number where a string belongs
    };

    /// <summary>Bytes bound chars from above, so only a long value needs counting.</summary>
    private static bool FitsIn(ReadOnlySpan<byte> value, int maxChars)
        => value.Length <= maxChars || Encoding.UTF8.GetCharCount(value) <= maxChars;

    private static bool TryForce(ReadOnlySpan<byte> value, out Force? force)
    {
        // Reads arrive in runs from one force (a partition is keyed by force), so the last answer is usually right.
        force = t_lastForce;
        if (force is not null && value.SequenceEqual(ForceCodes[force.Index]))
        {
            return true;
        }

        if (value.Length > ForceRegistry.MaxCodeLength)
        {
            return false;
        }

        Span<char> code = stackalloc char[ForceRegistry.MaxCodeLength];
        for (var i = 0; i < value.Length; i++)
        {
            code[i] = (char)value[i];
        }

        if (!ForceRegistry.TryGet(code[..value.Length], out force))
        {
            return false;
        }

        t_lastForce = force;
        return true;
    }

    private static bool ScanString(ReadOnlySpan<byte> json, int quote, out (int Start, int End) value)
    {
        // 16 bytes per step with no per-call set-up: plate-read strings are short, so a general vectorised search's
        // start-up cost dominated (measured), while a byte loop costs ~1 ns a byte.
        var start = quote + 1;
        var end = start;
        ref var origin = ref MemoryMarshal.GetReference(json);
        while (end + Vector128<byte>.Count <= json.Length)
        {
            var block = Vector128.LoadUnsafe(ref origin, (nuint)end);
            var stops = Vector128.Equals(block, Quote) | Vector128.Equals(block, Backslash) | Vector128.LessThan(block, Space);
            var bits = stops.ExtractMostSignificantBits();
            if (bits != 0)
            {
                end += BitOperations.TrailingZeroCount(bits);
                value = (start, end);
                return json[end] == '"';
            }

            end += Vector128<byte>.Count;
        }

        var table = StringStops;
        while (end < json.Length && !table[json[end]])
        {
            end++;
        }

        value = (start, end);
        return end < json.Length && json[end] == '"';
    }

    /// <summary>JSON number grammar, strictly; exponents are left to the full decoder.</summary>
    private static bool ScanNumber(ReadOnlySpan<byte> json, int i, out int end)
    {
        end = i;
        if (json[end] == '-')
        {
            end++;
        }

        if (end >= json.Length || !IsDigit(json[end]))
        {
            return false;
        }

        if (json[end] == '0')
        {
            end++;
        }
        else
        {
            while (end < json.Length && IsDigit(json[end]))
            {
                end++;
            }
        }

        if (end < json.Length && json[end] == '.')
        {
            end++;
            var digits = end;
            while (end < json.Length && IsDigit(json[end]))
            {
                end++;
            }

            if (end == digits)
            {
                return false;
            }
        }

        return end < json.Length && json[end] is not ((byte)'e' or (byte)'E' or (byte)'.' or (byte)'-' or (byte)'+') && !IsDigit(json[end]);
    }

    /// <summary>Exact for up to 15 significant digits, which is all a range check needs; longer numbers decline.</summary>
    private static bool InRange(ReadOnlySpan<byte> number, long min, long max)
    {
        var negative = number[0] == '-';
        long mantissa = 0;
        var digits = 0;
        var scale = 0;
        var fraction = false;
        foreach (var b in negative ? number[1..] : number)
        {
            if (b == '.')
            {
                fraction = true;
                continue;
            }

            if (++digits > 15)
            {
                return false;
            }

            mantissa = mantissa * 10 + (b - '0');
            if (fraction)
            {
                scale++;
            }
        }

        // Compare as integers scaled by 10^scale: exact, and no floating-point division per read.
        var value = negative ? -mantissa : mantissa;
        var pow = PowersOfTen[scale];
        return value >= min * pow && value <= max * pow;
    }

    /// <summary>yyyy-MM-ddTHH:mm:ss[.f{1,7}](Z|±HH:mm); anything else declines to the full decoder.</summary>
    private static bool TryParseTimestamp(ReadOnlySpan<byte> s, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':'
            || !TwoDigits(s, 2, out var yLow) || !TwoDigits(s, 0, out var yHigh) || !TwoDigits(s, 5, out var month) || !TwoDigits(s, 8, out var day)
            || !TwoDigits(s, 11, out var hour) || !TwoDigits(s, 14, out var minute) || !TwoDigits(s, 17, out var second))
        {
            return false;
        }

        var year = yHigh * 100 + yLow;
        var i = 19;
        long ticks = 0;
        if (s[i] == '.')
        {
            var digits = 0;
            i++;
            while (i < s.Length && IsDigit(s[i]))
            {
                if (++digits > 7)
                {
                    return false;
                }

                ticks = ticks * 10 + (s[i++] - '0');
            }

            if (digits == 0)
            {
                return false;
            }

            for (var d = digits; d < 7; d++)
            {
                ticks *= 10;
            }
        }

        TimeSpan offset;
        if (i == s.Length - 1 && s[i] == 'Z')
        {
            offset = TimeSpan.Zero;
        }
        else if (i == s.Length - 6 && s[i] is (byte)'+' or (byte)'-' && s[i + 3] == ':' && TwoDigits(s, i + 1, out var oh) && TwoDigits(s, i + 4, out var om)
                 && om <= 59 && (oh < 14 || (oh == 14 && om == 0)))
        {
            offset = new TimeSpan(oh, om, 0) * (s[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        if (year is < 1900 or > 9000 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
        return true;
    }

    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = (s[at] - '0') * 10 + (s[at + 1] - '0');
        return IsDigit(s[at]) && IsDigit(s[at + 1]);
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i)
    {
        while (i < json.Length && json[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }
}
