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
using Microsoft.Extensions.DependencyInjection;

namespace AnprWatch.Hosting;

/// <summary>
/// What a command needs from the store, resolved from the registrations every command and serve share
/// (<see cref="AnprWatchRegistrations.AddAnprWatchCore"/>): options, clock and stores, and the builders of the
/// indexes and policies they feed.
/// </summary>
public sealed class AppServices(
    AppOptions options, TimeProvider clock, Database database, AuditLog audit, MarkerListStore markers, HitStore hits,
    ApiKeyStore keys, OutcomeStore outcomes, LocationListStore locations)
{
    public AppOptions Options { get; } = options;
    public TimeProvider Clock { get; } = clock;
    public Database Database { get; } = database;
    public AuditLog Audit { get; } = audit;
    public MarkerListStore Markers { get; } = markers;
    public HitStore Hits { get; } = hits;
    public ApiKeyStore Keys { get; } = keys;
    public OutcomeStore Outcomes { get; } = outcomes;
    public LocationListStore Locations { get; } = locations;

    /// <summary>The services of <paramref name="configuration"/> on their own (a command, or a test standing in for one).</summary>
    public static AppServices Create(IConfiguration configuration, TimeProvider clock)
        => new ServiceCollection().AddAnprWatchCore(configuration, clock).BuildServiceProvider().GetRequiredService<AppServices>();

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

    /// <summary>
    /// The retention purge's cut on a UK day (DESIGN §5): hits read before the start of the UK day Retention:HitDays
    /// back are purged. One computation for the purge command, serve's daily purge and the store guard, which must
    /// agree on which hits may be gone.
    /// </summary>
    public DateTimeOffset HitRetentionCut(DateOnly ukToday) => Core.Time.UkTime.StartOfDay(ukToday.AddDays(-Options.RetentionHitDays));

    public HitPolicy Policy => new(Options.Alerting);

    public AlertGate Gate => new(Options.Alerting);

    /// <summary>
    /// The read pipeline, built here for serve's sources and replay alike: the same policy, gate, read window and
    /// clock from the same options; only what differs (mode, store wrapper, sinks) is the caller's.
    /// </summary>
    public Core.Pipeline.ReadPipeline NewPipeline(
        Core.Pipeline.PipelineMode mode, MarkerIndexHolder markers, LocationIndexHolder locations, Core.Pipeline.IHitStore store,
        Core.Pipeline.IAlertSink alerts, Core.Pipeline.IDeadLetterSink deadLetters, Core.Pipeline.PipelineStats stats,
        Core.Hits.Clones.CloneDetector clones, Microsoft.Extensions.Logging.ILogger? logger = null)
        => new(markers, Policy, Gate, store, alerts, deadLetters, Clock, mode, stats, Options.ReadWindow, logger, locations, clones);

    /// <summary>A fresh possible-clone detector: one per pipeline (its memory is that pipeline's sightings).</summary>
    public Core.Hits.Clones.CloneDetector NewCloneDetector() => new(Options.Matching.Clones);
}
