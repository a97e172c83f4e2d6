using AnprWatch.Core.Plates;

namespace AnprWatch.Core.Tests.Plates;

public class PlateFormatTests
{
    [TestCase("AB12CDE", PlateFormat.Current)]
    [TestCase("A123BCD", PlateFormat.Prefix)]
    [TestCase("A1BCD", PlateFormat.Prefix)]
    [TestCase("ABC123D", PlateFormat.Suffix)]
    [TestCase("ABZ1234", PlateFormat.NorthernIreland)]
    [TestCase("IA123", PlateFormat.NorthernIreland)]
    [TestCase("ABC123", PlateFormat.Dateless)]
    [TestCase("1234AB", PlateFormat.Dateless)]
    [TestCase("SAFE11", PlateFormat.Unknown)]
    [TestCase("W0RDS8", PlateFormat.Unknown)]
    [TestCase("12345678", PlateFormat.Unknown)]
    public void Classifies_gb_formats_and_labels_the_rest_unknown(string vrm, PlateFormat expected)
        => Assert.That(PlateFormats.Classify(vrm), Is.EqualTo(expected));

    [Test]
    public void Labels_are_the_contract_words()
        => Assert.That(Enum.GetValues<PlateFormat>().Select(f => f.Label()), Is.EquivalentTo(new[] { "unknown", "current", "prefix", "suffix", "dateless", "northern-ireland" }));
}
