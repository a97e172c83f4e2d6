using System.Globalization;
using System.Text;

namespace AnprWatch.Tests.Reliability;

/// <summary>What DESIGN §4.1 says must happen to a generated read: the generator's own oracle, never the decoder's.</summary>
public enum Verdict
{
    /// <summary>Valid by the contract: decided, never dead-lettered; a hit when its plate is a marker's.</summary>
    Accept,

    /// <summary>Invalid by the contract: dead-lettered with a reason.</summary>
    Reject,

    /// <summary>The contract does not pin it down (e.g. a number that underflows to zero): either is fine, a crash is not.</summary>
    Either,
}

/// <summary>One generated read: the line, what must happen to it, and the hostile values it carries.</summary>
public sealed record HostileRead(string ReadId, string Line, Verdict Verdict, bool Marked, string Kinds);

/// <summary>
/// Well-formed JSON reads with hostile values in every field (DESIGN §4.1), unlike the byte mutator, whose cases
/// mostly never parse. Each case starts from a valid read and applies one to three hostile values; each value carries
/// the verdict the contract demands, and the case's verdict is Reject if any part must be rejected, Either if any part
/// is unpinned, else Accept. Every case has a unique readId (kept valid unless the readId itself is the target), so
/// the test can follow each one to the dead-letter file or the store.
/// </summary>
public sealed class HostileReadGenerator(int seed, DateTimeOffset now)
{
    /// <summary>The markers the test loads (host avon-and-somerset, HIGH, review 2099): reads of these are hits.</summary>
    public static readonly string[] MarkedPlates = ["AB12CDE", "HR12ABC", "PO15NED"];

    private static readonly string[] MissPlates = ["XY99XYZ", "ZZ70ZZZ", "KW66WKW"];
    private static readonly string[] CameraForces = ["wiltshire", "dorset", "gloucestershire", "devon-and-cornwall", "WILTSHIRE", "Dorset"];

    private readonly Random _random = new(seed);
    private int _n;

    private delegate (string Key, string? Raw, Verdict Verdict) Hostility(Random random, DateTimeOffset now);

    private static string Q(string escapedText) => "\"" + escapedText + "\"";

    private static string Ts(DateTimeOffset t) => Q(t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));

    /// <summary>Hostile values by field. Raw is the JSON text of the value (null: remove the field).</summary>
    private static readonly (string Name, Hostility Make)[] Menu =
    [
        // Lone and paired surrogates, every escape, in every text field.
        ("lone-surrogate-site", (_, _) => ("site", Q(@"A350\ud800"), Verdict.Reject)),
        ("lone-low-surrogate-lane", (_, _) => ("lane", Q(@"\udfff"), Verdict.Reject)),
        ("lone-surrogate-cameraId", (_, _) => ("cameraId", Q(@"CAM\ud83d"), Verdict.Reject)),
        ("lone-surrogate-url", (_, _) => ("plateImageUrl", Q(@"https://x/\udbff.jpg"), Verdict.Reject)),
        ("lone-surrogate-unknown", (_, _) => ("vendorNote", Q(@"\ud800"), Verdict.Accept)),
        ("paired-surrogate-site", (_, _) => ("site", Q(@"A350 \ud83d\ude97"), Verdict.Accept)),
        ("paired-surrogate-vrm", (_, _) => ("vrm", Q(@"AB12CD\ud83d\ude97"), Verdict.Reject)),
        ("every-printable-escape-site", (_, _) => ("site", Q(@"\""\\\/\u00e9\u00a0\u2028"), Verdict.Accept)),
        // A decoded control character (C0, DEL, C1) in a text field is refused: it would reach a terminal or a log line.
        ("control-escapes-site", (_, _) => ("site", Q(@"\b\f\n\r\t\u0000\u001f\u007f"), Verdict.Reject)),
        ("escaped-esc-lane", (_, _) => ("lane", Q(@"1\u001b[2J"), Verdict.Reject)),
        ("escaped-csi-direction", (_, _) => ("direction", Q(@"N\u009b"), Verdict.Reject)),
        ("escaped-newline-cameraId", (_, _) => ("cameraId", Q(@"CAM\n1"), Verdict.Reject)),
        ("raw-c1-site", (_, _) => ("site", Q("A35\u009b2J\u007f"), Verdict.Accept)), // raw UTF-8: valid JSON text, neutralised where shown
        ("escaped-force", (_, _) => ("forceCode", Q(@"\u0064orset"), Verdict.Accept)),
        ("escaped-readId", (r, _) => ("readId", null, Verdict.Accept)), // handled below: readId kept unique, written escaped

        // Strings at and past their limits (DESIGN §4.1: ids 64, site 200, direction and lane 32, URLs 2048, raw VRM 32).
        ("site-200", (_, _) => ("site", Q(new string('s', 200)), Verdict.Accept)),
        ("site-201", (_, _) => ("site", Q(new string('s', 201)), Verdict.Reject)),
        ("lane-32", (_, _) => ("lane", Q(new string('L', 32)), Verdict.Accept)),
        ("lane-33", (_, _) => ("lane", Q(new string('L', 33)), Verdict.Reject)),
        ("direction-33", (_, _) => ("direction", Q(new string('N', 33)), Verdict.Reject)),
        ("direction-escaped-32", (_, _) => ("direction", Q(string.Concat(Enumerable.Repeat(@"\u004e", 32))), Verdict.Accept)),
        ("cameraId-64", (_, _) => ("cameraId", Q(new string('c', 64)), Verdict.Accept)),
        ("cameraId-65", (_, _) => ("cameraId", Q(new string('c', 65)), Verdict.Reject)),
        ("cameraId-empty", (_, _) => ("cameraId", Q(""), Verdict.Reject)),
        ("url-2048", (_, _) => ("overviewImageUrl", Q("https://" + new string('u', 2040)), Verdict.Accept)),
        ("url-2049", (_, _) => ("overviewImageUrl", Q("https://" + new string('u', 2041)), Verdict.Reject)),
        ("vrm-raw-33", (_, _) => ("vrm", Q("AB12CDE" + new string(' ', 26)), Verdict.Reject)),
        ("vrm-spaced", (_, _) => ("vrm", Q(" a b-1.2 c d e "), Verdict.Accept)),
        ("vrm-11", (_, _) => ("vrm", Q("AB12CDEFGHI"), Verdict.Reject)),
        ("vrm-cyrillic", (_, _) => ("vrm", Q("\u0410B12CDE"), Verdict.Reject)),
        ("vrm-escaped-cyrillic", (_, _) => ("vrm", Q(@"\u0410B12CDE"), Verdict.Reject)),
        ("vrm-zero-width", (_, _) => ("vrm", Q("AB12\u200BCDE"), Verdict.Accept)),
        ("vrm-nul", (_, _) => ("vrm", Q(@"\u0000"), Verdict.Reject)),
        ("message-over-64k", (_, _) => ("vendorBlob", Q(new string('b', 70_000)), Verdict.Reject)),

        // Numbers at and past their limits.
        ("lat-90", (_, _) => ("lat", "90", Verdict.Accept)),
        ("lat-past-90", (_, _) => ("lat", "90.0000001", Verdict.Reject)),
        ("lon-minus-180", (_, _) => ("lon", "-180", Verdict.Accept)),
        ("lon-past-180", (_, _) => ("lon", "-180.5", Verdict.Reject)),
        ("confidence-1", (_, _) => ("confidence", "1.0", Verdict.Accept)),
        ("confidence-past-1", (_, _) => ("confidence", "1.0000001", Verdict.Reject)),
        ("lat-minus-zero", (_, _) => ("lat", "-0", Verdict.Accept)),
        ("lat-overflow", (_, _) => ("lat", "1e400", Verdict.Reject)),
        ("lat-underflow", (_, _) => ("lat", "1e-400", Verdict.Either)),
        ("lon-exponent", (_, _) => ("lon", "-1.5E+1", Verdict.Accept)),
        ("lat-many-digits", (_, _) => ("lat", "51." + new string('4', 400), Verdict.Either)),

        // Dates at and past the window (2000-01-01 .. the clock + 1 day) and odd forms.
        ("observedAt-2000", (_, _) => ("observedAt", Q("2000-01-01T00:00:00Z"), Verdict.Accept)),
        ("observedAt-1999", (_, _) => ("observedAt", Q("1999-12-31T23:59:59Z"), Verdict.Reject)),
        ("observedAt-min", (_, _) => ("observedAt", Q("0001-01-01T00:00:00Z"), Verdict.Reject)),
        ("observedAt-max", (_, _) => ("observedAt", Q("9999-12-31T23:59:59Z"), Verdict.Reject)),
        ("observedAt-ahead-23h", (_, now) => ("observedAt", Ts(now.AddHours(23)), Verdict.Accept)),
        ("observedAt-ahead-25h", (_, now) => ("observedAt", Ts(now.AddHours(25)), Verdict.Reject)),
        ("observedAt-plus-14", (_, _) => ("observedAt", Q("2026-06-01T23:30:00+14:00"), Verdict.Accept)),
        ("observedAt-no-offset", (_, _) => ("observedAt", Q("2026-06-01T22:15:00"), Verdict.Reject)),
        ("observedAt-leap-second", (_, _) => ("observedAt", Q("2026-06-30T23:59:60Z"), Verdict.Reject)),
        ("observedAt-7-fraction", (_, _) => ("observedAt", Q("2026-06-01T22:15:00.1234567Z"), Verdict.Accept)),
        ("observedAt-escaped", (_, _) => ("observedAt", Q(@"2026-06-01T22:15:00\u002B01:00"), Verdict.Accept)),

        // Wrong types, nulls, duplicates, nesting, unknown forces.
        ("vrm-number", (_, _) => ("vrm", "12345", Verdict.Reject)),
        ("lat-string", (_, _) => ("lat", Q("51.4"), Verdict.Reject)),
        ("site-array", (_, _) => ("site", "[\"A350\"]", Verdict.Reject)),
        ("confidence-object", (_, _) => ("confidence", "{}", Verdict.Reject)),
        ("readId-true", (_, _) => ("cameraId", "true", Verdict.Reject)),
        ("required-null", (_, _) => ("forceCode", "null", Verdict.Reject)),
        ("optional-null", (_, _) => ("lane", "null", Verdict.Accept)),
        ("required-missing", (_, _) => ("cameraId", null, Verdict.Reject)),
        ("duplicate-vrm", (_, _) => ("vrm+", Q("XX11XXX"), Verdict.Reject)),
        ("duplicate-escaped-key", (_, _) => (@"vr\u006d+", Q("XX11XXX"), Verdict.Reject)),
        ("duplicate-unknown", (_, _) => ("vendor+", "1", Verdict.Accept)),
        ("nesting-14", (_, _) => ("vendor", new string('[', 14) + new string(']', 14), Verdict.Accept)),
        ("nesting-17", (_, _) => ("vendor", new string('[', 17) + new string(']', 17), Verdict.Reject)),
        ("unknown-force", (_, _) => ("forceCode", Q("atlantis"), Verdict.Reject)),
    ];

    /// <summary>How many cases each hostile value appeared in, by name.</summary>
    public Dictionary<string, int> Counts { get; } = [];

    public HostileRead Next()
    {
        var id = $"hz-{_n++}";
        var plate = _random.Next(3) == 0 ? MarkedPlates[_random.Next(MarkedPlates.Length)] : MissPlates[_random.Next(MissPlates.Length)];
        var observed = now.AddDays(-_random.Next(1, 200)).AddSeconds(-_random.Next(86_400));
        var fields = new List<(string Key, string Raw)>
        {
            ("readId", Q(id)),
            ("vrm", Q(plate)),
            ("cameraId", Q("CAM-" + _random.Next(100))),
            ("forceCode", Q(CameraForces[_random.Next(CameraForces.Length)])),
            ("observedAt", Ts(observed)),
            ("lat", "51.4"),
            ("lon", "-2.5"),
            ("site", Q("A4 westbound")),
        };

        // The verdict is kept per field: a later hostile value for the same field replaces the earlier one, verdict and all.
        var verdicts = new Dictionary<string, Verdict>();
        var extra = new List<Verdict>();
        var kinds = new List<string>();
        var count = 1 + _random.Next(3);
        for (var k = 0; k < count; k++)
        {
            var (name, make) = Menu[_random.Next(Menu.Length)];
            kinds.Add(name);
            Counts[name] = Counts.GetValueOrDefault(name) + 1;
            var (key, raw, v) = make(_random, now);
            if (name == "escaped-readId")
            {
                // The readId written with every character escaped still decodes to the unique id.
                fields[0] = ("readId", Q(string.Concat(id.Select(c => $"\\u{(int)c:x4}"))));
                verdicts["readId"] = Verdict.Accept;
                continue;
            }

            if (key.EndsWith('+'))
            {
                fields.Add((key[..^1], raw!));
                extra.Add(v);
                continue;
            }

            var at = fields.FindIndex(f => f.Key == key);
            if (raw is null)
            {
                if (at >= 0)
                {
                    fields.RemoveAt(at);
                }
            }
            else if (at >= 0)
            {
                fields[at] = (key, raw);
            }
            else
            {
                fields.Add((key, raw));
            }

            verdicts[key] = v;
        }

        var all = verdicts.Values.Concat(extra).ToList();
        var verdict = all.Contains(Verdict.Reject) ? Verdict.Reject : all.Contains(Verdict.Either) ? Verdict.Either : Verdict.Accept;

        // The plate the read carries in the end, by the test's own reading of the raw values it wrote.
        var vrmRaw = fields.FirstOrDefault(f => f.Key == "vrm").Raw;
        var finalPlate = vrmRaw == Q(plate) ? plate
            : vrmRaw == Q(" a b-1.2 c d e ") || vrmRaw == Q("AB12\u200BCDE") ? "AB12CDE"
            : null;
        var line = "{" + string.Join(",", fields.Select(f => $"\"{f.Key}\":{f.Raw}")) + "}";
        return new HostileRead(id, line, verdict, finalPlate is not null && MarkedPlates.Contains(finalPlate), string.Join("+", kinds));
    }

    public static byte[] Utf8(string line) => Encoding.UTF8.GetBytes(line);
}
