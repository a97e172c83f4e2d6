using AnprWatch.Core.Plates;
using FsCheck;
using FsCheck.Fluent;

namespace AnprWatch.Core.Tests.Plates;

public class VrmTests
{
    [TestCase("AB12CDE", "AB12CDE")]
    [TestCase("ab12 cde", "AB12CDE")]
    [TestCase(" AB-12.CDE ", "AB12CDE")]
    [TestCase("a", "A")]
    [TestCase("ABCDEFGHIJ", "ABCDEFGHIJ")]
    [TestCase("AB\u00B712\u00A0CDE", "AB12CDE")] // middle dot and no-break space are layout, not letters
    public void Normalises_to_upper_case_letters_and_digits(string raw, string expected)
        => Assert.That(Vrm.Normalise(raw), Is.EqualTo(expected));

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("!!!")]
    [TestCase("ABCDEFGHIJK")]
    [TestCase("ÉÈ")]
    [TestCase("É AB12CDE")] // a look-alike letter is refused, never stripped (stripping gives a different plate)
    [TestCase("\u0410B12CDE")]
    [TestCase("\U0001D40FO15NED")] // mathematical bold P, a surrogate pair
    [TestCase("P\u24C415NED")] // circled O
    [TestCase("PO15NE\u0301D")] // a combining acute accent
    [TestCase("PO15NED\uD800")] // an unpaired surrogate
    [TestCase("AB12\u0000CDE")] // a NUL inside: refused, not stripped
    [TestCase("AB12\u0007CDE")] // BEL
    [TestCase("AB12\tCDE")] // a tab is not a camera's spacing
    [TestCase("AB12\u007FCDE")] // DEL
    public void Rejects_values_that_are_not_1_to_10_characters_after_normalising(string raw)
        => Assert.That(Vrm.Normalise(raw), Is.Null);

    [Test]
    public void The_utf8_hot_path_defers_any_non_ascii_plate_to_the_utf16_overload_which_alone_tells_letters_from_layout()
    {
        var a = new char[10];
        var b = new char[10];
        Assert.Multiple(() =>
        {
            Assert.That(Vrm.TryNormalise("ab·12 de", a, out var la) && new string(a, 0, la) == "AB12DE", Is.True);
            Assert.That(Vrm.TryNormalise(System.Text.Encoding.UTF8.GetBytes("ab·12 de"), b, out _), Is.False);
            Assert.That(Vrm.TryNormalise("ab12 çde", a, out _), Is.False);
            Assert.That(Vrm.TryNormalise("ab-12 cde"u8, b, out var lb) && new string(b, 0, lb) == "AB12CDE", Is.True);
        });
    }

    [FsCheck.NUnit.Property(MaxTest = 2000)]
    public Property Utf8_and_utf16_agree_wherever_the_utf8_overload_accepts(string raw)
    {
        var text = raw ?? "";
        var a = new char[10];
        var b = new char[10];
        var okBytes = Vrm.TryNormalise(System.Text.Encoding.UTF8.GetBytes(text), b, out var lb);
        var okChars = Vrm.TryNormalise(text, a, out var la);
        return (!okBytes || (okChars && new string(a, 0, la) == new string(b, 0, lb))).ToProperty();
    }

    [FsCheck.NUnit.Property(MaxTest = 2000)]
    public Property Normalised_output_is_idempotent_and_only_a_to_z_0_to_9(string raw)
    {
        var once = Vrm.Normalise(raw);
        return (once is null || (once.Length is >= 1 and <= 10 && once.All(c => c is >= 'A' and <= 'Z' or >= '0' and <= '9') && Vrm.Normalise(once) == once))
            .ToProperty();
    }

    [FsCheck.NUnit.Property(MaxTest = 2000)]
    public Property Separators_never_change_the_result(NonNull<string> raw)
    {
        var spaced = string.Join(" - ", raw.Get.ToCharArray());
        return (raw.Get.Length > Vrm.MaxRawLength || Vrm.Normalise(raw.Get) == Vrm.Normalise(spaced) || spaced.Length > Vrm.MaxRawLength).ToProperty();
    }

    [Test]
    public void Redaction_keeps_only_two_characters()
        => Assert.That(Vrm.Redact("AB12CDE"), Is.EqualTo("AB*****"));
}
