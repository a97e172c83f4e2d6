using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Time;
using AnprWatch.Hosting;

namespace AnprWatch.Commands;

/// <summary>Versions of a force's list: history, one vehicle's markers, rollback, and recording a review.</summary>
public static class MarkerVersionCommands
{
    public static IEnumerable<Command> Build(CliContext context) => [History(context), Show(context), Rollback(context), Review(context)];

    private static Command History(CliContext context)
    {
        var force = new Option<string>("--force") { Description = "The host force.", Required = true };
        var format = MarkersCommands.FormatOption();
        var user = new Option<string>("--user") { Description = "Who is consulting (audit log)." };
        var command = new Command("history", "Every version of a force's list: who loaded it, when, its SHA-256 and what changed.") { force, format, user };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var code = Arguments.Force(parse.GetValue(force)).Code;
            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var versions = await services.Markers.HistoryAsync(code, ct).ConfigureAwait(false);
            // Who loaded which list when is part of the record of access to CSE intelligence, as on the web.
            await MarkersCommands.AuditConsultAsync(context, parse.GetValue(user), $"markers history {code}", ct).ConfigureAwait(false);
            if (outputFormat == OutputFormat.Json)
            {
                Output.Json(context.Out, versions);
                return ExitCodes.Success;
            }

            Output.Rows(context.Out, outputFormat, ["version", "active", "loaded_at", "loaded_by", "source", "markers", "added", "removed", "changed", "sha256"],
                versions.Select(v => (IReadOnlyList<string?>)[v.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), v.IsActive ? "yes" : "", Output.Iso(v.LoadedAt), v.LoadedBy, v.Source,
                    v.MarkerCount.ToString(System.Globalization.CultureInfo.InvariantCulture), v.Added.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    v.Removed.ToString(System.Globalization.CultureInfo.InvariantCulture), v.Changed.ToString(System.Globalization.CultureInfo.InvariantCulture), v.Sha256]));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Show(CliContext context)
    {
        var vrm = new Argument<string>("vrm") { Description = "The plate." };
        var user = new Option<string>("--user") { Description = "Who is consulting (audit log)." };
        var command = new Command("show", "A vehicle's active markers and every list version it appears in.") { vrm, user };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var plate = Vrm.Normalise(parse.GetValue(vrm)) ?? throw new InvalidInputException("not a valid VRM (1–10 letters or digits)");
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var active = await services.Markers.FindActiveMarkersAsync(vrm: plate, cancellationToken: ct).ConfigureAwait(false);
            var versions = await services.Markers.VersionsContainingAsync(plate, ct).ConfigureAwait(false);
            await MarkersCommands.AuditConsultAsync(context, parse.GetValue(user), $"markers show {Vrm.Redact(plate)}", ct).ConfigureAwait(false);
            Output.Json(context.Out, new
            {
                vrm = plate,
                plateFormat = PlateFormats.Classify(plate).Label(),
                active = active.Select(Web.Api.MarkerView.From),
                versions = versions.Select(v => new { force = v.ForceCode, version = v.Version, active = v.IsActive, loadedAt = v.LoadedAt, loadedBy = v.LoadedBy, source = v.Source }),
            });
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Rollback(CliContext context)
    {
        var force = new Option<string>("--force") { Description = "The host force.", Required = true };
        var version = new Option<long>("--to-version") { Description = "The earlier version to restore.", Required = true };
        var user = new Option<string>("--user") { Description = "Who is rolling back (recorded in the version and audit log)." };
        var confirm = new Option<bool>("--confirm-removals") { Description = "Apply a rollback that takes more than Markers:MaxRemovalShare (20 %) of the active list out of matching." };
        var command = new Command("rollback", "Make an earlier version active again, as a new version (nothing is rewritten).") { force, version, user, confirm };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var host = Arguments.Force(parse.GetValue(force));
            var target = parse.GetValue(version);
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var who = parse.GetValue(user) ?? CliContext.DefaultUser;
            var outcome = await MarkerRollback.RunAsync(services, host, target, preview: false, parse.GetValue(confirm), who, "bureau", ct).ConfigureAwait(false);
            var (created, diff) = (outcome.Version!, outcome.Diff);
            await context.Out.WriteLineAsync($"{host.Code}: version {created.Version} restores version {target} ({Output.Plural(created.MarkerCount, "marker")}; +{diff.AddedCount} -{diff.RemovedCount} ~{diff.ChangedCount}).").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Review(CliContext context)
    {
        var force = new Option<string>("--force") { Description = "The host force.", Required = true };
        var vrm = new Option<string>("--vrm") { Description = "The marker's plate.", Required = true };
        var suspect = new Option<string>("--suspect") { Description = "The marker's suspect reference.", Required = true };
        var due = new Option<string>("--review-due") { Description = "The next review date (YYYY-MM-DD, after today).", Required = true };
        var note = new Option<string>("--note") { Description = "What the review found (audited).", Required = true };
        var user = new Option<string>("--user") { Description = "Who reviewed it." };
        var command = new Command("review", "Record a marker's review: a new review_due, with a note, as a new audited version.") { force, vrm, suspect, due, note, user };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var host = Arguments.Force(parse.GetValue(force));
            var next = Arguments.Date(parse.GetValue(due), "--review-due");
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var created = await MarkerReviews.RecordAsync(services, host, parse.GetValue(vrm), parse.GetValue(suspect), next, parse.GetValue(note), parse.GetValue(user) ?? CliContext.DefaultUser, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"{host.Code}: version {created.Version}; next review {Output.Iso(next)}.").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }
}
