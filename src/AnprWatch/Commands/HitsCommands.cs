using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Plates;
using AnprWatch.Core.Time;
using AnprWatch.Hosting;
using AnprWatch.Storage.Hits;

namespace AnprWatch.Commands;

public static class HitsCommands
{
    public static Command Build(CliContext context) => new("hits", "Stored hits (analysts; subject-access look-ups).") { List(context) };

    private static Command List(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "First UK local date (YYYY-MM-DD), inclusive.", Required = true };
        var to = new Option<string>("--to") { Description = "Last UK local date (YYYY-MM-DD), inclusive.", Required = true };
        var force = new Option<string>("--force") { Description = "Hits seen in, or on markers of, this force." };
        var vrm = new Option<string>("--vrm") { Description = "Hits for one VRM (data subject access); audited." };
        var format = MarkersCommands.FormatOption();
        var user = new Option<string>("--user") { Description = "Who is consulting (audit log)." };
        var justification = new Option<string>("--justification") { Description = "Why (recorded in the audit log); required when --from is more than 90 days ago." };
        var command = new Command("list", "List hits observed between two UK local dates.") { from, to, force, vrm, format, user, justification };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var (start, end) = Arguments.Period(parse.GetValue(from), parse.GetValue(to));
            Reports.ReportService.CheckAccessTier(start, context.Clock, parse.GetValue(justification));
            var code = parse.GetValue(force) is { } f ? Arguments.Force(f).Code : null;
            string? plate = null;
            if (parse.GetValue(vrm) is { } rawVrm)
            {
                plate = Vrm.Normalise(rawVrm) ?? throw new InvalidInputException("--vrm is not a valid VRM (1–10 letters or digits)");
            }

            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var (rangeStart, rangeEnd) = UkTime.Range(start, end);
            var hits = await services.Hits.QueryAsync(new HitQuery(rangeStart, rangeEnd, code, plate), ct).ConfigureAwait(false);

            await MarkersCommands.AuditConsultAsync(context, parse.GetValue(user), HitLookups.AuditSubject(start, end, code, plate, hits.Count), ct, parse.GetValue(justification)).ConfigureAwait(false);
            Write(context.Out, outputFormat, hits);
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Write(TextWriter output, OutputFormat format, IReadOnlyList<Hit> hits)
    {
        if (format == OutputFormat.Json)
        {
            Output.Json(output, hits.Select(HitView.From));
            return;
        }

        Output.Rows(output, format,
            ["observed_at", "vrm", "marker_vrm", "match_kind", "camera_force", "host_force", "camera_id", "site", "risk", "priority", "suspect_ref", "alerted", "not_alerted_reason", "in_force", "outcome", "hit_id"],
            hits.Select(h => (IReadOnlyList<string?>)[
                Output.Iso(h.ObservedAt), h.Vrm, h.MarkerVrm, h.MatchKind.Label(), h.CameraForce.Code, h.HostForce.Code, h.CameraId, h.Site,
                h.Risk.Label(), h.Priority.Label(), h.SuspectRef, h.Alerted ? "yes" : "no", h.NotAlertedReason.Label(), h.InForce ? "yes" : "no", h.Outcome, h.HitId]));
    }
}
