using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Reports;
using AnprWatch.Storage.Audit;

namespace AnprWatch.Commands;

public static class ReportCommands
{
    public static Command Build(CliContext context)
    {
        var from = new Option<string>("--from") { Description = "First UK local date (YYYY-MM-DD), inclusive.", Required = true };
        var to = new Option<string>("--to") { Description = "Last UK local date (YYYY-MM-DD), inclusive.", Required = true };
        var force = new Option<string>("--force") { Description = "Hits on this host force's markers." };
        var region = new Option<string>("--region") { Description = "Hits on the markers of this region's forces (e.g. \"South West\")." };
        var format = new Option<string>("--format") { Description = "html, csv or json.", Required = true };
        format.AcceptOnlyFromAmong("html", "csv", "json");
        var output = new Option<FileInfo>("--out") { Description = "The file to write.", Required = true };
        var justification = new Option<string>("--justification") { Description = "Why (required for periods starting more than 90 days ago; audited)." };
        var user = new Option<string>("--user") { Description = "Who is running the report (audit log)." };
        var includeVrms = new Option<bool>("--include-vrms") { Description = "Label flagged vehicles with their VRMs as well as suspect references (HTML)." };
        var evaluation = new Command("evaluation", "The RIU evaluation for a force, a region or everything (DESIGN §4.5).")
        {
            from, to, force, region, format, output, justification, user, includeVrms,
        };
        evaluation.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var (start, end) = Arguments.Period(parse.GetValue(from), parse.GetValue(to));
            var scope = ReportService.Scope(parse.GetValue(force), parse.GetValue(region));
            ReportService.CheckAccessTier(start, context.Clock, parse.GetValue(justification));
            var services = await context.StoreAsync(ct).ConfigureAwait(false);
            var report = await Progress.RunAsync("computing", 1, _ => ReportService.BuildAsync(services, start, end, scope, ct)).ConfigureAwait(false);
            var path = parse.GetValue(output)!.FullName;
            var content = parse.GetValue(format) switch
            {
                "json" => report.Json.ToJsonString(Core.Hits.ContractJson.Indented),
                "csv" => ReportService.Csv(report),
                _ => HtmlReport.Render(report, parse.GetValue(includeVrms)),
            };
            await File.WriteAllTextAsync(path, content, ct).ConfigureAwait(false);
            await services.Audit.AppendAsync(new AuditEntry(context.Clock.GetUtcNow(), parse.GetValue(user) ?? CliContext.DefaultUser, "cli", AuditActions.Disclose,
                $"evaluation report {Output.Iso(start)}..{Output.Iso(end)} {scope.ToJson().ToJsonString()}{(parse.GetValue(includeVrms) ? " with VRMs" : "")} to {Path.GetFileName(path)}", parse.GetValue(justification)), ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"wrote {path} ({report.Hits.Count} hits in scope)").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return new Command("report", "Evaluation reports (RIU analysts).") { evaluation };
    }
}
