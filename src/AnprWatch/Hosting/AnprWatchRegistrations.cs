using AnprWatch.Storage;
using AnprWatch.Storage.Access;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Locations;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AnprWatch.Hosting;

/// <summary>
/// The registrations every command and <c>serve</c> resolve their services from: options, clock, store and its
/// stores. The CLI builds a provider from these alone; serve adds the worker and web on top (ServeCommand).
/// </summary>
public static class AnprWatchRegistrations
{
    public static IServiceCollection AddAnprWatchCore(this IServiceCollection services, IConfiguration configuration, TimeProvider clock)
    {
        services.AddSingleton(clock);

        // The Options pattern, with AppOptions.Load as the factory: it parses and checks every key more strictly than the
        // binder would (durations, risk lists, OCR classes), and a bad value throws InvalidInputException naming its key
        // (exit 2). ValidateOnStart makes any host built on these registrations fail at start rather than at first use;
        // the commands (serve included) also resolve the options before they do anything (CliApp.Guard), because serve
        // needs its listen addresses and limits before its host exists.
        services.AddSingleton<IOptionsFactory<AppOptions>>(_ => new LoadedOptionsFactory<AppOptions>(() => AppOptions.Load(configuration)));
        services.AddOptions<AppOptions>().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AppOptions>>().Value);
        services.AddSingleton(sp => new Database(sp.GetRequiredService<AppOptions>().Storage));
        services.AddSingleton<AuditLog>();
        services.AddSingleton<MarkerListStore>();
        services.AddSingleton(sp => new HitStore(sp.GetRequiredService<Database>()));
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<OutcomeStore>();
        services.AddSingleton<LocationListStore>();
        services.AddSingleton<OutboxStore>();
        services.AddSingleton<AppServices>();
        return services;
    }
}

/// <summary>Options made by a loader that reads and validates the configuration itself (see <see cref="AppOptions.Load"/>).</summary>
internal sealed class LoadedOptionsFactory<T>(Func<T> load) : IOptionsFactory<T>
    where T : class
{
    public T Create(string name) => load();
}
