using AnprWatch.Board;
using AnprWatch.Cli;
using Microsoft.Extensions.Configuration;

namespace AnprWatch.Tests.Web;

/// <summary><c>Board:ImageHosts</c> and <c>Board:ChangePoll</c>: what start-up accepts, and the key named when it refuses.</summary>
public class BoardOptionsTests
{
    private static BoardOptions Load(params (string Key, string Value)[] values)
        => BoardOptions.Load(new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build());

    [Test]
    public void Image_hosts_are_origins_as_the_browser_compares_them_and_the_csp_lists_exactly_them()
    {
        var options = Load(("Board:ImageHosts", " https://IMG.Example.org:443 , http://127.0.0.1:8080,https://img.example.org/ "));
        Assert.That(options.ImageHosts, Is.EqualTo(new[] { "https://img.example.org", "http://127.0.0.1:8080" }));
        Assert.That(options.ImageSources, Is.EqualTo("https://img.example.org http://127.0.0.1:8080"));
        Assert.That(options.ChangePoll, Is.EqualTo(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public void No_image_hosts_means_no_images_at_all()
    {
        var options = Load();
        Assert.That(options.ImageHosts, Is.Empty);
        Assert.That(options.ImageSources, Is.EqualTo("'none'"));
    }

    [TestCase("https://img.example.org/plates")]
    [TestCase("https://*.example.org")]
    [TestCase("img.example.org")]
    [TestCase("ftp://img.example.org")]
    [TestCase("https://img.example.org?x=1")]
    [TestCase("https://user@img.example.org")]
    public void A_value_that_is_not_an_origin_stops_start_up_naming_the_key_and_the_value(string value)
    {
        var error = Assert.Throws<InvalidInputException>(() => Load(("Board:ImageHosts", "https://ok.example.org," + value)))!;
        Assert.That(error.Message, Does.StartWith($"configuration Board:ImageHosts: '{value}' is not an origin"));
    }

    [Test]
    public void A_change_poll_that_is_not_a_positive_time_span_is_refused_naming_the_key()
    {
        Assert.That(Load(("Board:ChangePoll", "00:00:00.500")).ChangePoll, Is.EqualTo(TimeSpan.FromMilliseconds(500)));
        Assert.That(() => Load(("Board:ChangePoll", "0")), Throws.TypeOf<InvalidInputException>().With.Message.Contains("Board:ChangePoll"));
    }
}
