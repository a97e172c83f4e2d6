using AnprWatch.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AnprWatch.Cli;

/// <summary>
/// What every command receives: its writers, the clock, and the services of its configuration, resolved on first use
/// from the registrations serve uses too (<see cref="AnprWatchRegistrations.AddAnprWatchCore"/>).
/// </summary>
public sealed class CliContext(TextWriter output, TextWriter error, TimeProvider clock, Func<IConfigurationRoot> configuration)
{
    private ServiceProvider? _provider;
    private IConfigurationRoot? _configuration;

    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;
    public TimeProvider Clock { get; } = clock;

    public IConfigurationRoot Configuration => _configuration ??= configuration();

    /// <summary>The command's service provider: options, clock and stores.</summary>
    public IServiceProvider Provider => _provider ??= new ServiceCollection().AddAnprWatchCore(Configuration, Clock).BuildServiceProvider();

    public AppServices Services => Provider.GetRequiredService<AppServices>();

    /// <summary>The services with their schema in place.</summary>
    public async Task<AppServices> StoreAsync(CancellationToken cancellationToken)
    {
        await Services.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return Services;
    }

    public static string DefaultUser => Environment.UserName is { Length: > 0 } name ? name : "unknown";
}
