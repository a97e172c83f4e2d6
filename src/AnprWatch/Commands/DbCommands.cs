using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Storage.Migrations;

namespace AnprWatch.Commands;

public static class DbCommands
{
    public static Command Build(CliContext context)
    {
        var migrate = new Command("migrate", "Create the configured store if it does not exist and apply its pending schema migrations (SQLite or SQL Server; on SQL Server with a DDL-capable login). The only command that runs DDL.");
        migrate.SetAction(CliApp.Guard(context, async (_, ct) =>
        {
            var applied = await new MigrationRunner(context.Services.Database, context.Clock).MigrateAsync(ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(applied.Count == 0
                ? $"{context.Services.Database.Dialect.Name}: schema is up to date"
                : $"{context.Services.Database.Dialect.Name}: applied {string.Join(", ", applied)}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));

        var provider = new Option<string>("--provider") { Description = "The dialect to script: sqlserver.", Required = true };
        provider.AcceptOnlyFromAmong("sqlserver");
        var script = new Command("script", "Print the complete idempotent T-SQL of the schema, with the migrations journal `db migrate` shares, for a DBA to review and run with `sqlcmd -b -i`. Connects to nothing.") { provider };
        script.SetAction(CliApp.Guard(context, async (_, _) =>
        {
            await context.Out.WriteAsync(SqlServerInstallScript.Generate()).ConfigureAwait(false);
            return ExitCodes.Success;
        }));

        return new Command("db", "Database maintenance.") { migrate, script };
    }
}
