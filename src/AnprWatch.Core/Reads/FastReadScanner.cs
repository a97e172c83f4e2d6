using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Plates;

namespace AnprWatch.Core.Reads;

/// <summary>
/// The fast path of <see cref="ReadDecoder"/>: a strict scanner for the shape nearly every camera sends (one flat
/// object, no escapes, no control characters, plain numbers, ISO timestamps). It answers "valid"
/// only when certain and declines everything else — escapes, nesting, exponents, unusual timestamps, whitespace other
/// than spaces, messages over 4 KiB and every error — to the full Utf8JsonReader decoder, which stays the reference and the source of
/// every rejection reason. Tests hold the two to the same answers.
/// </summary>
/// <remarks>
/// One 64-byte vector pass over the message lists every quote (and refuses escapes and control characters), so
/// keys and string values are found by index instead of a scan each, and no position waits on the scan before it:
/// the walk only checks that the bytes between strings are what JSON requires. Keys are recognised by one masked
/// 16-byte compare. The cost of a twelve-field read fell from ~210 ns to ~145 ns (benchmarks/README.md).
/// </remarks>
internal static class FastReadScanner
{
    /// <summary>Longer messages are valid but rare; the reference decoder takes them.</summary>
    private const int MaxBytes = 4096;

    private const int RequiredMask = 0b11111;
    private const int Lat = 5;
    private const int Lon = 6;
    private const int Confidence = 10;

    private static readonly byte[][] FieldNames = ReadDecoder.FieldNamesUtf8;

    private static readonly Vector128<byte>[] FieldNameVectors = FieldNames.Select(n =>
    {
        var padded = new byte[Vector128<byte>.Count];
        n.CopyTo(padded, 0);
        return Vector128.Create(padded);
    }).ToArray();

    private static readonly Vector128<byte>[] PrefixMasks = Enumerable.Range(0, Vector128<byte>.Count + 1).Select(n =>
        Vector128.Create(Enumerable.Range(0, Vector128<byte>.Count).Select(i => i < n ? (byte)0xFF : (byte)0).ToArray())).ToArray();

    private static readonly byte[][] ForceCodes = ForceRegistry.All.Select(f => Encoding.UTF8.GetBytes(f.Code)).ToArray();

    private static readonly long[] PowersOfTen = Enumerable.Range(0, 16).Select(p => (long)Math.Pow(10, p)).ToArray();

    private static ReadOnlySpan<short> DaysBeforeMonth => [0, 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

    private static ReadOnlySpan<byte> DaysInMonth => [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

    [ThreadStatic]
    private static Force? t_lastForce;

    /// <summary>More quotes than this (a read with many unknown string fields) declines to the reference decoder.</summary>
    private const int MaxQuotes = 128;

    public static bool TryScan(ReadOnlySpan<byte> json, Span<char> vrm, out ReadHead head)
    {
        head = default;
        Unsafe.SkipInit(out QuoteBuffer quotes);
        if (json.Length > MaxBytes || !TryFindQuotes(json, ref quotes, out var count) || (count & 1) != 0 || count == 0)
        {
            return false;
        }

        var i = SkipSpaces(json, 0);
        if (At(json, i) != '{' || SkipSpaces(json, i + 1) != quotes[0])
        {
            return false;
        }

        // Every string is a pair of quotes (there are no escapes), so keys and string values are found by index;
        // the bytes between them are checked, but no position waits on a scan.
        var seen = 0;
        var vrmLength = 0;
        Force? force = null;
        DateTimeOffset observedAt = default;
        var q = 0;
        while (true)
        {
            var keyStart = quotes[q] + 1;
            var keyEnd = quotes[q + 1];
            var field = Classify(json, keyStart, keyEnd - keyStart);
            if (field >= 0)
            {
                if ((seen & (1 << field)) != 0)
                {
                    return false;
                }

                seen |= 1 << field;
            }

            i = keyEnd + 1;
            if (At(json, i) != ':')
            {
                i = SkipSpaces(json, i);
                if (At(json, i) != ':')
                {
                    return false;
                }
            }

            i++;
            if (At(json, i) == ' ')
            {
                i = SkipSpaces(json, i);
            }

            int end;
            var c = At(json, i);
            if (c == '"')
            {
                // The value's quotes are the next pair; this one must be where the value starts.
                if (q + 3 >= count || quotes[q + 2] != i)
                {
                    return false;
                }

                end = quotes[q + 3];
                if (!AcceptString(field, json[(i + 1)..end], vrm, ref vrmLength, ref force, ref observedAt))
                {
                    return false;
                }

                end++;
                q += 4;
            }
            else
            {
                if (c == '-' || IsDigit(c))
                {
                    if (!TryNumber(json, i, field, out end))
                    {
                        return false;
                    }
                }
                else if (json[i..].StartsWith("null"u8))
                {
                    // Optional fields may be null; a null required field is an error the full decoder explains.
                    if (field is >= 0 and <= 4)
                    {
                        return false;
                    }

                    end = i + 4;
                }
                else if (field < 0 && (json[i..].StartsWith("true"u8) || json[i..].StartsWith("false"u8)))
                {
                    end = i + (c == 't' ? 4 : 5);
                }
                else
                {
                    return false;
                }

                q += 2;
            }

            c = At(json, end);
            if (c == ' ')
            {
                end = SkipSpaces(json, end);
                c = At(json, end);
            }

            if (c == ',')
            {
                if (q >= count || SkipSpaces(json, end + 1) != quotes[q])
                {
                    return false;
                }

                continue;
            }

            if (c == '}' && q == count && SkipSpaces(json, end + 1) == json.Length && (seen & RequiredMask) == RequiredMask)
            {
                head = new ReadHead(vrmLength, force!, observedAt);
                return true;
            }

            return false;
        }
    }

    /// <summary>
    /// Writes the position of every quote into <paramref name="quotes"/>, 64 bytes a step. False when the message holds a
    /// backslash or a control character (escapes and pretty-printing are for the reference decoder), has too many
    /// quotes, or is not valid UTF-8. Messages under 64 bytes are too short to be a valid read and decline.
    /// </summary>
    private static bool TryFindQuotes(ReadOnlySpan<byte> json, ref QuoteBuffer quotes, out int count)
    {
        count = 0;
        if (json.Length < 64)
        {
            return false;
        }

        ref var origin = ref MemoryMarshal.GetReference(json);
        var anyHigh = 0UL;
        var offset = 0;
        for (; offset + 64 <= json.Length; offset += 64)
        {
            if (!TryBlock(Vector512.LoadUnsafe(ref origin, (nuint)offset), 0, offset, ref quotes, ref count, ref anyHigh))
            {
                return false;
            }
        }

        if (offset < json.Length)
        {
            // The last 64 bytes, shifted so that only the ones not yet seen count.
            if (!TryBlock(Vector512.LoadUnsafe(ref origin, (nuint)(json.Length - 64)), 64 - (json.Length - offset), offset, ref quotes, ref count, ref anyHigh))
            {
                return false;
            }
        }

        return anyHigh == 0 || Utf8.IsValid(json);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryBlock(Vector512<byte> bytes, int seen, int offset, ref QuoteBuffer quotes, ref int count, ref ulong anyHigh)
    {
        var refused = (Vector512.Equals(bytes, Vector512.Create((byte)'\\')) | Vector512.LessThan(bytes, Vector512.Create((byte)' '))).ExtractMostSignificantBits() >> seen;
        var bits = Vector512.Equals(bytes, Vector512.Create((byte)'"')).ExtractMostSignificantBits() >> seen;
        anyHigh |= bytes.ExtractMostSignificantBits() >> seen;
        var found = BitOperations.PopCount(bits);
        if (refused != 0 || count + found > MaxQuotes)
        {
            return false;
        }

        // Eight positions written whether or not there are eight quotes (the buffer has room), so a block with up
        // to eight quotes costs no branch per quote; the count says which are real.
        ref var at = ref Unsafe.Add(ref quotes[0], count);
        do
        {
            at = offset + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            Unsafe.Add(ref at, 1) = offset + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            Unsafe.Add(ref at, 2) = offset + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            Unsafe.Add(ref at, 3) = offset + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            Unsafe.Add(ref at, 4) = offset + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            Unsafe.Add(ref at, 5) = offset + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            Unsafe.Add(ref at, 6) = offset + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            Unsafe.Add(ref at, 7) = offset + BitOperations.TrailingZeroCount(bits);
            bits &= bits - 1;
            at = ref Unsafe.Add(ref at, 8);
        }
        while (bits != 0);

        count += found;
        return true;
    }

    /// <summary>Quote positions; eight spare slots take the unconditional writes past the last quote.</summary>
    [InlineArray(MaxQuotes + 8)]
    private struct QuoteBuffer
    {
        private int _first;
    }

    /// <summary>Field numbers follow <see cref="ReadDecoder"/>: 0 readId … 4 observedAt (required), then the optional ones; -1 unknown.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Classify(ReadOnlySpan<byte> json, int start, int length)
    {
        // Length and one letter leave a single candidate, confirmed by one compare.
        var candidate = length switch
        {
            3 => json[start] != 'l' ? 1 : At(json, start + 1) == 'a' ? Lat : Lon,
            4 => json[start] == 'l' ? 9 : 7,
            6 => 0,
            8 => 2,
            9 => json[start] == 'd' ? 8 : 3,
            10 => json[start] == 'c' ? Confidence : 4,
            13 => 11,
            16 => 12,
            _ => -1,
        };
        if (candidate < 0)
        {
            return -1;
        }

        if (start + Vector128<byte>.Count <= json.Length)
        {
            var key = Vector128.LoadUnsafe(ref MemoryMarshal.GetReference(json), (nuint)start) & PrefixMasks[length];
            return key == FieldNameVectors[candidate] ? candidate : -1;
        }

        return json.Slice(start, length).SequenceEqual(FieldNames[candidate]) ? candidate : -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    /// <summary>
    /// JSON number grammar, strictly (exponents are left to the full decoder), read and range-checked in one pass.
    /// A known field's value is exact for up to 15 significant digits, which is all a range check needs; longer ones decline.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryNumber(ReadOnlySpan<byte> json, int i, int field, out int end)
    {
        end = i;
        var p = i;
        var negative = At(json, p) == '-';
        if (negative)
        {
            p++;
        }

        long mantissa = 0;
        var digits = 0;
        var start = p;
        if (At(json, p) == '0')
        {
            p++;
            digits = 1;
        }
        else
        {
            while (IsDigit(At(json, p)))
            {
                mantissa = unchecked(mantissa * 10 + (json[p++] - '0'));
                digits++;
            }
        }

        if (p == start)
        {
            return false;
        }

        var scale = 0;
        if (At(json, p) == '.')
        {
            var fraction = ++p;
            while (IsDigit(At(json, p)))
            {
                mantissa = unchecked(mantissa * 10 + (json[p++] - '0'));
            }

            scale = p - fraction;
            if (scale == 0)
            {
                return false;
            }

            digits += scale;
        }

        if (At(json, p) is (byte)'e' or (byte)'E' or (byte)'.' or (byte)'-' or (byte)'+' || IsDigit(At(json, p)) || p == json.Length)
        {
            return false;
        }

        end = p;
        if (field < 0)
        {
            return true;
        }

        var (min, max) = field switch
        {
            Lat => (-90L, 90L),
            Lon => (-180L, 180L),
            Confidence => (0L, 1L),
            _ => (1L, 0L), // a number where a string belongs: an empty range
        };
        if (digits > 15)
        {
            return false;
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
        long fraction = 0;
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

                fraction = fraction * 10 + (s[i++] - '0');
            }

            if (digits == 0)
            {
                return false;
            }

            fraction *= PowersOfTen[7 - digits];
        }

        int offsetMinutes;
        if (i == s.Length - 1 && s[i] == 'Z')
        {
            offsetMinutes = 0;
        }
        else if (i == s.Length - 6 && s[i] is (byte)'+' or (byte)'-' && s[i + 3] == ':' && TwoDigits(s, i + 1, out var oh) && TwoDigits(s, i + 4, out var om)
                 && om <= 59 && (oh < 14 || (oh == 14 && om == 0)))
        {
            offsetMinutes = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        }
        else
        {
            return false;
        }

        var leap = (year & 3) == 0 && (year % 100 != 0 || year % 400 == 0);
        if (year is < 1900 or > 9000 || month is < 1 or > 12 || day < 1 || day > DaysInMonth[month] + (leap && month == 2 ? 1 : 0)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        // Days since 0001-01-01, as DateTime counts them; the constructor would validate all of the above again.
        var y = year - 1;
        var days = y * 365 + y / 4 - y / 100 + y / 400 + DaysBeforeMonth[month] + (leap && month > 2 ? 1 : 0) + day - 1;
        var ticks = days * TimeSpan.TicksPerDay + ((hour * 60 + minute) * 60 + second) * TimeSpan.TicksPerSecond + fraction;
        value = new DateTimeOffset(ticks, TimeSpan.FromMinutes(offsetMinutes));
        return true;
    }

    private static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        value = (s[at] - '0') * 10 + (s[at + 1] - '0');
        return IsDigit(s[at]) && IsDigit(s[at + 1]);
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>The byte at <paramref name="i"/>, or 0 past the end (0 is refused before any walk, so it never matches).</summary>
    private static byte At(ReadOnlySpan<byte> json, int i) => (uint)i < (uint)json.Length ? json[i] : (byte)0;

    private static int SkipSpaces(ReadOnlySpan<byte> json, int i)
    {
        while (At(json, i) == ' ')
        {
            i++;
        }

        return i;
    }
}
