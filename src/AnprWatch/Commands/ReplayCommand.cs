using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using AnprWatch.Sinks;
using AnprWatch.Sources;
using AnprWatch.Worker;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;

namespace AnprWatch.Commands;

public static class ReplayCommand
{
    public static Command Build(CliContext context)
    {
        var file = new Argument<FileInfo>("reads") { Description = "Plate reads, one JSON object per line (.jsonl)." };
        var alerts = new Option<FileInfo>("--alerts") { Description = "Where to write alerts as JSON lines (default: <reads>.alerts.jsonl beside the input)." };
        var command = new Command("replay", "Push a reads file through the full pipeline (each read live at its own observedAt), print a summary.")
        {
            file, alerts,
        };

        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var input = Arguments.ExistingFile(parse.GetValue(file), "reads file");
            var alertsPath = parse.GetValue(alerts)?.FullName ?? StemPath(input.FullName, ".alerts.jsonl");
            var services = await context.StoreAsync(ct).ConfigureAwait(false);

            var holder = new MarkerIndexHolder();
            holder.Swap(await services.BuildIndexAsync(ct).ConfigureAwait(false), context.Clock.GetUtcNow());

            var locations = new Core.Locations.LocationIndexHolder();
            locations.Swap(await services.BuildLocationIndexAsync(ct).ConfigureAwait(false));

            var stats = new PipelineStats();
            await using var source = new JsonLinesReadSource(input.FullName);
            await using var deadLetters = new JsonLinesDeadLetterSink(JsonLinesDeadLetterSink.PathFor(input.FullName));
            await using var alertSink = new JsonLinesAlertSink(alertsPath);
            var pipeline = services.NewPipeline(PipelineMode.Replay, holder, locations, services.Hits, alertSink, deadLetters, stats, services.NewCloneDetector());
            // The same containment as serve: a read the store refuses is isolated and dead-lettered, never a stack trace.
            // Warnings (a locked or full store being retried, a read isolated) go to stderr, so a paused replay says why.
            using var logging = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true)
                .AddFilter(level => level >= LogLevel.Warning)
                .Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
            var logger = logging.CreateLogger("replay");
            var runner = new BatchRunner(pipeline, deadLetters, StoreResilience.Create(logger), logger);

            var started = context.Clock.GetTimestamp();
            await Progress.RunAsync("replaying", source.Length, async report =>
            {
                while (await source.NextBatchAsync(ct).ConfigureAwait(false) is { } batch)
                {
                    await runner.RunAsync(batch, ct).ConfigureAwait(false);
                    await source.CompleteAsync(batch, ct).ConfigureAwait(false);
                    report(source.Position);
                }

                return true;
            }).ConfigureAwait(false);
            var elapsed = context.Clock.GetElapsedTime(started);

            await WriteSummaryAsync(context.Out, stats, holder.Current, elapsed, alertsPath, alertSink.Written, deadLetters.Path).ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static string StemPath(string readsPath, string suffix)
    {
        var stem = readsPath.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? readsPath[..^6] : readsPath;
        return stem + suffix;
    }

    private static async Task WriteSummaryAsync(TextWriter output, PipelineStats stats, MarkerIndex index, TimeSpan elapsed, string alertsPath, long alertMessages, string deadLetterPath)
    {
        var rate = elapsed.TotalSeconds > 0 ? stats.Reads / elapsed.TotalSeconds : 0;
        await output.WriteLineAsync($"reads        {stats.Reads:N0} in {elapsed.TotalSeconds:N1} s ({rate:N0} reads/s) against {Output.Plural(index.Count, "active marker")}").ConfigureAwait(false);
        await output.WriteLineAsync($"dead letters {stats.DeadLetters:N0}").ConfigureAwait(false);
        await output.WriteLineAsync($"hits         {stats.Hits:N0} (out-of-force {stats.OutOfForce:N0}, in-force {stats.InForce:N0})").ConfigureAwait(false);
        await output.WriteLineAsync($"alerted      {stats.Alerted:N0} (suppressed {stats.Suppressed:N0}, stale {stats.Stale:N0})").ConfigureAwait(false);
        await output.WriteLineAsync($"clones       {stats.PossibleClones:N0} possible (hits whose vehicle was seen too far away too soon)").ConfigureAwait(false);
        await output.WriteLineAsync($"confirmed    {stats.Confirmations:N0} ocr-equivalent alerts confirmed by an exact read").ConfigureAwait(false);
        if (!stats.HitsByCameraForce.IsEmpty)
        {
            await output.WriteLineAsync("hits by camera force:").ConfigureAwait(false);
            foreach (var (force, count) in stats.HitsByCameraForce.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal))
            {
                await output.WriteLineAsync($"  {force,-28} {count,6:N0}").ConfigureAwait(false);
            }
        }

        await output.WriteLineAsync($"alerts       {alertsPath} ({alertMessages:N0} messages: one per routed copy)").ConfigureAwait(false);
        await output.WriteLineAsync($"dead letters {deadLetterPath}").ConfigureAwait(false);
    }
}
