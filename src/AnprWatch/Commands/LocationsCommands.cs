using System.CommandLine;
using System.Globalization;
using AnprWatch.Cli;
using AnprWatch.Core.Locations;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Time;
using AnprWatch.Hosting;

namespace AnprWatch.Commands;

/// <summary>
/// <c>anprwatch locations …</c>: flagged CSE locations per force (DESIGN §8), loaded, listed, versioned and rolled
/// back exactly like marker lists.
/// </summary>
public static class LocationsCommands
{
    public static Command Build(CliContext context)
        => new("locations", "Load, list, and roll back flagged CSE location lists (a hit read inside one is raised one priority step).")
        {
            Import(context), List(context), History(context), Rollback(context),
        };

    private static Command Import(CliContext context)
    {
        var file = new Argument<FileInfo>("file") { Description = "Location list CSV (UTF-8, header row: " + string.Join(',', LocationCsvReader.Columns) + ")." };
        var force = new Option<string>("--force") { Description = "The force whose location list this file replaces.", Required = true };
        var dryRun = new Option<bool>("--dry-run") { Description = "Validate and show the diff; change nothing." };
        var user = new Option<string>("--user") { Description = "Who is loading the list (recorded in the version and audit log)." };
        var confirm = new Option<bool>("--confirm-removals") { Description = "Apply a replacement that takes more than Markers:MaxRemovalShare (20 %) of the force's locations out of use." };
        var command = new Command("import", "Validate a location CSV and make it the force's active list (atomically, as a new version).") { file, force, dryRun, user, confirm };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var path = Arguments.ExistingFile(parse.GetValue(file), "location file");
            var owner = Arguments.Force(parse.GetValue(force));
            var who = parse.GetValue(user) ?? CliContext.DefaultUser;
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            LocationImportOutcome outcome;
            await using (var stream = path.OpenRead())
            {
                outcome = await LocationImport.RunAsync(services, owner, stream, path.Length, path.Name, parse.GetValue(dryRun), who, "cli", ct, parse.GetValue(confirm)).ConfigureAwait(false);
            }

            foreach (var warning in outcome.Csv.Warnings)
            {
                await context.Err.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
            }

            if (outcome.Diff is not { } diff)
            {
                foreach (var problem in outcome.Csv.Errors)
                {
                    await context.Err.WriteLineAsync("error: " + problem).ConfigureAwait(false);
                }

                await context.Err.WriteLineAsync($"{path.Name}: {Output.Plural(outcome.Csv.Errors.Count, "error")}; nothing was changed.").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            await WriteDiffAsync(context.Out, diff).ConfigureAwait(false);
            if (outcome.Version is not { } version)
            {
                await context.Out.WriteLineAsync($"dry run: {owner.Code} would have {Output.Plural(outcome.Csv.Locations.Count, "location")}; nothing was changed.").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            await context.Out.WriteLineAsync($"{owner.Code}: location list version {version.Version} is active with {Output.Plural(version.LocationCount, "location")} (sha256 {outcome.Sha256![..12]}…, loaded by {who}).").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    internal static async Task WriteDiffAsync(TextWriter output, LocationListDiff diff)
    {
        await output.WriteLineAsync($"added {diff.Added.Count}, removed {diff.Removed.Count}, changed {diff.Changed.Count}, unchanged {diff.Unchanged}").ConfigureAwait(false);
        foreach (var l in diff.Added)
        {
            await output.WriteLineAsync($"  + {l.Ref} {l.Name} ({l.RadiusM} m, {l.Risk.Label()})").ConfigureAwait(false);
        }

        foreach (var l in diff.Removed)
        {
            await output.WriteLineAsync($"  - {l.Ref} {l.Name} ({l.RadiusM} m, {l.Risk.Label()})").ConfigureAwait(false);
        }

        foreach (var c in diff.Changed)
        {
            await output.WriteLineAsync($"  ~ {c.After.Ref}: {string.Join("; ", c.Changes)}").ConfigureAwait(false);
        }
    }

    private static Command List(CliContext context)
    {
        var force = new Option<string>("--force") { Description = "Only this force's active list." };
        var format = MarkersCommands.FormatOption();
        var user = new Option<string>("--user") { Description = "Who is consulting (audit log)." };
        var command = new Command("list", "List the active flagged locations.") { force, format, user };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var code = parse.GetValue(force) is { } f ? Arguments.Force(f).Code : null;
            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var locations = await services.Locations.GetActiveAsync(code, ct).ConfigureAwait(false);
            await MarkersCommands.AuditConsultAsync(context, parse.GetValue(user), $"locations list{(code is null ? "" : " " + code)}", ct).ConfigureAwait(false);
            var today = UkTime.Today(context.Clock);
            if (outputFormat == OutputFormat.Json)
            {
                Output.Json(context.Out, locations.Select(l => LocationView.From(l, today)));
                return ExitCodes.Success;
            }

            Output.Rows(context.Out, outputFormat, ["location_ref", "name", "lat", "lon", "radius_m", "risk_level", "force", "review_due", "expires", "notes", "status"],
                locations.Select(l => (IReadOnlyList<string?>)[l.Ref, l.Name, Number(l.Lat), Number(l.Lon), l.RadiusM.ToString(CultureInfo.InvariantCulture), l.Risk.Label(), l.Force.Code,
                    Output.Iso(l.ReviewDue), l.Expires is { } e ? Output.Iso(e) : null, l.Notes, LocationView.StatusOf(l, today)]));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command History(CliContext context)
    {
        var force = new Option<string>("--force") { Description = "The force.", Required = true };
        var format = MarkersCommands.FormatOption();
        var user = new Option<string>("--user") { Description = "Who is consulting (audit log)." };
        var command = new Command("history", "Every version of a force's location list: who loaded it, when, its SHA-256 and what changed.") { force, format, user };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var code = Arguments.Force(parse.GetValue(force)).Code;
            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var versions = await services.Locations.HistoryAsync(code, ct).ConfigureAwait(false);
            // Who loaded which list when is part of the record of access to CSE intelligence, as on the web.
            await MarkersCommands.AuditConsultAsync(context, parse.GetValue(user), $"locations history {code}", ct).ConfigureAwait(false);
            if (outputFormat == OutputFormat.Json)
            {
                Output.Json(context.Out, versions);
                return ExitCodes.Success;
            }

            static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
            Output.Rows(context.Out, outputFormat, ["version", "active", "loaded_at", "loaded_by", "source", "locations", "added", "removed", "changed", "sha256"],
                versions.Select(v => (IReadOnlyList<string?>)[N(v.Version), v.IsActive ? "yes" : "", Output.Iso(v.LoadedAt), v.LoadedBy, v.Source, N(v.LocationCount), N(v.Added), N(v.Removed), N(v.Changed), v.Sha256]));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Rollback(CliContext context)
    {
        var force = new Option<string>("--force") { Description = "The force.", Required = true };
        var version = new Option<long>("--to-version") { Description = "The earlier version to restore.", Required = true };
        var user = new Option<string>("--user") { Description = "Who is rolling back (recorded in the version and audit log)." };
        var confirm = new Option<bool>("--confirm-removals") { Description = "Apply a rollback that takes more than Markers:MaxRemovalShare (20 %) of the force's locations out of use." };
        var command = new Command("rollback", "Make an earlier location list version active again, as a new version (nothing is rewritten).") { force, version, user, confirm };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var owner = Arguments.Force(parse.GetValue(force));
            var target = parse.GetValue(version);
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var outcome = await LocationImport.RollbackAsync(services, owner, target, preview: false, parse.GetValue(confirm), parse.GetValue(user) ?? CliContext.DefaultUser, "cli", ct).ConfigureAwait(false);
            var created = outcome.Version!;
            await WriteDiffAsync(context.Out, outcome.Diff).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"{owner.Code}: location list version {created.Version} restores version {target} ({Output.Plural(created.LocationCount, "location")}).").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static string Number(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);
}

/// <summary>A location as the API and <c>locations list --format json</c> show it; <c>status</c> says active, review overdue or expired.</summary>
public sealed record LocationView(string LocationRef, string Name, double Lat, double Lon, int RadiusM, string RiskLevel, string Force,
    string ReviewDue, string? Expires, string? Notes, string Status)
{
    public static LocationView From(Location l, DateOnly today) => new(l.Ref, l.Name, l.Lat, l.Lon, l.RadiusM, l.Risk.Label(), l.Force.Code,
        Output.Iso(l.ReviewDue), l.Expires is { } e ? Output.Iso(e) : null, l.Notes, StatusOf(l, today));

    /// <summary>expired (no longer raises), review-overdue (still raises: dropping it silently is a safeguarding risk), or active.</summary>
    public static string StatusOf(Location l, DateOnly today) => !l.CoversDate(today) ? "expired" : l.ReviewDue < today ? "review-overdue" : "active";
}
