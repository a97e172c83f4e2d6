using System.CommandLine;
using System.Data.Common;
using AnprWatch.Commands;
using AnprWatch.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace AnprWatch.Cli;

/// <summary>The <c>anprwatch</c> command tree (DESIGN §4.6) and its exit-code rules.</summary>
public static class CliApp
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider clock, CancellationToken cancellationToken = default)
    {
        var (commandArgs, overrides) = AppConfiguration.Split(args);
        var context = new CliContext(output, error, clock, () => AppConfiguration.Build(overrides));
        // No response files: "@name" is a value here (a user, a note), never an instruction to read a file into the arguments.
        var parse = BuildRoot(context).Parse(commandArgs, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                await error.WriteLineAsync(parseError.Message).ConfigureAwait(false);
            }

            await error.WriteLineAsync("Run 'anprwatch --help' (or '<command> --help') for usage.").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        if (TooLong(parse) is { } tooLong)
        {
            await error.WriteLineAsync("error: " + tooLong).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        // ProcessTerminationTimeout = null: SIGTERM and Ctrl+C are left to the commands (serve's host drains its batch
        // and leaves the consumer group); System.CommandLine would otherwise kill the process two seconds in.
        return await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = null }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The longest value each free-text option may have (<see cref="Hosting.TextLimits"/>): the width of the column it is
    /// stored in on SQL Server, checked before the store, so SQLite (which never truncates) and SQL Server (which
    /// refuses) behave the same.
    /// </summary>
    public static IReadOnlyDictionary<string, int> MaxTextLength => Hosting.TextLimits.CliOptions;

    private static string? TooLong(ParseResult parse)
    {
        for (var command = parse.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
        {
            foreach (var option in command.Children.OfType<System.CommandLine.Parsing.OptionResult>())
            {
                if (MaxTextLength.TryGetValue(option.Option.Name, out var max)
                    && option.Tokens.FirstOrDefault(t => t.Value.Length > max) is { } token)
                {
                    return Hosting.TextLimits.TooLong(option.Option.Name, token.Value.Length, max);
                }
            }
        }

        return null;
    }

    /// <summary>The whole command tree; the hardening tests walk it to reach every option of every command.</summary>
    public static RootCommand BuildRoot(CliContext context)
        => new("AnprWatch: out-of-force ANPR hits on vehicles with PNC ACT markers (CSE).")
        {
            MarkersCommands.Build(context),
            LocationsCommands.Build(context),
            ReplayCommand.Build(context),
            HitsCommands.Build(context),
            SimulateCommand.Build(context),
            DbCommands.Build(context),
            ServeCommand.Build(context),
            KeysCommands.Build(context),
            AuditCommands.Build(context),
            ReportCommands.Build(context),
            ConfigCommands.Build(context),
            PurgeCommand.Build(context),
        };

    /// <summary>Wraps a command body with the exit-code contract: 2 for input a user can fix, 3 cancelled, 1 anything else.</summary>
    public static Func<ParseResult, CancellationToken, Task<int>> Guard(CliContext context, Func<ParseResult, CancellationToken, Task<int>> body)
        => async (parse, cancellationToken) =>
        {
            try
            {
                // One configuration, validated whole before any command does anything: a value config check or serve
                // would refuse stops every command too (exit 2 naming the key), so nothing runs on settings that cannot.
                _ = context.Provider.GetRequiredService<Hosting.AppOptions>();
                _ = Worker.ServeOptions.Load(context.Configuration);
                return await body(parse, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidInputException ex)
            {
                await context.Err.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }
            catch (Storage.StoreNotReadyException ex)
            {
                // A configuration error (a path, a connection string, a migration not yet applied): retrying the same
                // command cannot cure it, so it is reported like bad input, without a stack trace.
                await context.Err.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }
            catch (OperationCanceledException)
            {
                await context.Err.WriteLineAsync("cancelled").ConfigureAwait(false);
                return ExitCodes.Cancelled;
            }
            catch (Storage.ListChangedException ex)
            {
                // Lost a race with another bureau user: a failure to retry after looking again, not bad input.
                await context.Err.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (Exception ex) when (Worker.FailureClassifier.IsPermissionDenied(ex))
            {
                // SQL Server refused the login a permission (229, 230, 262, 300): the grants of this version's
                // deploy/sql/logins.sql were not applied. A configuration error an operator fixes, never a retry: exit 2.
                await context.Err.WriteLineAsync("error: " + Worker.FailureClassifier.DescribePermissionDenied(ex)).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }
            catch (DbException ex)
            {
                // Describe: a corrupt SQLite file says "restore it" rather than only SQLite's "malformed".
                await context.Err.WriteLineAsync("error: the store failed: " + Worker.FailureClassifier.Describe(ex)).ConfigureAwait(false);
                return ExitCodes.Failure;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await context.Err.WriteLineAsync("error: " + ex.Message).ConfigureAwait(false);
                return ExitCodes.Failure;
            }
        };
}
