using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Core.Time;

namespace AnprWatch.Commands;

public static class AuditCommands
{
    public static Command Build(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "First UK local date (YYYY-MM-DD), inclusive.", Required = true };
        var to = new Option<string>("--to") { Description = "Last UK local date (YYYY-MM-DD), inclusive.", Required = true };
        var format = MarkersCommands.FormatOption();
        var user = new Option<string>("--user") { Description = "Who is reading the log (itself audited)." };
        var list = new Command("list", "The audit log (DPA 2018 s.62): who, role, when, action, subject, justification.") { from, to, format, user };
        list.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var (start, end) = Arguments.Period(parse.GetValue(from), parse.GetValue(to));
            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var (rangeStart, rangeEnd) = UkTime.Range(start, end);
            var entries = await services.Audit.ListAsync(rangeStart, rangeEnd, ct).ConfigureAwait(false);

            // Reading the audit log is itself a consultation, recorded after the read so the listing does not show it.
            await services.Audit.AppendAsync(new Storage.Audit.AuditEntry(context.Clock.GetUtcNow(), parse.GetValue(user) ?? CliContext.DefaultUser, "cli",
                Storage.Audit.AuditActions.Consult, $"audit log {Output.Iso(start)}..{Output.Iso(end)} ({entries.Count} rows)"), ct).ConfigureAwait(false);
            if (outputFormat == OutputFormat.Json)
            {
                Output.Json(context.Out, entries);
            }
            else
            {
                Output.Rows(context.Out, outputFormat, ["at", "actor", "role", "action", "subject", "justification", "detail"],
                    entries.Select(e => (IReadOnlyList<string?>)[e.At.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture), e.Actor, e.Role, e.Action, e.Subject, e.Justification, e.Detail]));
            }

            return ExitCodes.Success;
        }));
        var verify = new Command("verify",
            "Recompute the audit log's hash chain: exit 0 printing the number of entries when it is whole, exit 1 naming the first entry changed, removed or inserted.");
        verify.SetAction(CliApp.Guard(context, async (_, ct) =>
        {
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var result = await services.Audit.VerifyAsync(ct).ConfigureAwait(false);
            var before = result.Unchained > 0 ? $" ({result.Unchained} from before the chain began are not covered)" : "";
            if (!result.Whole)
            {
                await context.Err.WriteLineAsync($"audit log tampered: {result.Problem}; checked {result.Entries} entries{before}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            // The head hash and count, recorded somewhere else (a ticket, a signed email), also detect a truncated tail.
            await context.Out.WriteLineAsync($"audit log whole: {result.Entries} entries{before}; head {result.HeadHash ?? "(none)"}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return new Command("audit", "The audit log.") { list, verify };
    }
}
