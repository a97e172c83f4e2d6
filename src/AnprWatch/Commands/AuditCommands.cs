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
        var list = new Command("list", "The audit log (DPA 2018 s.62): who, role, when, action, subject, justification.") { from, to, format };
        list.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var (start, end) = Arguments.Period(parse.GetValue(from), parse.GetValue(to));
            var outputFormat = Output.ParseFormat(parse.GetValue(format));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var (rangeStart, rangeEnd) = UkTime.Range(start, end);
            var entries = await services.Audit.ListAsync(rangeStart, rangeEnd, ct).ConfigureAwait(false);
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
        return new Command("audit", "The audit log.") { list };
    }
}
