using AnprWatch.Core.Plates;
using FsCheck;
using FsCheck.Fluent;

namespace AnprWatch.Core.Tests.Plates;

public class OcrEquivalenceTests
{
    [TestCase("AB12CDE", "A812CDE")]
    [TestCase("AB12CDE", "AB1ZCDE")]
    [TestCase("OO00DDQ", "0000000")]
    [TestCase("S5G6", "5566")]
    public void Confusable_characters_share_a_key(string a, string b)
        => Assert.That(OcrEquivalence.Default.Key(a), Is.EqualTo(OcrEquivalence.Default.Key(b)));

    [TestCase("AB12CDE", "AB12CDF")]
    [TestCase("AB12CDE", "AB13CDE")]
    public void Other_characters_do_not(string a, string b)
        => Assert.That(OcrEquivalence.Default.Key(a), Is.Not.EqualTo(OcrEquivalence.Default.Key(b)));

    [Test]
    public void Custom_classes_replace_the_defaults()
    {
        var eq = OcrEquivalence.Create(["EF"]);
        Assert.Multiple(() =>
        {
            Assert.That(eq.Key("AB12CDE"), Is.EqualTo(eq.Key("AB12CDF")));
            Assert.That(eq.Key("AB12CDE"), Is.Not.EqualTo(eq.Key("A812CDE")));
        });
    }

    [Test]
    public void A_character_in_two_classes_is_refused()
        => Assert.Throws<ArgumentException>(() => OcrEquivalence.Create(["0O", "OD"]));

    [FsCheck.NUnit.Property(MaxTest = 1000)]
    public Property Key_is_idempotent(NonNull<string> raw)
    {
        var vrm = Vrm.Normalise(raw.Get);
        if (vrm is null)
        {
            return true.ToProperty();
        }

        var key = OcrEquivalence.Default.Key(vrm);
        return (OcrEquivalence.Default.Key(key) == key && key.Length == vrm.Length).ToProperty();
    }

    [FsCheck.NUnit.Property(MaxTest = 5000)]
    public Property Packed_keys_are_equal_exactly_when_keys_are_equal()
    {
        // Plates from a small alphabet rich in confusable characters, so equal keys are common.
        var plate = Gen.Choose(1, 10).SelectMany(n => Gen.Elements("0ODQ1I2Z5S8BAX".ToCharArray()).ArrayOf(n)).Select(c => new string(c));
        return Prop.ForAll(plate.ToArbitrary(), plate.ToArbitrary(), (a, b) =>
        {
            var equivalence = OcrEquivalence.Default;
            var keysEqual = equivalence.Key(a) == equivalence.Key(b);
            var packedEqual = equivalence.PackedKey(a) == equivalence.PackedKey(b);
            return keysEqual == packedEqual && equivalence.PackedKey(a) != 0;
        });
    }

    [TestCase("")]
    [TestCase("AB12 CDE")]
    [TestCase("ab12cde")]
    [TestCase("ABCDEFGHIJK")]
    public void Packed_key_is_zero_for_anything_but_a_normalised_vrm(string vrm)
        => Assert.That(OcrEquivalence.Default.PackedKey(vrm), Is.Zero);
}
