using System.Text;
using AnprWatch.Core.Reads;
using FsCheck;
using FsCheck.Fluent;

namespace AnprWatch.Core.Tests.Reads;

/// <summary>The fast scanner may decline anything, but when it accepts a read the reference decoder must agree exactly.</summary>
public class FastPathAgreementTests
{
    private static readonly string[][] Values =
    [
        /* readId */ ["\"r-1\"", "\"\"", "\"" + new string('r', 64) + "\"", "\"" + new string('r', 65) + "\"", "\"é" + new string('r', 63) + "\"", "7", "null", "\"a\\\"b\""],
        /* vrm */ ["\"ab12 cde\"", "\"AB12CDE\"", "\"!!!\"", "\"\\u0041B12CDE\"", "\"" + new string(' ', 31) + "A\"", "\"" + new string(' ', 32) + "A\"", "12", "\"ABCDEFGHIJK\""],
        /* cameraId */ ["\"CAM-1\"", "\"\"", "true", "\"CAM\\n1\""],
        /* forceCode */ ["\"wiltshire\"", "\"WILTSHIRE\"", "\"Wiltshire\"", "\"atlantis\"", "\" wiltshire\"", "\"dorset\"", "null"],
        /* observedAt */ ["\"2026-06-01T22:15:00+01:00\"", "\"2026-06-01T22:15:00Z\"", "\"2026-06-01T22:15:00.1234567Z\"", "\"2026-06-01T22:15:00.12345678Z\"", "\"2026-06-01T22:15:00\"",
            "\"2026-02-30T10:00:00Z\"", "\"2026-06-01T24:00:00Z\"", "\"2026-06-01T22:15:00+14:00\"", "\"2026-06-01T22:15:00+14:30\"", "\"2026-06-01T22:15:00-05:00\"", "\"2026-06-01t22:15:00z\"", "\"2026-06-01 22:15:00Z\"", "1780000000"],
        /* lat */ ["51.3", "90", "90.0000000000001", "-90", "-90.5", "0", "-0", "01", "1.", "1e2", "\"51\"", "null", "51.3000000000000000001"],
        /* confidence */ ["0.93", "1", "1.0", "1.00001", "0", "-0.0", "2", "null", "0.5E0"],
        /* site */ ["\"A350\"", "\"" + new string('s', 200) + "\"", "\"" + new string('s', 201) + "\"", "\"tab\there\"", "null", "5"],
        /* lon */ ["-1.994", "180", "180.0000000000001", "-180", "-180.5", "0", "-0", "01", "1.", "1e2", "\"-2\"", "null", "-1.9940000000000000001"],
        /* direction */ ["\"N\"", "\"\"", Str('d', 31), Str('d', 32), Str('d', 33), "\"é" + new string('d', 31) + "\"", "\"é" + new string('d', 32) + "\"", "\"north\\tbound\"", "null", "3"],
        /* lane */ ["\"1\"", "\"\"", Str('l', 31), Str('l', 32), Str('l', 33), "\"é" + new string('l', 31) + "\"", "\"é" + new string('l', 32) + "\"", "\"lane\\u00201\"", "null", "1"],
        /* plateImageUrl */ ["\"https://anpr.example/p/1.jpg\"", "\"\"", Url(2048), Url(2049), "\"https://anpr.example/é" + new string('p', 2048 - 22) + "\"", "\"https://anpr.example/é" + new string('p', 2048 - 21) + "\"", "\"https:\\/\\/anpr.example\"", "null", "true"],
        /* overviewImageUrl */ ["\"https://anpr.example/o/1.jpg\"", "\"\"", Url(2048), Url(2049), "\"https://anpr.example/é" + new string('o', 2048 - 22) + "\"", "\"https://anpr.example/é" + new string('o', 2048 - 21) + "\"", "null", "{}"],
        /* extra */ ["", ",\"vendor\":1", ",\"vendor\":{\"a\":[1]}", ",\"vendor\":\"x\"", ",\"vendor\":true", ",\"vrm\":\"XY12ZZZ\"", ",", ",\"x\":nul"],
    ];

    /// <summary>Every field the decoder knows (ReadDecoder's list), so no field's limit goes unchecked.</summary>
    private static readonly string[] Names = ["readId", "vrm", "cameraId", "forceCode", "observedAt", "lat", "confidence", "site", "lon", "direction", "lane", "plateImageUrl", "overviewImageUrl"];

    /// <summary>A JSON string of <paramref name="length"/> characters.</summary>
    private static string Str(char c, int length) => "\"" + new string(c, length) + "\"";

    /// <summary>A JSON string holding a URL of exactly <paramref name="length"/> characters.</summary>
    private static string Url(int length) => "\"https://anpr.example/" + new string('u', length - 21) + "\"";

    private static byte[] Build(int seed)
    {
        var random = new Random(seed);
        var parts = new List<string>();
        for (var f = 0; f < Names.Length; f++)
        {
            if (random.Next(12) == 0)
            {
                continue; // field absent
            }

            var pool = Values[f];
            var value = random.Next(5) == 0 ? pool[random.Next(pool.Length)] : pool[0];
            parts.Add($"\"{Names[f]}\":{value}");
        }

        var order = parts.OrderBy(_ => random.Next()).ToList();
        // Spaces stay on the fast path; other whitespace declines to the reference decoder.
        var spacing = random.Next(4) switch { 0 => " \n\t", 1 => " ", 2 => "  ", _ => "" };
        var extra = Values[^1][random.Next(Values[^1].Length)];
        if (spacing == " " && random.Next(2) == 0)
        {
            order = order.Select(p => p.Replace("\":", "\" : ", StringComparison.Ordinal)).ToList();
        }

        return Encoding.UTF8.GetBytes(spacing + "{" + spacing + string.Join(spacing + "," + spacing, order) + extra + spacing + "}" + spacing);
    }

    /// <summary>
    /// Set by `./build.sh mutate` (ANPRWATCH_MUTATION_RUN=1): the two heaviest tests here run a tenth of their cases,
    /// because Stryker runs them once per decoder mutant; the ordinary suite always runs them in full.
    /// </summary>
    private static readonly bool MutationRun = Environment.GetEnvironmentVariable("ANPRWATCH_MUTATION_RUN") == "1";

    // Seeds over the whole int range: FsCheck's own int generator stays within ±size (≤ 100), which would test the
    // same two hundred reads over and over.
    [Test]
    public void Fast_and_reference_decoders_agree()
        => Check.One(Config.QuickThrowOnFailure.WithMaxTest(MutationRun ? 2_000 : 20_000), Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), seed =>
        {
            var json = Build(seed);
            var vrmFast = new char[10];
            var vrmFull = new char[10];
            var fast = ReadDecoder.TryDecodeHead(json, vrmFast, out var headFast, out var errorFast);
            var full = ReadDecoder.TryDecodeHeadFully(json, vrmFull, out var headFull, out var errorFull);
            var agree = fast == full && errorFast == errorFull
                && (!fast || (headFast == headFull && vrmFast.AsSpan(0, headFast.VrmLength).SequenceEqual(vrmFull.AsSpan(0, headFull.VrmLength))));
            return agree.Label(Encoding.UTF8.GetString(json) + $" fast={fast}/{errorFast} full={full}/{errorFull}");
        }));

    [Test]
    public void The_generator_produces_both_valid_and_invalid_reads()
    {
        var outcomes = Enumerable.Range(0, 2000).Select(s => ReadDecoder.TryDecodeHead(Build(s), new char[10], out _, out _)).ToList();
        Assert.That(outcomes, Has.Some.True.And.Some.False);
    }

    [Test]
    public void The_generator_reaches_the_fast_path_often_enough_to_test_it()
    {
        var accepted = Enumerable.Range(0, 2000).Count(s => FastReadScanner.TryScan(Build(s), new char[10], out _));
        // ~6% of generated reads are valid and fast-path shaped: about 1,200 of the property's 20,000 cases.
        Assert.That(accepted, Is.GreaterThan(100), "the agreement property only means something for reads the fast path accepts");
    }

    [TestCase("""{"readId":"rd-1","vrm":"ab12 cde","cameraId":"WIL-CAM-001","forceCode":"wiltshire","observedAt":"2026-06-01T22:15:07+01:00","lat":51.349,"lon":-1.994,"site":"A350 northbound","direction":"N","lane":"1","confidence":0.93,"plateImageUrl":"https://anpr.example/1.jpg"}""")]
    [TestCase("""{ "readId" : "rd-1", "vrm" : "AB12CDE", "cameraId" : "CAM", "forceCode" : "kent", "observedAt" : "2026-01-01T00:00:00.5Z", "vendor" : {"x": 1} }""", false)]
    [TestCase("""{ "readId" : "rd-1", "vrm" : "AB12CDE", "cameraId" : "CAM", "forceCode" : "kent", "observedAt" : "2026-01-01T00:00:00.5Z", "vendor" : true }""")]
    [TestCase("""{"readId":"rd-1","vrm":"AB12CDE","cameraId":"CAM","forceCode":"kent","observedAt":"2026-01-01T00:00:00Z","site":"Café Street"}""")]
    public void Typical_camera_reads_take_the_fast_path(string read, bool fast = true)
    {
        // Speed, not correctness: a read the fast path declines is still decoded, at several times the cost.
        var json = Encoding.UTF8.GetBytes(read);
        var vrmFast = new char[10];
        var vrmFull = new char[10];
        Assert.Multiple(() =>
        {
            Assert.That(FastReadScanner.TryScan(json, vrmFast, out var headFast), Is.EqualTo(fast));
            Assert.That(ReadDecoder.TryDecodeHeadFully(json, vrmFull, out var headFull, out var error), Is.True, error);
            if (fast)
            {
                Assert.That(headFast, Is.EqualTo(headFull));
                Assert.That(new string(vrmFast, 0, headFast.VrmLength), Is.EqualTo(new string(vrmFull, 0, headFull.VrmLength)));
            }
        });
    }

    [Test]
    public void Timestamps_agree_across_leap_years_centuries_and_offsets()
    {
        // The fast path computes ticks itself; every day of 1896–2404 (century and 400-year leap rules included),
        // each at a different time and offset, must come out as the reference decoder reads it.
        string[] offsets = ["Z", "+01:00", "-05:30", "+14:00", "-12:45"];
        var disagreements = new List<string>();
        var accepted = 0;
        // Under mutation testing: every 11th day, and the end of every February (so every leap rule is still crossed).
        var step = MutationRun ? 11 : 1;
        for (var day = new DateTime(1896, 1, 1); day < new DateTime(2405, 1, 1); day = day.AddDays(1))
        {
            if (step > 1 && day.DayOfYear % step != 0 && !(day.Month == 2 && day.Day >= 28) && !(day.Month == 3 && day.Day == 1))
            {
                continue;
            }

            var n = day.DayOfYear;
            var stamp = $"{day:yyyy-MM-dd}T{n % 24:D2}:{n % 60:D2}:{(n * 7) % 60:D2}{(n % 3 == 0 ? "." + (n * 7919 % 10_000_000).ToString("D7", System.Globalization.CultureInfo.InvariantCulture)[..(n % 7 + 1)] : "")}{offsets[n % offsets.Length]}";
            var json = Encoding.UTF8.GetBytes($$"""{"readId":"rd-1","vrm":"AB12CDE","cameraId":"CAM-1","forceCode":"kent","observedAt":"{{stamp}}"}""");
            var vrm = new char[10];
            var fast = FastReadScanner.TryScan(json, vrm, out var headFast);
            var full = ReadDecoder.TryDecodeHeadFully(json, vrm, out var headFull, out _);
            accepted += fast ? 1 : 0;
            if (fast && (!full || headFast.ObservedAt != headFull.ObservedAt || headFast.ObservedAt.Offset != headFull.ObservedAt.Offset))
            {
                disagreements.Add($"{stamp}: fast {headFast.ObservedAt:O}, reference {(full ? headFull.ObservedAt.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "rejected")}");
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(disagreements, Is.Empty);
            Assert.That(accepted, Is.GreaterThan(180_000 / step), "the fast path should take ordinary timestamps");
        });
    }
}
