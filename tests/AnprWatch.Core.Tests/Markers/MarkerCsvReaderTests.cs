using System.Text;
using AnprWatch.Core.Markers;
using static AnprWatch.Core.Tests.TestData;

namespace AnprWatch.Core.Tests.Markers;

public class MarkerCsvReaderTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    private static MarkerCsvResult Read(string csv) => MarkerCsvReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(csv)), Avon, Today);

    private static MarkerCsvResult ReadBytes(byte[] bytes) => MarkerCsvReader.Read(new MemoryStream(bytes), Avon, Today);

    [Test]
    public void A_valid_file_loads_every_row_with_normalised_values()
    {
        var result = Read(Csv(Header,
            "ab12 cde,SR-1,high,Avon-and-Somerset,2027-01-01,,RAILCAR,\"Stop, search\",\"RIU, 0117\",",
            "XY34ZZZ,SR-2,MEDIUM,avon-and-somerset,2027-02-01,2027-06-30,,,,act"));
        Assert.That(result.Errors, Is.Empty);
        var first = result.Markers[0];
        Assert.Multiple(() =>
        {
            Assert.That(result.Markers, Has.Count.EqualTo(2));
            Assert.That(first.Vrm, Is.EqualTo("AB12CDE"));
            Assert.That(first.Risk, Is.EqualTo(RiskLevel.High));
            Assert.That(first.HostForce.Code, Is.EqualTo("avon-and-somerset"));
            Assert.That(first.Action, Is.EqualTo("Stop, search"));
            Assert.That(first.MarkerType, Is.EqualTo("ACT"));
            Assert.That(result.Markers[1].Expires, Is.EqualTo(new DateOnly(2027, 6, 30)));
        });
    }

    [Test]
    public void Column_order_is_free_and_optional_columns_may_be_absent()
    {
        var result = Read(Csv("review_due,host_force,risk_level,suspect_ref,vrm", "2027-01-01,avon-and-somerset,HIGH,SR-1,AB12CDE"));
        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Markers.Single().SuspectRef, Is.EqualTo("SR-1"));
    }

    [Test]
    public void Every_error_is_reported_with_its_line_not_just_the_first()
    {
        var result = Read(Csv(Header,
            "AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,,,",
            "!!!,SR-2,HIGH,avon-and-somerset,2027-01-01,,,,,",
            "CD34EFG,SR-3,EXTREME,avon-and-somerset,2027-01-01,,,,,",
            "EF56GHI,SR-4,HIGH,atlantis,2027-01-01,,,,,",
            "GH78IJK,SR-5,HIGH,wiltshire,2027-01-01,,,,,",
            "IJ90KLM,SR-6,HIGH,avon-and-somerset,01/02/2027,,,,,",
            "KL12MNO,,HIGH,avon-and-somerset,2027-01-01,,,,,",
            "ab12cde,SR-1,MEDIUM,avon-and-somerset,2027-01-01,,,,,",
            "MN34OPQ,SR-9,HIGH,avon-and-somerset,2027-01-01,,,,,,extra",
            $"OP56QRS,{new string('x', 65)},HIGH,avon-and-somerset,2027-01-01,,,,,",
            "QR78STU,SR-11,HIGH,avon-and-somerset,2027-01-01,2027-13-01,,,,"));
        var byLine = result.Errors.ToDictionary(e => e.Line, e => e.Message);
        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.False);
            Assert.That(byLine.Keys, Is.EquivalentTo(new[] { 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 }));
            Assert.That(byLine[3], Does.Contain("not a valid VRM"));
            Assert.That(byLine[4], Does.Contain("risk_level 'EXTREME'"));
            Assert.That(byLine[5], Does.Contain("not a known force"));
            Assert.That(byLine[6], Does.Contain("not the force being loaded"));
            Assert.That(byLine[7], Does.Contain("review_due '01/02/2027' is not a date"));
            Assert.That(byLine[8], Does.Contain("missing required value 'suspect_ref'"));
            Assert.That(byLine[9], Does.Contain("duplicate of line 2"));
            Assert.That(byLine[10], Does.Contain("11 fields"));
            Assert.That(byLine[11], Does.Contain("suspect_ref is longer than 64"));
            Assert.That(byLine[12], Does.Contain("expires '2027-13-01'"));
        });
    }

    [Test]
    public void Several_errors_on_one_line_are_all_reported()
    {
        var result = Read(Csv(Header, "!!!,,EXTREME,atlantis,soon,,,,,"));
        Assert.That(result.Errors.Select(e => e.Line), Is.All.EqualTo(2));
        Assert.That(result.Errors, Has.Count.EqualTo(5));
    }

    // Look-alikes: Cyrillic А (U+0410) and Latin É would otherwise be stripped, turning AB12CDE into B12CDE.
    [TestCase("\u0410B12CDE", "'\u0410' (U+0410)")]
    [TestCase("AB12CD\u00C9", "'\u00C9' (U+00C9)")]
    [TestCase("AB12CDE\uFF11", "(U+FF11)")]
    public void A_vrm_with_a_look_alike_letter_is_a_line_error_naming_the_character(string vrm, string named)
    {
        var result = Read(Csv(Header, $"{vrm},SR-1,HIGH,avon-and-somerset,2027-01-01,,,,,"));
        Assert.That(result.Errors, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(result.Errors[0].Line, Is.EqualTo(2));
            Assert.That(result.Errors[0].Message, Does.Contain(named).And.Contain("look-alike"));
        });
    }

    [TestCase("AB12CDE,SR\u00001,HIGH,avon-and-somerset,2027-01-01,,,,,", "suspect_ref holds a control character (U+0000)")]
    [TestCase("AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,stop\u001B[2Jnow,,", "action holds a control character (U+001B)")]
    [TestCase("AB12\u0007CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,,,", "vrm holds a control character (U+0007)")]
    public void A_control_character_in_any_field_is_a_line_error_naming_it(string row, string message)
    {
        var result = Read(Csv(Header, row));
        Assert.That(result.Errors.Select(e => (e.Line, e.Message)), Has.Some.Matches<(int Line, string Message)>(e => e.Line == 2 && e.Message.Contains(message, StringComparison.Ordinal)),
            string.Join("; ", result.Errors.Select(e => e.Message)));
    }

    [TestCase("vrm,suspect_ref,risk_level,host_force", "missing required column 'review_due'")]
    [TestCase("vrm,suspect_ref,risk_level,host_force,review_due,colour", "unknown column 'colour'")]
    [TestCase("vrm,vrm,suspect_ref,risk_level,host_force,review_due", "appears twice")]
    public void Header_problems_are_errors_on_line_1(string header, string message)
    {
        var result = Read(Csv(header, "AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01"));
        Assert.That(result.Errors.First().Line, Is.EqualTo(1));
        Assert.That(result.Errors.Select(e => e.Message), Has.Some.Contains(message));
    }

    [Test]
    public void An_empty_file_and_a_header_only_file_are_refused()
    {
        Assert.That(Read("").Errors.Single().Message, Does.Contain("empty"));
        Assert.That(Read(Header + "\n").Errors.Single().Message, Does.Contain("no marker rows"));
    }

    [Test]
    public void Bom_crlf_and_quoted_newlines_are_handled_and_lines_counted_physically()
    {
        var csv = "\uFEFF" + Header + "\r\n" +
                  "AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,\"line one\r\nline two\",,\r\n" +
                  "!!!,SR-2,HIGH,avon-and-somerset,2027-01-01,,,,,\r\n";
        var result = Read(csv);
        Assert.Multiple(() =>
        {
            Assert.That(result.Markers.Single().Action, Is.EqualTo("line one\r\nline two"));
            Assert.That(result.Errors.Single().Line, Is.EqualTo(4));
        });
    }

    [Test]
    public void Invalid_utf8_is_refused()
    {
        var bytes = Encoding.UTF8.GetBytes(Csv(Header, "AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,Caf\u00e9,,")).ToList();
        var at = bytes.IndexOf(0xC3);
        bytes[at] = 0xE9; // Windows-1252 é
        bytes.RemoveAt(at + 1);
        var result = ReadBytes(bytes.ToArray());
        Assert.That(result.Errors.Single().Message, Does.Contain("not valid UTF-8"));
    }

    [TestCase("=HYPERLINK(\"http://x\")")]
    [TestCase("@SUM(A1)")]
    public void Formula_looking_cells_are_refused(string cell)
    {
        var result = Read(Csv(Header, $"AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,\"{cell.Replace("\"", "\"\"", StringComparison.Ordinal)}\",,"));
        Assert.That(result.Errors.Single().Message, Does.Contain("spreadsheet formula"));
    }

    [Test]
    public void A_phone_number_with_a_plus_is_not_a_formula()
        => Assert.That(Read(Csv(Header, "AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,,+44 117 000,")).Errors, Is.Empty);

    [Test]
    public void Unclosed_quotes_and_stray_quotes_are_errors()
    {
        Assert.That(Read(Csv(Header, "AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,\"never closed,,")).Errors.Single().Message, Does.Contain("never closed"));
        Assert.That(Read(Csv(Header, "AB12CDE,SR\"1,HIGH,avon-and-somerset,2027-01-01,,,,,")).Errors.Single().Message, Does.Contain("quote"));
    }

    [Test]
    public void Warnings_do_not_stop_the_load()
    {
        var result = Read(Csv(Header,
            "AB12CDE,SR-1,HIGH,avon-and-somerset,2026-01-01,,,,,",
            "CD34EFG,SR-2,HIGH,avon-and-somerset,2027-01-01,2026-02-01,,,,",
            "EF56GHI,SR-3,LOW,avon-and-somerset,2027-01-01,,,,,",
            "SAFE11,SR-4,HIGH,avon-and-somerset,2027-01-01,,,,,"));
        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.True);
            Assert.That(result.Markers, Has.Count.EqualTo(4));
            Assert.That(result.Warnings.Select(w => w.Line), Is.EqualTo(new[] { 2, 3, 4, 5 }));
            Assert.That(result.Warnings[0].Message, Does.Contain("review_due"));
            Assert.That(result.Warnings[1].Message, Does.Contain("expires"));
            Assert.That(result.Warnings[2].Message, Does.Contain("LOW"));
            Assert.That(result.Warnings[3].Message, Does.Contain("no recognised GB format"));
        });
    }

    [Test]
    public void Oversized_fields_are_errors_and_do_not_exhaust_memory()
    {
        var result = Read(Csv(Header, $"AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,{new string('a', 100_000)},,"));
        Assert.That(result.Errors.Single().Message, Does.Contain("longer than"));
    }

    [Test]
    public void Blank_lines_are_skipped()
        => Assert.That(Read(Csv(Header, "", "AB12CDE,SR-1,HIGH,avon-and-somerset,2027-01-01,,,,,", "")).Markers, Has.Count.EqualTo(1));
}
