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
    [TestCase("É AB12CDE", "AB12CDE")]
    public void Normalises_to_upper_case_letters_and_digits(string raw, string expected)
        => Assert.That(Vrm.Normalise(raw), Is.EqualTo(expected));

    [TestCase("")]
    [TestCase("   ")]
    [TestCase("!!!")]
    [TestCase("ABCDEFGHIJK")]
    [TestCase("ÉÈ")]
    public void Rejects_values_that_are_not_1_to_10_characters_after_normalising(string raw)
        => Assert.That(Vrm.Normalise(raw), Is.Null);

    [Test]
    public void Utf8_and_utf16_normalisation_agree_on_non_ascii_input()
    {
        const string raw = "ab·12 çde";
        Span<char> a = stackalloc char[10];
        Span<char> b = stackalloc char[10];
        Assert.That(Vrm.TryNormalise(raw, a, out var la), Is.True);
        Assert.That(Vrm.TryNormalise(System.Text.Encoding.UTF8.GetBytes(raw), b, out var lb), Is.True);
        Assert.That(new string(b[..lb]), Is.EqualTo(new string(a[..la])).And.EqualTo("AB12DE"));
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
