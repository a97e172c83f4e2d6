using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Core.Time;

namespace AnprWatch.Commands;

public static class PurgeCommand
{
    public static Command Build(CliContext context)
    {
        var user = new Option<string>("--user") { Description = "Who is purging (audit log)." };
        var command = new Command("purge", "Delete hits older than Retention:HitDays (UK local days), with an erasure audit entry.") { user };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var before = services.HitRetentionCut(UkTime.Today(context.Clock));
            var deleted = await services.Hits.PurgeAsync(before, parse.GetValue(user) ?? CliContext.DefaultUser, services.Audit, context.Clock, ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"purged {Output.Plural(deleted, "hit")} observed before {Output.Iso(before)} (Retention:HitDays = {services.Options.RetentionHitDays})").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }
}
