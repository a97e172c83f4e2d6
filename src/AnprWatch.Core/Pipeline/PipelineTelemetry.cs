using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AnprWatch.Core.Pipeline;

/// <summary>
/// The one place AnprWatch's metrics and traces are defined (meter and activity source "AnprWatch"). Instruments
/// carry counts, durations and force codes only: never a plate, a read id or a suspect reference.
/// </summary>
public static class PipelineTelemetry
{
    public const string Name = "AnprWatch";

    public static readonly Meter Meter = new(Name, "1.0");
    public static readonly ActivitySource Source = new(Name, "1.0");

    public static readonly Counter<long> Reads = Meter.CreateCounter<long>("anprwatch.reads", "{read}", "Reads decoded and matched.");
    public static readonly Counter<long> Hits = Meter.CreateCounter<long>("anprwatch.hits", "{hit}", "Hits stored, by camera force.");
    public static readonly Counter<long> Alerts = Meter.CreateCounter<long>("anprwatch.alerts", "{alert}", "Hits alerted (each is published once per routed force).");
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("anprwatch.dead_letters", "{read}", "Reads rejected to the dead-letter sink.");
    public static readonly Counter<long> InternalErrors = Meter.CreateCounter<long>("anprwatch.internal_errors", "{read}", "Reads dead-lettered because a stage threw unexpectedly, by stage.");
    public static readonly Counter<long> ReusedReadIds = Meter.CreateCounter<long>("anprwatch.reads.reused_ids", "{read}", "Reads dead-lettered because their readId was already used for a different sighting of the same marker.");
    public static readonly Counter<long> NonCanonicalKeys = Meter.CreateCounter<long>("anprwatch.reads.noncanonical_keys", "{message}", "Kafka reads whose key is not a canonical (lower-case) force code: suppression order is at risk.");
    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>("anprwatch.batch.duration", "ms", "Time to process one batch, store included.");
    public static readonly Histogram<double> DecisionLatency = Meter.CreateHistogram<double>("anprwatch.hit.decision_latency", "ms", "From a hit's observedAt to its decision (live mode).");
}
