using AnprWatch.Core.Hits;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;
using AnprWatch.Storage;
using AnprWatch.Storage.Access;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Locations;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Migrations;
using Microsoft.Extensions.Configuration;

namespace AnprWatch.Hosting;

/// <summary>The one place the executable wires configuration, clock and stores together for a command.</summary>
public sealed class AppServices
{
    private AppServices(AppOptions options, TimeProvider clock)
    {
        Options = options;
        Clock = clock;
        Database = new Database(options.Storage);
        Audit = new AuditLog(Database);
        Markers = new MarkerListStore(Database, Audit, clock);
        Hits = new HitStore(Database);
        Keys = new ApiKeyStore(Database, Audit, clock);
        Outcomes = new OutcomeStore(Database, Audit, clock);
        Locations = new LocationListStore(Database, Audit, clock);
    }

    public AppOptions Options { get; }
    public TimeProvider Clock { get; }
    public Database Database { get; }
    public AuditLog Audit { get; }
    public MarkerListStore Markers { get; }
    public HitStore Hits { get; }
    public ApiKeyStore Keys { get; }
    public OutcomeStore Outcomes { get; }
    public LocationListStore Locations { get; }

    public static AppServices Create(IConfiguration configuration, TimeProvider clock) => new(AppOptions.Load(configuration), clock);

    /// <summary>
    /// Before any command or serve touches the store: it exists and its schema is the one this build needs, or a
    /// <see cref="StoreNotReadyException"/> says to run `anprwatch db migrate`. No DDL runs here (serve's login may
    /// be least-privilege) unless Storage:CreateIfMissing is set, for demos and throw-away stores.
    /// </summary>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken)
        => new MigrationRunner(Database, Clock).EnsureReadyAsync(Options.Storage.CreateIfMissing, cancellationToken);

    public async Task<MarkerIndex> BuildIndexAsync(CancellationToken cancellationToken)
    {
        // Streamed row by row into the builder: a million-marker list is never held twice.
        var generation = await Markers.GetGenerationAsync(cancellationToken).ConfigureAwait(false);
        var builder = new MarkerIndex.Builder(Options.Equivalence, Options.Matching.MaxOcrSubstitutions);
        await foreach (var marker in Markers.StreamActiveMarkersAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            builder.Add(marker);
        }

        return builder.Build(generation);
    }

    /// <summary>Every force's active flagged locations whose risk level alerts (DESIGN §8): a vehicle can be seen anywhere.</summary>
    public async Task<LocationIndex> BuildLocationIndexAsync(CancellationToken cancellationToken)
    {
        var generation = await Locations.GetGenerationAsync(cancellationToken).ConfigureAwait(false);
        var active = await Locations.GetActiveAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        return LocationIndex.Build(active, [.. Options.Alerting.RiskLevels], generation);
    }

    public HitPolicy Policy => new(Options.Alerting);

    public AlertGate Gate => new(Options.Alerting);

    /// <summary>A fresh possible-clone detector: one per pipeline (its memory is that pipeline's sightings).</summary>
    public Core.Hits.Clones.CloneDetector NewCloneDetector() => new(Options.Matching.Clones);
}
