using Spectre.Console;

namespace AnprWatch.Cli;

/// <summary>Progress for long operations on a terminal; silent when output is redirected (DESIGN §4.6).</summary>
public static class Progress
{
    public static bool IsInteractive => !Console.IsOutputRedirected && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

    /// <summary>Runs <paramref name="work"/>, giving it a callback that reports a value in [0, <paramref name="total"/>].</summary>
    public static async Task<T> RunAsync<T>(string description, double total, Func<Action<double>, Task<T>> work)
    {
        if (!IsInteractive || total <= 0)
        {
            return await work(_ => { }).ConfigureAwait(false);
        }

        return await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask(description, maxValue: total);
                var result = await work(value => task.Value = Math.Min(value, total)).ConfigureAwait(false);
                task.Value = total;
                return result;
            }).ConfigureAwait(false);
    }
}
