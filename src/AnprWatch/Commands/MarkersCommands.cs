using System.CommandLine;
using System.Security.Cryptography;
using AnprWatch.Cli;
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
        var command = new Command("import", "Validate a marker CSV and make it the force's active list (atomically, as a new version).")
        {
            file, force, dryRun, user,
        };

        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var path = Arguments.ExistingFile(parse.GetValue(file), "marker file");
            var host = Arguments.Force(parse.GetValue(force));
            var who = parse.GetValue(user) ?? CliContext.DefaultUser;
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            if (path.Length > services.Options.MaxMarkerFileBytes)
            {
                throw new InvalidInputException($"{path.Name} is {path.Length:N0} bytes, over the {services.Options.MaxMarkerFileBytes:N0}-byte limit (Markers:MaxFileBytes); nothing was changed");
            }

            var today = UkTime.Today(context.Clock);

            var result = await Progress.RunAsync("validating", path.Length, async report =>
            {
                await using var stream = new ProgressStream(path.OpenRead(), report);
                return MarkerCsvReader.Read(stream, host, today);
            }).ConfigureAwait(false);

            foreach (var warning in result.Warnings)
            {
                await context.Err.WriteLineAsync("warning: " + warning).ConfigureAwait(false);
            }

            if (!result.IsValid)
            {
                foreach (var problem in result.Errors)
                {
                    await context.Err.WriteLineAsync("error: " + problem).ConfigureAwait(false);
                }

                await context.Err.WriteLineAsync($"{path.Name}: {Output.Plural(result.Errors.Count, "error")}; nothing was changed.").ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }

            var current = await services.Markers.GetActiveMarkersAsync(host.Code, ct).ConfigureAwait(false);
            var diff = MarkerListDiff.Compute(current, result.Markers);
            await WriteDiffAsync(context.Out, diff).ConfigureAwait(false);
            if (parse.GetValue(dryRun))
            {
                // The diff names plates: showing it is a consultation of personal data.
                await AuditConsultAsync(context, who, $"marker list {host.Code} dry run", ct).ConfigureAwait(false);
                await context.Out.WriteLineAsync($"dry run: {host.Code} would have {Output.Plural(result.Markers.Count, "marker")}; nothing was changed.").ConfigureAwait(false);
                return ExitCodes.Success;
            }

            var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(path.OpenRead(), ct).ConfigureAwait(false));
            var version = await services.Markers.ReplaceAsync(host, result.Markers, who, "bureau", sha256, diff, "import", ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"{host.Code}: version {version.Version} is active with {Output.Plural(version.MarkerCount, "marker")} (sha256 {sha256[..12]}…, loaded by {who}).").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static async Task WriteDiffAsync(TextWriter output, MarkerListDiff diff)
    {
        await output.WriteLineAsync($"added {diff.Added.Count}, removed {diff.Removed.Count}, changed {diff.Changed.Count}, unchanged {diff.Unchanged}").ConfigureAwait(false);
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
            await output.WriteLineAsync($"  ~ {c.After.Vrm} {c.After.SuspectRef}: {string.Join(", ", c.Fields)}").ConfigureAwait(false);
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
            var due = (await services.Markers.GetActiveMarkersAsync(cancellationToken: ct).ConfigureAwait(false))
                .Where(m => m.ReviewDue <= today.AddDays(days)).OrderBy(m => m.ReviewDue).ToList();
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

/// <summary>Reports how far through a file a reader is, for the terminal progress bar.</summary>
internal sealed class ProgressStream(Stream inner, Action<double> report) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var n = inner.Read(buffer, offset, count);
        report(inner.Position);
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
