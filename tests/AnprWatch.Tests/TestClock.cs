using System.Globalization;
using AnprWatch.Core.Time;

namespace AnprWatch.Tests;

/// <summary>
/// The one "now" of the test suite. Tests whose scenario is about the present (live reads, today's audit entries)
/// take it from here instead of <see cref="DateTime.UtcNow"/>, and every in-process CLI run and serve child gets the
/// same clock; tests whose answer depends on a date use a fixed <c>FakeTimeProvider</c> instead.
/// <para>
/// <c>ANPRWATCH_TEST_CLOCK_SHIFT</c> (a TimeSpan such as <c>365.00:00:00</c>) moves this clock, and the serve child
/// processes through libfaketime, so the whole suite can be run "a year from now" to prove no answer depends on the
/// day it runs (docs/TESTING.md). Unset, it is the system clock.
/// </para>
/// </summary>
public static class TestClock
{
    public const string ShiftVariable = "ANPRWATCH_TEST_CLOCK_SHIFT";

    public static TimeSpan Shift { get; } = Environment.GetEnvironmentVariable(ShiftVariable) is { Length: > 0 } value
        ? TimeSpan.Parse(value, CultureInfo.InvariantCulture)
        : TimeSpan.Zero;

    public static TimeProvider Provider { get; } = Shift == TimeSpan.Zero ? TimeProvider.System : new ShiftedClock(Shift);

    public static DateTimeOffset UtcNow => Provider.GetUtcNow();

    /// <summary>Today as a UK local date, the way the app counts days.</summary>
    public static DateOnly UkToday => UkTime.Today(Provider);

    public static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>libfaketime settings that give a child process the same shifted clock (none when unshifted).</summary>
    public static IReadOnlyDictionary<string, string> ChildEnvironment()
    {
        if (Shift == TimeSpan.Zero)
        {
            return new Dictionary<string, string>();
        }

        const string library = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
        Assert.That(File.Exists(library), Is.True, $"{ShiftVariable} needs libfaketime for the serve child processes (apt-get install libfaketime)");
        return new Dictionary<string, string>
        {
            ["LD_PRELOAD"] = library,
            ["FAKETIME"] = "+" + ((long)Shift.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["FAKETIME_DONT_FAKE_MONOTONIC"] = "1",
            ["DONT_FAKE_MONOTONIC"] = "1",
        };
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
