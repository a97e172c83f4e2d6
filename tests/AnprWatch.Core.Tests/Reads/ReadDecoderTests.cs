using System.Text;
using AnprWatch.Core.Reads;
using FsCheck;
using FsCheck.Fluent;

namespace AnprWatch.Core.Tests.Reads;

public class ReadDecoderTests
{
    private const string Valid = """{"readId":"r-1","vrm":"ab12 cde","cameraId":"CAM-1","forceCode":"Wiltshire","observedAt":"2026-06-01T22:15:00+01:00","lat":51.3,"lon":-1.9,"site":"A350","direction":"N","lane":"1","confidence":0.93,"plateImageUrl":"https://x/p.jpg","overviewImageUrl":null,"vendor":{"nested":[1,2,{"a":"b"}]}}""";

    private static (bool Ok, string? Error, string Vrm, ReadHead Head) Decode(string json) => Decode(Encoding.UTF8.GetBytes(json));

    private static (bool Ok, string? Error, string Vrm, ReadHead Head) Decode(byte[] json)
    {
        var vrm = new char[10];
        var ok = ReadDecoder.TryDecodeHead(json, vrm, out var head, out var error);
        return (ok, error, ok ? new string(vrm, 0, head.VrmLength) : "", head);
    }

    private static string With(string field, string jsonValue)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Valid)!.AsObject();
        node[field] = System.Text.Json.Nodes.JsonNode.Parse(jsonValue);
        return node.ToJsonString();
    }

    private static string Without(string field)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Valid)!.AsObject();
        node.Remove(field);
        return node.ToJsonString();
    }

    // Well-formed JSON whose escaped text is not valid UTF-16: Utf8JsonReader throws InvalidOperationException on it,
    // which once escaped the decoder and stopped the worker. Every text field the decoder reads is tried.
    [TestCase("readId")]
    [TestCase("vrm")]
    [TestCase("cameraId")]
    [TestCase("forceCode")]
    [TestCase("observedAt")]
    [TestCase("site")]
    [TestCase("direction")]
    [TestCase("lane")]
    [TestCase("plateImageUrl")]
    [TestCase("overviewImageUrl")]
    public void An_escaped_lone_surrogate_in_any_text_field_is_refused_naming_the_field(string field)
    {
        foreach (var surrogate in new[] { @"\ud800", @"\udfff", @"x\ud83dy" })
        {
            var json = With(field, "\"PLACEHOLDER\"").Replace("PLACEHOLDER", surrogate, StringComparison.Ordinal);
            var (ok, error, _, _) = Decode(json);
            Assert.That(ok, Is.False, json);
            Assert.That(error, Does.Contain($"'{field}'").And.Contain("surrogate"), json);
        }
    }

    // An escaped control character (NUL, ESC, a newline, DEL, a C1 control such as the 8-bit CSI) in a text field would
    // reach an operator's terminal through `hits list`, a log line or a CSV cell: refused, naming the field. Long values
    // (decoded on the heap, not the stack) are checked as well.
    [TestCase("readId")]
    [TestCase("vrm")]
    [TestCase("cameraId")]
    [TestCase("forceCode")]
    [TestCase("site")]
    [TestCase("direction")]
    [TestCase("lane")]
    [TestCase("plateImageUrl")]
    [TestCase("overviewImageUrl")]
    public void An_escaped_control_character_in_any_text_field_is_refused_naming_the_field(string field)
    {
        foreach (var control in new[] { @"\u0000", @"x\u001b[2Jy", @"a\nb", @"\t", @"\u007f", @"\u009b31m" })
        {
            var json = With(field, "\"PLACEHOLDER\"").Replace("PLACEHOLDER", control, StringComparison.Ordinal);
            Assert.That(Decode(json).Error, Is.EqualTo($"field '{field}' must not contain control characters (an escape such as \\u0000 or \\n)"), json);
        }

        if (field is "site" or "plateImageUrl" or "overviewImageUrl")
        {
            var json = With(field, "\"PLACEHOLDER\"").Replace("PLACEHOLDER", string.Concat(Enumerable.Repeat(@"\u00e9", 100)) + @"\u0000", StringComparison.Ordinal);
            Assert.That(Decode(json).Error, Does.Contain("must not contain control characters"), "600 bytes of escapes: decoded on the heap, not in the 512-byte stack buffer");
        }
    }

    [Test]
    public void Escaped_text_that_is_no_control_character_is_still_accepted()
    {
        var (ok, error, _, _) = Decode(With("site", "\"PLACEHOLDER\"").Replace("PLACEHOLDER", @"A350 \u00e9 \/ \u00a0", StringComparison.Ordinal));
        Assert.That(ok, Is.True, error);
    }

    [Test]
    public void An_escaped_lone_surrogate_in_an_unknown_field_or_its_name_does_not_stop_the_decoder()
    {
        var (ok, error, _, _) = Decode(Valid.Replace("\"vendor\"", "\"ven\\ud800dor\"", StringComparison.Ordinal));
        Assert.That(ok || error is not null, Is.True);
        (ok, error, _, _) = Decode(Valid.Replace("\"vendor\":{", "\"x\":\"\\udc00\",\"vendor\":{", StringComparison.Ordinal));
        Assert.That(ok, Is.True, error);
    }

    [TestCase("\"\u0410B12CDE\"", "U+0410")]
    [TestCase("\"\\u0410B12CDE\"", "U+0410")]
    [TestCase("\"AB12 CD\u00C9\"", "U+00C9")]
    public void A_read_vrm_with_a_look_alike_letter_is_refused_naming_it(string vrm, string named)
    {
        var (ok, error, _, _) = Decode(With("vrm", vrm));
        Assert.That(ok, Is.False);
        Assert.That(error, Does.Contain(named).And.Contain("look-alike"));
    }

    [Test]
    public void Spacing_and_punctuation_outside_ascii_are_still_removed_from_a_read_vrm()
    {
        // A no-break space and an en dash are layout, not letters: the plate is AB12CDE.
        var (ok, error, vrm, _) = Decode(With("vrm", "\"AB12\u00A0CD\u2013E\""));
        Assert.That(ok, Is.True, error);
        Assert.That(vrm, Is.EqualTo("AB12CDE"));
    }

    [Test]
    public void A_dead_letter_of_a_huge_read_stays_under_a_kafka_brokers_message_limit_and_identifies_the_whole_read()
    {
        // Escaping grows control bytes sixfold: uncapped, this 300 KB read became a 1.8 MB dead letter that the broker
        // refuses (message.max.bytes 1,000,000) on every retry, blocking the partition.
        var raw = Enumerable.Repeat((byte)0x01, 300_000).ToArray();
        var encoded = AnprWatch.Core.Pipeline.DeadLetterJson.Encode(new AnprWatch.Core.Pipeline.DeadLetter(AnprWatch.Core.Pipeline.SourcePosition.Line(7), "message is too large", raw));
        var json = System.Text.Json.Nodes.JsonNode.Parse(encoded)!;
        Assert.Multiple(() =>
        {
            Assert.That(encoded, Has.Length.LessThan(1_000_000));
            Assert.That(json["rawBytes"]!.GetValue<int>(), Is.EqualTo(300_000));
            Assert.That(json["rawSha256"]!.GetValue<string>(), Is.EqualTo(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(raw))));
            Assert.That(json["rawTruncated"]!.GetValue<bool>(), Is.True);
        });
    }

    [TestCase((byte)0x01, 64 * 1024 + 1024, TestName = "Control bytes: the escaped raw text stays within its 64 KiB budget")]
    [TestCase((byte)0xFF, 64 * 1024 + 30 * 1024 + 1024, TestName = "Invalid UTF-8: raw text within budget, plus base64 of the same bytes")]
    public void A_dead_letter_is_bounded_by_its_budget_not_by_the_reads_size_times_the_escaping(byte filler, int limit)
    {
        // Seen: 9.8 MB of control-byte reads made 37 MB of dead letters, filling a disk that never cleared.
        var raw = Enumerable.Repeat(filler, 65_535).ToArray();
        var encoded = AnprWatch.Core.Pipeline.DeadLetterJson.Encode(new AnprWatch.Core.Pipeline.DeadLetter(AnprWatch.Core.Pipeline.SourcePosition.Line(1), "not JSON", raw));
        var json = System.Text.Json.Nodes.JsonNode.Parse(encoded)!;
        Assert.Multiple(() =>
        {
            Assert.That(encoded, Has.Length.LessThan(limit));
            Assert.That(json["rawBytes"]!.GetValue<int>(), Is.EqualTo(65_535));
            Assert.That(json["rawTruncated"]!.GetValue<bool>(), Is.True);
        });
    }

    [Test]
    public void A_plain_read_under_the_budget_is_kept_whole_in_its_dead_letter()
    {
        var raw = System.Text.Encoding.UTF8.GetBytes("{\"readId\":\"x\",\"vrm\":" + new string('A', 60_000) + "}");
        var json = System.Text.Json.Nodes.JsonNode.Parse(AnprWatch.Core.Pipeline.DeadLetterJson.Encode(new AnprWatch.Core.Pipeline.DeadLetter(AnprWatch.Core.Pipeline.SourcePosition.Line(1), "bad", raw)))!;
        Assert.That(json["raw"]!.GetValue<string>(), Is.EqualTo(System.Text.Encoding.UTF8.GetString(raw)));
        Assert.That(json["rawTruncated"], Is.Null);
    }

    [Test]
    public void A_valid_read_decodes_with_normalised_vrm_and_lower_case_force()
    {
        var (ok, error, vrm, head) = Decode(Valid);
        Assert.Multiple(() =>
        {
            Assert.That(ok, Is.True, error);
            Assert.That(vrm, Is.EqualTo("AB12CDE"));
            Assert.That(head.CameraForce.Code, Is.EqualTo("wiltshire"));
            Assert.That(head.ObservedAt, Is.EqualTo(new DateTimeOffset(2026, 6, 1, 21, 15, 0, TimeSpan.Zero)));
        });
    }

    [Test]
    public void Materialise_carries_every_field()
    {
        var read = ReadDecoder.Materialise(Encoding.UTF8.GetBytes(Valid), out var error)!;
        Assert.That(error, Is.Null);
        Assert.Multiple(() =>
        {
            Assert.That(read.ReadId, Is.EqualTo("r-1"));
            Assert.That(read.RawVrm, Is.EqualTo("ab12 cde"));
            Assert.That(read.Lat, Is.EqualTo(51.3));
            Assert.That(read.Site, Is.EqualTo("A350"));
            Assert.That(read.Confidence, Is.EqualTo(0.93));
            Assert.That(read.PlateImageUrl, Is.EqualTo("https://x/p.jpg"));
            Assert.That(read.OverviewImageUrl, Is.Null);
            Assert.That(read.ObservedAt.Offset, Is.EqualTo(TimeSpan.FromHours(1)));
        });
    }

    [TestCase("readId")]
    [TestCase("vrm")]
    [TestCase("cameraId")]
    [TestCase("forceCode")]
    [TestCase("observedAt")]
    public void A_missing_required_field_is_named(string field)
        => Assert.That(Decode(Without(field)).Error, Is.EqualTo($"missing required field '{field}'"));

    [TestCase("readId", "42", "field 'readId' must be a string")]
    [TestCase("readId", "\"\"", "field 'readId' must be 1–64 characters")]
    [TestCase("readId", "null", "required field 'readId' is null")]
    [TestCase("cameraId", "{}", "field 'cameraId' must be a string")]
    [TestCase("vrm", "[]", "field 'vrm' must be a string")]
    [TestCase("vrm", "\"!!!\"", "not a valid VRM")]
    [TestCase("vrm", "\"ABCDEFGHIJK\"", "not a valid VRM")]
    [TestCase("forceCode", "\"atlantis\"", "unknown forceCode 'atlantis'")]
    [TestCase("forceCode", "7", "field 'forceCode' must be a string")]
    [TestCase("observedAt", "\"2026-06-01T22:15:00\"", "with an offset")]
    [TestCase("observedAt", "\"2026-06-01\"", "with an offset")]
    [TestCase("observedAt", "\"2026-13-01T22:15:00Z\"", "with an offset")]
    [TestCase("observedAt", "1780000000", "must be an ISO-8601")]
    [TestCase("lat", "\"north\"", "field 'lat' must be a number")]
    [TestCase("lat", "91", "field 'lat' must be between -90 and 90")]
    [TestCase("lon", "-181", "field 'lon' must be between -180 and 180")]
    [TestCase("confidence", "1.5", "field 'confidence' must be between 0 and 1")]
    [TestCase("site", "12", "field 'site' must be a string")]
    [TestCase("lane", "true", "field 'lane' must be a string")]
    public void Wrong_types_and_values_are_rejected_with_a_reason(string field, string value, string reason)
        => Assert.That(Decode(With(field, value)).Error, Does.Contain(reason));

    [Test]
    public void Oversized_fields_and_messages_are_rejected()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Decode(With("readId", $"\"{new string('r', 65)}\"")).Error, Does.Contain("1–64 characters (it has 65)"));
            Assert.That(Decode(With("site", $"\"{new string('s', 201)}\"")).Error, Does.Contain("'site' must be 0–200"));
            Assert.That(Decode(With("vrm", $"\"{new string(' ', 40)}AB\"")).Error, Does.Contain("longer than 32"));
            Assert.That(Decode(With("plateImageUrl", $"\"{new string('u', 70_000)}\"")).Error, Does.Contain("over the 65536-byte limit"));
        });
    }

    [TestCase("", "empty message")]
    [TestCase("not json", "not valid JSON")]
    [TestCase("[1,2]", "not a JSON object")]
    [TestCase("\"text\"", "not a JSON object")]
    [TestCase("{\"readId\":\"r\"", "not valid JSON")]
    public void Messages_that_are_not_a_json_object_are_rejected(string json, string reason)
        => Assert.That(Decode(json).Error, Does.Contain(reason));

    [Test]
    public void Trailing_content_and_duplicate_fields_are_rejected()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Decode(Valid + "{}").Error, Does.Contain("JSON"));
            Assert.That(Decode(Valid[..^1] + ",\"vrm\":\"XY12ZZZ\"}").Error, Does.Contain("'vrm' appears more than once"));
        });
    }

    [Test]
    public void Invalid_utf8_and_deep_nesting_are_rejected()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid);
        bytes[Array.IndexOf(bytes, (byte)'C')] = 0xFF;
        var deep = Valid[..^1] + ",\"x\":" + new string('[', 200) + new string(']', 200) + "}";
        Assert.Multiple(() =>
        {
            Assert.That(Decode(bytes).Error, Is.EqualTo("message is not valid UTF-8"));
            Assert.That(Decode(deep).Error, Does.Contain("not valid JSON"));
        });
    }

    [Test]
    public void Escaped_strings_bom_and_utc_z_are_accepted()
    {
        var escaped = Valid.Replace("\"ab12 cde\"", "\"\\u0061b12 cde\"", StringComparison.Ordinal).Replace("+01:00", "Z", StringComparison.Ordinal);
        var (ok, error, vrm, head) = Decode([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(escaped)]);
        Assert.That(ok, Is.True, error);
        Assert.That(vrm, Is.EqualTo("AB12CDE"));
        Assert.That(head.ObservedAt.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void Decoding_a_valid_read_allocates_nothing()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid);
        var vrm = new char[10];
        ReadDecoder.TryDecodeHead(bytes, vrm, out _, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            ReadDecoder.TryDecodeHead(bytes, vrm, out _, out _);
        }

        Assert.That(GC.GetAllocatedBytesForCurrentThread() - before, Is.Zero);
    }

    [FsCheck.NUnit.Property(MaxTest = 5000)]
    public Property Random_bytes_never_throw_and_every_rejection_has_a_reason(byte[] bytes)
    {
        var vrm = new char[10];
        var ok = ReadDecoder.TryDecodeHead(bytes ?? [], vrm, out _, out var error);
        return (ok || !string.IsNullOrWhiteSpace(error)).ToProperty();
    }

    [FsCheck.NUnit.Property(MaxTest = 3000)]
    public Property Truncating_a_valid_read_never_throws()
    {
        var bytes = Encoding.UTF8.GetBytes(Valid);
        return Prop.ForAll(Gen.Choose(0, bytes.Length - 1).ToArbitrary(), cut =>
        {
            var vrm = new char[10];
            var ok = ReadDecoder.TryDecodeHead(bytes.AsSpan(0, cut), vrm, out _, out var error);
            return !ok && error is not null;
        });
    }
}
