using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Simulation;

namespace AnprWatch.Commands;

public static class SimulateCommand
{
    public static Command Build(CliContext context)
    {
        var scenario = new Option<string>("--scenario") { Description = "Scenario name (railcar).", Required = true };
        scenario.AcceptOnlyFromAmong("railcar");
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory for markers/*.csv, reads.jsonl, ground-truth.json, scenario.json.", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed (same seed, same data).", DefaultValueFactory = _ => 20260501 };
        var vehicles = new Option<int>("--vehicles") { Description = "Ordinary (unflagged) vehicles.", DefaultValueFactory = _ => 20_000 };
        var liveAt = new Option<DateTimeOffset?>("--live-at") { Description = "Ground truth of serve processing every read live at this instant (whole seconds, with offset): older reads are stale." };
        var maxReadAge = new Option<TimeSpan>("--max-read-age") { Description = "With --live-at: serve's Alerting:MaxReadAge (whole seconds).", DefaultValueFactory = _ => TimeSpan.FromMinutes(30) };
        var command = new Command("simulate", "Generate realistic synthetic markers and reads with the expected hits (ground truth).") { scenario, output, seed, vehicles, liveAt, maxReadAge };
        command.SetAction(CliApp.Guard(context, async (parse, ct) =>
        {
            var count = parse.GetValue(vehicles);
            if (count is < 0 or > 5_000_000)
            {
                throw new InvalidInputException("--vehicles must be between 0 and 5,000,000");
            }

            var live = parse.GetValue(liveAt);
            var age = parse.GetValue(maxReadAge);
            if (live is { } at && at.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                throw new InvalidInputException("--live-at must be a whole second (reads are stamped to the second)");
            }

            if (age <= TimeSpan.Zero || age.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                throw new InvalidInputException("--max-read-age must be a positive whole number of seconds");
            }

            var directory = parse.GetValue(output)!.FullName;
            var options = new ScenarioOptions(parse.GetValue(seed), count) { LiveAt = live, MaxReadAge = age };
            var summary = await Progress.RunAsync("simulating", 1, report =>
                Task.Run(() => RailcarScenario.Generate(options, directory, report), ct)).ConfigureAwait(false);
            await context.Out.WriteLineAsync($"scenario railcar (seed {summary.Seed}), {summary.From} to {summary.To}, written to {directory}").ConfigureAwait(false);
            await context.Out.WriteLineAsync($"  markers   {summary.Markers} on {summary.FlaggedVehicles} vehicles: {string.Join(", ", summary.MarkerFiles)}").ConfigureAwait(false);
            await context.Out.WriteLineAsync($"  reads     {summary.Reads:N0} from {summary.OrdinaryVehicles:N0} ordinary + {summary.FlaggedVehicles} flagged vehicles, {summary.Malformed.Count} malformed lines: reads.jsonl").ConfigureAwait(false);
            await context.Out.WriteLineAsync($"  locations {string.Join(", ", summary.LocationFiles ?? [])}: {summary.ExpectedLocationRaised} expected hits raised one priority step").ConfigureAwait(false);
            await context.Out.WriteLineAsync($"  expected  {summary.ExpectedHits} hits, {summary.ExpectedAlerted} alerted: ground-truth.json").ConfigureAwait(false);
            return ExitCodes.Success;
        }));
        return command;
    }
}
