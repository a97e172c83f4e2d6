using AnprWatch.Cli;
using AnprWatch.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AnprWatch.Tests.Operations;

/// <summary>
/// The options are validated when a host starts (ValidateOnStart), not when some service first needs them: a host
/// built on the app's registrations with a bad value never starts, and the error names the key.
/// </summary>
public class OptionsOnStartTests
{
    [Test]
    public void A_host_on_the_app_registrations_refuses_to_start_with_a_bad_value_and_names_its_key()
    {
        using var host = HostWith(new() { ["Alerting:RepeatWindow"] = "soon" });
        Assert.That(async () => await host.StartAsync(),
            Throws.InstanceOf<InvalidInputException>().With.Message.EqualTo("configuration Alerting:RepeatWindow: 'soon' is not a positive duration (hh:mm:ss)"));
    }

    [Test]
    public async Task A_host_with_good_values_starts_and_serves_the_options_it_read()
    {
        using var host = HostWith(new() { ["Alerting:RepeatWindow"] = "00:20:00" });
        await host.StartAsync();
        Assert.That(host.Services.GetRequiredService<AppOptions>().Alerting.RepeatWindow, Is.EqualTo(TimeSpan.FromMinutes(20)));
        await host.StopAsync();
    }

    private static IHost HostWith(Dictionary<string, string?> values)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddAnprWatchCore(builder.Configuration, TimeProvider.System);
        return builder.Build();
    }
}
