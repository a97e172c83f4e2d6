using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Hosting;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Time;
using AnprWatch.Storage.Audit;

namespace AnprWatch.Commands;

public static class MarkersCommands
{
    public static Command Build(CliContext context)
    {
        var command = new Command("markers", "Load, list and review marker lists (PNC bureau).") { Import(context), List(context), ReviewDue(context) };
        foreach (var sub in MarkerVersionCommands.Build(context))
        {
            command.Subcommands.Add(sub);
        }

        return command;
    }

    private static Command Import(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "Marker list CSV (UTF-8, header row)." };
        var force = new Option<string>("--force") { Description = "Host force whose list this file replaces.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and show the diff; change nothing." };
        var user = new Option<string>("--user") { Description = "Who is loading the list (recorded in the version and audit log)." };
        var confirm = new Option<bool>("--confirm-removals") { Description = "Apply a file that removes more than Markers:MaxRemovalShare (20 %) of the active list." };
        var command = new Command("import", "Validate a marker CSV and make it the force's active list (atomically, as a new version).")
        {
            file, force, dryRun, user, confirm,
        };

        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var path = Arguments.ExistingFile(parse.GetValue(file), "marker file");
            var host = Arguments.Force(parse.GetValue(force));
            var who = parse.GetValue(user) ?? CliContext.DefaultUser;
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var outcome = await Progress.RunAsync("validating", path.Length, async report =>
            {
                await using var stream = path.OpenRead();
                return await MarkerImport.RunAsync(services, host, stream, path.Length, path.Name, parse.GetValue(dryRun), who, "cli", report, ct, parse.GetValue(confirm)).ConfigureAwait(false);
            }).ConfigureAwait(false);

            foreach (var warning in outcome.Csv.Warnings)
            {
                await context.Err.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
            }

            if (outcome.Diff is null)
            {
                foreach (var problem in outcome.Csv.Errors)
                {
                    await context.Err.WriteLineAsync("error: " + problem).ConfigureAwait(false);
                }

                await context.Err.WriteLineAsync($"{path.Name}: {Output.Plural(outcome.Csv.Errors.Count, "error")}; nothing was changed.").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            await WriteDiffAsync(context.Out, outcome.Diff).ConfigureAwait(false);
            if (outcome.Version is not { } version)
            {
                await context.Out.WriteLineAsync($"dry run: {host.Code} would have {Output.Plural(outcome.Csv.Markers.Count, "marker")}; nothing was changed.").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await context.Out.WriteLineAsync($"{host.Code}: version {version.Version} is active with {Output.Plural(version.MarkerCount, "marker")} (sha256 {outcome.Sha256![..12]}…, loaded by {who}).").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task WriteDiffAsync(TextWriter output, MarkerListDiff diff)
    {
        await output.WriteLineAsync($"added {diff.AddedCount}, removed {diff.RemovedCount}, changed {diff.ChangedCount}, unchanged {diff.Unchanged}").ConfigureAwait(false);
        foreach (var m in diff.Added.Take(50))
        {
            await output.WriteLineAsync($"  + {m.Vrm} {m.SuspectRef} {m.Risk.Label()}").ConfigureAwait(false);
        }

        foreach (var m in diff.Removed.Take(50))
        {
            await output.WriteLineAsync($"  - {m.Vrm} {m.SuspectRef} {m.Risk.Label()}").ConfigureAwait(false);
        }

        foreach (var c in diff.Changed.Take(50))
        {
            await output.WriteLineAsync($"  ~ {c.After.Vrm} {c.After.SuspectRef}: {string.Join("; ", c.Changes)}").ConfigureAwait(false);
        }

        if (diff.KeptReviews > 0)
        {
            await output.WriteLineAsync($"kept the later review date of {Output.Plural(diff.KeptReviews, "marker")}: reviewed here since the last import, so the file's earlier review_due does not undo the review").ConfigureAwait(false);
            foreach (var m in diff.KeptReviewMarkers.Take(50))
            {
                await output.WriteLineAsync($"  = {m.Vrm} {m.SuspectRef}: review_due kept at {Output.Iso(m.ReviewDue)}").ConfigureAwait(false);
            }
        }
    }

    private static Command List(CliContext context)
    {
        var force = new Option<string>("--force") { Description = "Only this host force's active list." };
        var format = FormatOption();
        var user = new Option<string>("--user") { Description = "Who is consulting (audit log)." };
        var command = new Command("list", "List the active markers.") { force, format, user };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var code = parse.GetValue(force) is { } f ? Arguments.Force(f).Code : null;
            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var markers = await services.Markers.GetActiveMarkersAsync(code, ct).ConfigureAwait(false);
            await AuditConsultAsync(context, parse.GetValue(user), $"markers list{(code is null ? "" : " " + code)}", ct).ConfigureAwait(false);
            WriteMarkers(context.Out, outputFormat, markers, UkTime.Today(context.Clock));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ReviewDue(CliContext context)
    {
        var within = new Option<int>("--within") { Description = "Days ahead to include (0 = due today or overdue).", DefaultValueFactory = _ => 0 };
        var format = FormatOption();
        var user = new Option<string>("--user") { Description = "Who is consulting (audit log)." };
        var command = new Command("review-due", "Active markers whose review is due within N days or overdue.") { within, format, user };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var days = parse.GetValue(within);
            if (days < 0)
            {
                throw new InvalidInputException("--within must be 0 or more days");
            }

            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var today = UkTime.Today(context.Clock);
            var due = (await services.Markers.FindActiveMarkersAsync(reviewDueBy: today.AddDays(days), cancellationToken: ct).ConfigureAwait(false))
                .OrderBy(m => m.ReviewDue).ToList();
            await AuditConsultAsync(context, parse.GetValue(user), "markers review-due", ct).ConfigureAwait(false);
            WriteMarkers(context.Out, outputFormat, due, today);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static Option<string> FormatOption()
    {
        var option = new Option<string>("--format") { Description = "table, csv or json.", DefaultValueFactory = _ => "table" };
        option.AcceptOnlyFromAmong(Output.FormatNames);
        return option;
    }

    internal static Task AuditConsultAsync(CliContext context, string? user, string subject, CancellationToken ct, string? justification = null)
        => context.Services.Audit.AppendAsync(new AuditEntry(context.Clock.GetUtcNow(), user ?? CliContext.DefaultUser, "cli", AuditActions.Consult, subject, justification), ct);

    private static void WriteMarkers(TextWriter output, OutputFormat format, IReadOnlyList<Marker> markers, DateOnly today)
    {
        if (format == OutputFormat.Json)
        {
            Output.Json(output, markers.Select(m => new
            {
                markerId = m.MarkerId,
                vrm = m.Vrm,
                suspectRef = m.SuspectRef,
                riskLevel = m.Risk.Label(),
                hostForce = m.HostForce.Code,
                reviewDue = Output.Iso(m.ReviewDue),
                expires = m.Expires is { } e ? Output.Iso(e) : null,
                operation = m.Operation,
                action = m.Action,
                contact = m.Contact,
                markerType = m.MarkerType,
                plateFormat = m.Format.Label(),
                reviewOverdue = m.ReviewDue < today,
            }));
            return;
        }

        Output.Rows(output, format,
            ["vrm", "suspect_ref", "risk_level", "host_force", "review_due", "expires", "operation", "action", "contact", "marker_type", "plate_format"],
            markers.Select(m => (IReadOnlyList<string?>)[m.Vrm, m.SuspectRef, m.Risk.Label(), m.HostForce.Code, Output.Iso(m.ReviewDue), m.Expires is { } e ? Output.Iso(e) : null, m.Operation, m.Action, m.Contact, m.MarkerType, m.Format.Label()]));
    }
}
