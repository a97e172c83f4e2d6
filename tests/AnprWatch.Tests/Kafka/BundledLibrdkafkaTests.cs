using AnprWatch.Kafka;
using Confluent.Kafka;

namespace AnprWatch.Tests.Kafka;

/// <summary>
/// The client must run on the librdkafka bundled with Confluent.Kafka: this machine has Debian's 2.0.2 installed
/// (librdkafka-dev), which .NET would otherwise load and which lacks functions the 2.16 client calls.
/// </summary>
public class BundledLibrdkafkaTests
{
    private static readonly Version Minimum = new(2, 16);

    [Test]
    public void The_loaded_librdkafka_is_the_bundled_one_and_at_least_2_16()
    {
        BundledLibrdkafka.Pin();

        var loaded = ParseVersion(Library.VersionString);

        Assert.That(loaded, Is.GreaterThanOrEqualTo(Minimum), $"librdkafka {Library.VersionString} from {BundledLibrdkafka.LoadedPath}");
        Assert.That(BundledLibrdkafka.LoadedPath, Does.StartWith(AppContext.BaseDirectory), "loaded from outside the application");
    }

    [Test]
    public void Pinning_again_is_harmless()
    {
        // Several entry points may pin (serve, the benchmark, tests); the runtime allows one resolver per assembly.
        BundledLibrdkafka.Pin();
        Assert.DoesNotThrow(BundledLibrdkafka.Pin);
    }

    [TestCase("2.16.0", "2.16.0")]
    [TestCase("2.16.0-RC1", "2.16.0")]
    [TestCase("10.2", "10.2")]
    public void Version_strings_parse_by_their_leading_numbers(string text, string expected)
        => Assert.That(ParseVersion(text), Is.EqualTo(Version.Parse(expected)));

    /// <summary>"2.16.0" or "2.16.0-RC1" → 2.16.0: librdkafka appends pre-release tags to its version string.</summary>
    private static Version ParseVersion(string text)
    {
        var numeric = new string([.. text.TakeWhile(c => char.IsAsciiDigit(c) || c == '.')]).TrimEnd('.');
        return Version.Parse(numeric);
    }
}

/// <summary>Producers must key reads by the canonical force code; anything else is counted (README "Keying").</summary>
public class ForceKeyCheckTests
{
    [TestCase("wiltshire", true)]
    [TestCase("avon-and-somerset", true)]
    [TestCase("Wiltshire", false)]
    [TestCase("WILTSHIRE", false)]
    [TestCase("wiltshire ", false)]
    [TestCase(" wiltshire", false)]
    [TestCase("atlantis", false)]
    [TestCase("", false)]
    [TestCase("wiltshir\u00e9", false)]
    public void A_key_counts_as_canonical_only_when_it_is_a_force_code_exactly(string key, bool canonical)
        => Assert.That(new AnprWatch.Kafka.ForceKeyCheck().Deserialize(System.Text.Encoding.UTF8.GetBytes(key), false, default), Is.EqualTo(canonical));

    [Test]
    public void A_missing_key_is_not_canonical()
        => Assert.That(new AnprWatch.Kafka.ForceKeyCheck().Deserialize([], true, default), Is.False);
}
