using System.Globalization;

namespace AnprWatch.Tests.Reliability;

/// <summary>
/// How hard the fault and fuzz suites push. <c>./build.sh test</c> runs the short form; <c>./build.sh faults</c> sets
/// ANPRWATCH_FAULTS=long: a million-read stream, ten SIGKILLs, 30-second outages and a million fuzz cases per reader.
/// </summary>
public sealed record FaultScale(string Name, int Vehicles, int Kills, TimeSpan Outage, int FuzzCases)
{
    public static FaultScale Current { get; } = Environment.GetEnvironmentVariable("ANPRWATCH_FAULTS") == "long"
        ? new("long", 100_000, 10, TimeSpan.FromSeconds(30), 1_000_000)
        : new("short", 4_000, 3, TimeSpan.FromSeconds(8), 30_000);
}

/// <summary>One line per fault or fuzz run, with its figures: to the test output, and to ANPRWATCH_FAULTS_REPORT when set.</summary>
public static class FaultReport
{
    public static void Write(string name, bool pass, string figures)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{(pass ? "PASS" : "FAIL")}  {name} [{FaultScale.Current.Name}]: {figures}");
        TestContext.Progress.WriteLine(line);
        if (Environment.GetEnvironmentVariable("ANPRWATCH_FAULTS_REPORT") is { Length: > 0 } path)
        {
            lock (typeof(FaultReport))
            {
                File.AppendAllText(path, line + Environment.NewLine);
            }
        }
    }

    public static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
