using System.Text;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// Generates hostile variants of a valid input: random bytes, truncation, byte flips, huge fields, deep nesting,
/// invalid UTF-8, wrong types, byte-order marks and control characters. Seeded: a failing case can be replayed.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly byte[][] InvalidUtf8 =
    [
        [0xC3, 0x28], [0xFF], [0xFE], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0x80],
    ];

    private static readonly string[] WrongValues = ["0", "-1", "1e400", "true", "null", "{}", "[]", "\"\"", "{\"a\":[1,{\"b\":null}]}", "\"\\u0000\"", "\"\\uD800\"", "\"\\x\"", "NaN"];

    private readonly Random _random = new(seed);

    public Random Random => _random;

    public string Kind { get; private set; } = "";

    public byte[] Mutate(byte[] valid)
    {
        var choice = _random.Next(12);
        Kind = choice switch
        {
            0 => "random bytes",
            1 => "truncated",
            2 => "byte flips",
            3 => "huge field",
            4 => "deep nesting",
            5 => "invalid UTF-8",
            6 => "wrong type",
            7 => "byte-order mark",
            8 => "control characters",
            9 => "duplicated or dropped text",
            10 => "two mutations",
            _ => "unchanged",
        };
        return choice switch
        {
            0 => RandomBytes(_random.Next(0, 400)),
            1 => valid[.._random.Next(0, valid.Length)],
            2 => Flip(valid, _random.Next(1, 6)),
            3 => Huge(valid),
            4 => Nest(_random.Next(1, 5000)),
            5 => Insert(valid, InvalidUtf8[_random.Next(InvalidUtf8.Length)]),
            6 => WrongType(valid),
            7 => [.. (_random.Next(3) switch { 0 => new byte[] { 0xEF, 0xBB, 0xBF }, 1 => [0xFF, 0xFE], _ => [0xFE, 0xFF] }), .. valid],
            8 => Insert(valid, [(byte)_random.Next(0, 32)]),
            9 => Splice(valid),
            10 => Flip(Splice(Insert(valid, InvalidUtf8[_random.Next(InvalidUtf8.Length)])), 1),
            _ => valid,
        };
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Flip(byte[] input, int count)
    {
        var bytes = (byte[])input.Clone();
        for (var i = 0; i < count && bytes.Length > 0; i++)
        {
            bytes[_random.Next(bytes.Length)] = (byte)_random.Next(256);
        }

        return bytes;
    }

    private byte[] Insert(byte[] input, byte[] what)
    {
        var at = _random.Next(input.Length + 1);
        return [.. input[..at], .. what, .. input[at..]];
    }

    /// <summary>A string value (the first quoted run after a colon or comma) replaced by something else.</summary>
    private byte[] ReplaceValue(byte[] input, byte[] with)
    {
        var text = Encoding.UTF8.GetString(input);
        var quotes = Enumerable.Range(0, text.Length).Where(i => text[i] == '"' || text[i] == ',').ToList();
        if (quotes.Count < 2)
        {
            return Insert(input, with);
        }

        var start = quotes[_random.Next(quotes.Count - 1)];
        var end = text.IndexOfAny([',', '}', '\n'], start + 1);
        end = end < 0 ? text.Length : end;
        return [.. Encoding.UTF8.GetBytes(text[..(start + 1)]), .. with, .. Encoding.UTF8.GetBytes(text[end..])];
    }

    private byte[] Huge(byte[] input) => ReplaceValue(input, Encoding.UTF8.GetBytes("\"" + new string((char)('A' + _random.Next(26)), _random.Next(100, 200_000)) + "\""));

    private byte[] WrongType(byte[] input) => ReplaceValue(input, Encoding.UTF8.GetBytes(WrongValues[_random.Next(WrongValues.Length)]));

    private static byte[] Nest(int depth) => Encoding.UTF8.GetBytes("{\"readId\":" + new string('[', depth) + new string(']', depth) + "}");

    private byte[] Splice(byte[] input)
    {
        if (input.Length < 2)
        {
            return input;
        }

        var a = _random.Next(input.Length);
        var b = _random.Next(a, input.Length);
        return _random.Next(2) == 0 ? [.. input[..a], .. input[b..]] : [.. input[..b], .. input[a..b], .. input[b..]];
    }
}
