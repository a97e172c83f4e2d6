using AnprWatch.Hosting;
using Microsoft.Extensions.Configuration;

namespace AnprWatch.Cli;

/// <summary>What every command receives: its writers, the clock, and the configured services (built on first use).</summary>
public sealed class CliContext(TextWriter output, TextWriter error, TimeProvider clock, Func<IConfigurationRoot> configuration)
{
    private AppServices? _services;
    private IConfigurationRoot? _configuration;

    public TextWriter Out { get; } = output;
    public TextWriter Err { get; } = error;
    public TimeProvider Clock { get; } = clock;

    public IConfigurationRoot Configuration => _configuration ??= configuration();

    public AppServices Services => _services ??= AppServices.Create(Configuration, Clock);

    /// <summary>The services with their schema in place.</summary>
    public async Task<AppServices> StoreAsync(CancellationToken cancellationToken)
    {
        await Services.EnsureSchemaAsync(cancellationToken).ConfigureAwait(false);
        return Services;
    }

    public static string DefaultUser => Environment.UserName is { Length: > 0 } name ? name : "unknown";
}
