using AnprWatch.Storage;
using AnprWatch.Storage.Access;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Locations;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Notifications;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

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

        // Parsed once, when first resolved: a bad value throws InvalidInputException naming its key (exit 2). Commands
        // resolve AppServices before they do anything, and serve before its host starts, so nothing half-starts.
        services.AddSingleton(_ => AppOptions.Load(configuration));
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
