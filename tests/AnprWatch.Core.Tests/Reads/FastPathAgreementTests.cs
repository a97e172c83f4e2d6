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
        /* extra */ ["", ",\"vendor\":1", ",\"vendor\":{\"a\":[1]}", ",\"vendor\":\"x\"", ",\"vendor\":true", ",\"vrm\":\"XY12ZZZ\"", ",", ",\"x\":nul"],
    ];

    private static readonly string[] Names = ["readId", "vrm", "cameraId", "forceCode", "observedAt", "lat", "confidence", "site"];

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
            var value = random.Next(3) == 0 ? pool[random.Next(pool.Length)] : pool[0];
            parts.Add($"\"{Names[f]}\":{value}");
        }

        var order = parts.OrderBy(_ => random.Next()).ToList();
        var spacing = random.Next(4) == 0 ? " \n\t" : "";
        var extra = Values[8][random.Next(Values[8].Length)];
        return Encoding.UTF8.GetBytes("{" + spacing + string.Join("," + spacing, order) + extra + spacing + "}");
    }

    [FsCheck.NUnit.Property(MaxTest = 20_000)]
    public Property Fast_and_reference_decoders_agree(int seed)
    {
        var json = Build(seed);
        var vrmFast = new char[10];
        var vrmFull = new char[10];
        var fast = ReadDecoder.TryDecodeHead(json, vrmFast, out var headFast, out var errorFast);
        var full = ReadDecoder.TryDecodeHeadFully(json, vrmFull, out var headFull, out var errorFull);
        var agree = fast == full && errorFast == errorFull
            && (!fast || (headFast == headFull && vrmFast.AsSpan(0, headFast.VrmLength).SequenceEqual(vrmFull.AsSpan(0, headFull.VrmLength))));
        return agree.Label(Encoding.UTF8.GetString(json) + $" fast={fast}/{errorFast} full={full}/{errorFull}");
    }

    [Test]
    public void The_generator_produces_both_valid_and_invalid_reads()
    {
        var outcomes = Enumerable.Range(0, 2000).Select(s => ReadDecoder.TryDecodeHead(Build(s), new char[10], out _, out _)).ToList();
        Assert.That(outcomes, Has.Some.True.And.Some.False);
    }
}
