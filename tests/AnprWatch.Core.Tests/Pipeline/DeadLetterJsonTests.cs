using System.Text;
using System.Text.Json.Nodes;
using AnprWatch.Core.Pipeline;

namespace AnprWatch.Core.Tests.Pipeline;

/// <summary>
/// DESIGN §4.1: a file's dead letter is {"line": N, "reason": "...", "raw": "..."}; a topic's names its partition and
/// offset instead of the line (docs/OPERATIONS.md). Bytes that are not UTF-8 are kept whole in rawBase64; a raw read
/// whose escaped form exceeds 64 KiB is cut and identified by rawBytes, rawSha256 and rawTruncated.
/// </summary>
public class DeadLetterJsonTests
{
    private static string Encode(SourcePosition position, string reason, byte[] raw)
        => Encoding.UTF8.GetString(DeadLetterJson.Encode(new DeadLetter(position, reason, raw)));

    [Test]
    public void A_file_dead_letter_names_its_line_reason_and_raw_text()
        => Assert.That(Encode(SourcePosition.Line(3), "missing field 'vrm'", """{"readId":"r-1"}"""u8.ToArray()),
            Is.EqualTo("""{"line":3,"reason":"missing field 'vrm'","raw":"{\"readId\":\"r-1\"}"}"""));

    [Test]
    public void A_topic_dead_letter_names_its_partition_and_offset()
        => Assert.That(Encode(new SourcePosition(2, 41), "unknown force 'gotham'", "x"u8.ToArray()),
            Is.EqualTo("""{"partition":2,"offset":41,"reason":"unknown force 'gotham'","raw":"x"}"""));

    [Test]
    public void Partition_zero_is_a_topic_position_not_a_line()
        => Assert.That(Encode(new SourcePosition(0, 0), "r", "x"u8.ToArray()), Is.EqualTo("""{"partition":0,"offset":0,"reason":"r","raw":"x"}"""));

    [Test]
    public void Positions_read_as_a_user_would_say_them()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SourcePosition.Line(7).ToString(), Is.EqualTo("line 7"));
            Assert.That(new SourcePosition(1, 99).ToString(), Is.EqualTo("partition 1 offset 99"));
            Assert.That(SourcePosition.Line(7).IsLine, Is.True);
            Assert.That(new SourcePosition(0, 7).IsLine, Is.False);
        });
    }

    [Test]
    public void Bytes_that_are_not_utf8_are_kept_whole_in_raw_base64()
    {
        // 7B FF 7D: "{", an invalid byte, "}". Base64 of 01111011 11111111 01111101 = 011110 111111 111101 111101 = "e/99".
        var json = Encode(SourcePosition.Line(1), "not UTF-8", [0x7B, 0xFF, 0x7D]);
        Assert.That(json, Is.EqualTo("{\"line\":1,\"reason\":\"not UTF-8\",\"raw\":\"{\uFFFD}\",\"rawBase64\":\"e/99\"}"));
    }

    [Test]
    public void Control_characters_in_raw_are_escaped_and_text_is_not()
    {
        var json = Encode(SourcePosition.Line(1), "r", Encoding.UTF8.GetBytes("a\u0001b\tc é"));
        Assert.That(json, Is.EqualTo("{\"line\":1,\"reason\":\"r\",\"raw\":\"a\\u0001b\\tc é\"}"));
    }

    [Test]
    public void An_empty_read_is_a_dead_letter_with_empty_raw_text()
        => Assert.That(Encode(SourcePosition.Line(5), "empty", []), Is.EqualTo("""{"line":5,"reason":"empty","raw":""}"""));

    [Test]
    public void A_read_of_exactly_64_kib_of_plain_text_is_kept_whole()
    {
        var raw = Enumerable.Repeat((byte)'a', 65_536).ToArray();
        var node = JsonNode.Parse(Encode(SourcePosition.Line(1), "too long", raw))!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(node["raw"]!.GetValue<string>(), Has.Length.EqualTo(65_536));
            Assert.That(node.ContainsKey("rawTruncated"), Is.False);
            Assert.That(node.ContainsKey("rawBytes"), Is.False);
        });
    }

    [Test]
    public void A_larger_read_is_cut_at_64_kib_and_identified_by_its_size_and_hash()
    {
        // 70,000 'a' bytes; sha256 worked out with `printf 'a%.0s' $(seq 1 70000) | sha256sum`.
        var raw = Enumerable.Repeat((byte)'a', 70_000).ToArray();
        var json = Encode(SourcePosition.Line(9), "too long", raw);
        Assert.That(json, Is.EqualTo(
            "{\"line\":9,\"reason\":\"too long\",\"rawBytes\":70000," +
            "\"rawSha256\":\"66915c0872933db504e7578828dd85b7e74a4e0a061f9756793b89c4151bd4b5\",\"rawTruncated\":true," +
            "\"raw\":\"" + new string('a', 65_536) + "\"}"));
    }

    [TestCase(65_536, (byte)'a', 65_536, TestName = "64 KiB of plain bytes cost one each: all kept")]
    [TestCase(65_537, (byte)'a', 65_536, TestName = "one plain byte over 64 KiB is cut")]
    [TestCase(40_000, (byte)'"', 32_768, TestName = "quotes cost two each: 32768 fit")]
    [TestCase(40_000, (byte)'\\', 32_768, TestName = "backslashes cost two each: 32768 fit")]
    [TestCase(40_000, (byte)'\n', 32_768, TestName = "newlines cost two each: 32768 fit")]
    [TestCase(20_000, (byte)0x01, 10_922, TestName = "control bytes cost six each: 10922 fit (10923 x 6 = 65538)")]
    [TestCase(20_000, (byte)0x7F, 10_922, TestName = "DEL costs six: 10922 fit")]
    [TestCase(30_000, (byte)0xFF, 21_845, TestName = "invalid bytes cost three each: 21845 fit (21846 x 3 = 65538)")]
    public void The_raw_bytes_kept_are_cut_where_their_escaped_form_reaches_64_kib(int length, byte value, int expected)
        => Assert.That(DeadLetterJson.KeptLength(Enumerable.Repeat(value, length).ToArray()), Is.EqualTo(expected));

    [Test]
    public void A_cut_never_splits_a_multi_byte_character()
    {
        // "é" is C3 A9; each byte is budgeted at 3, so 21845 bytes (65535) fit and byte 21845 (an A9, odd index)
        // overflows: the cut backs up to its lead byte at 21844, keeping 10922 whole characters.
        var raw = Encoding.UTF8.GetBytes(new string('é', 30_000));
        Assert.That(DeadLetterJson.KeptLength(raw), Is.EqualTo(21_844));
    }

    /// <summary>
    /// Found by an attack: 30,000 continuation bytes (0x80, never valid on their own) made the cut back up over all of
    /// them and keep nothing of the raw read. A UTF-8 sequence has at most three continuation bytes, so the cut backs up
    /// at most three: 21,845 fit (21,846 x 3 = 65,538), the cut lands at 21,845 and backs up to 21,842.
    /// </summary>
    [Test]
    public void A_long_run_of_stray_continuation_bytes_is_still_kept_up_to_the_limit()
        => Assert.That(DeadLetterJson.KeptLength(Enumerable.Repeat((byte)0x80, 30_000).ToArray()), Is.EqualTo(21_842));

    [Test]
    public void The_limit_is_64_kib()
        => Assert.That(DeadLetterJson.MaxRawBytes, Is.EqualTo(65_536));
}
