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
        var expectCount = new Option<long?>("--expect-count")
        {
            Description = "The entry count an earlier verify printed (with --expect-head): that entry must still carry that head hash.",
        };
        var expectHead = new Option<string>("--expect-head")
        {
            Description = "The head hash an earlier verify printed, kept outside the database (with --expect-count).",
        };
        var verify = new Command("verify",
            "Recompute the audit log's hash chain: exit 0 printing the number of entries when it is whole, exit 1 naming the first entry changed, removed or inserted. " +
            "With --expect-count and --expect-head (recorded from an earlier run), also exit 1 when that entry is gone (tail cut) or has another hash (chain rewritten); entries appended since are fine.")
        {
            expectCount, expectHead,
        };
        verify.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var anchor = Anchor(parse.GetValue(expectCount), parse.GetValue(expectHead));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var result = await services.Audit.VerifyAsync(anchor?.Count, anchor?.Head, ct).ConfigureAwait(false);
            var before = result.Unchained > 0 ? $" ({result.Unchained} from before the chain began are not covered)" : "";
            if (!result.Whole)
            {
                await context.Err.WriteLineAsync($"audit log tampered: {result.Problem}; checked {result.Entries} entries{before}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            // A chain rewritten from some point on, or cut short, is whole in itself: only a head kept outside the
            // database shows it, by the entry at the recorded position no longer being there or no longer the same.
            if (anchor is { } recorded)
            {
                var (count, head) = recorded;

                // The head itself is in the chain, at another entry: the entries up to it are intact. A count copied
                // wrong reads as tampering otherwise; entries missing or added before it (the chain does not cover
                // those from before it began) are the other cause. Either way it is looked into, so exit 1, saying which.
                if (result.PositionOfHash is { } found && found != count)
                {
                    await context.Err.WriteLineAsync(
                        $"audit log anchor does not match: head {head} is entry {found}, not entry {count}. If the count was recorded or typed wrong, " +
                        $"run again with --expect-count {found}; if it was recorded right, {Math.Abs(count - found)} entries before it were " +
                        (found < count ? "removed" : "inserted") + " (only entries from before the chain began can be, without breaking it)").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                if (result.IdAtPosition is null)
                {
                    await context.Err.WriteLineAsync(
                        $"audit log cut short: the anchor (entry {count}, head {head}) is missing: the log has only {result.Entries} entries, " +
                        $"so at least {count - result.Entries} at its end were removed").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                if (!string.Equals(result.HashAtPosition, head, StringComparison.OrdinalIgnoreCase))
                {
                    await context.Err.WriteLineAsync(
                        $"audit log rewritten: the anchor (entry {count}, head {head}) is not in the chain: entry {count} (audit id {result.IdAtPosition}) " +
                        $"has hash {result.HashAtPosition ?? "(none)"}; the chain was recomputed from that entry or earlier, or its tail cut and new entries added")
                        .ConfigureAwait(false);
                    return ExitCodes.Failure;
                }

                await context.Out.WriteLineAsync(
                    $"audit log whole: {result.Entries} entries{before}; head {result.HeadHash}; anchor entry {count} still holds {head} ({result.Entries - count} appended since)")
                    .ConfigureAwait(false);
                return ExitCodes.Success;
            }

            // The head hash and count, recorded somewhere else (a ticket, a signed email), also detect a truncated tail:
            // pass them back as --expect-count and --expect-head.
            await context.Out.WriteLineAsync($"audit log whole: {result.Entries} entries{before}; head {result.HeadHash ?? "(none)"}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return new Command("audit", "The audit log.") { list, verify };
    }

    /// <summary>The recorded anchor, both halves or neither: a head alone could not say where the tail was cut.</summary>
    private static (long Count, string Head)? Anchor(long? count, string? head)
    {
        if (count is null && head is null)
        {
            return null;
        }

        if (count is null || head is null)
        {
            throw new InvalidInputException("--expect-count and --expect-head go together: give both, as an earlier `audit verify` printed them");
        }

        if (count < 1)
        {
            throw new InvalidInputException($"--expect-count {count} is not an entry count (expected 1 or more)");
        }

        // Hex compares without case (the printed head is lower case; a copy may have been upper-cased).
        var normalised = head.Trim();
        if (normalised.Length != 64 || !normalised.All(char.IsAsciiHexDigit))
        {
            // Echoed only when short enough to read: a pasted paragraph or terminal escapes are not repeated back.
            var shown = head.Length <= 80 ? $"'{Cli.Output.Printable(head)}'" : $"({head.Length:N0} characters)";
            throw new InvalidInputException($"--expect-head {shown} is not a head hash (expected the 64 hexadecimal characters `audit verify` printed)");
        }

        return (count.Value, normalised);
    }
}
