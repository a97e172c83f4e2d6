using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Storage.Migrations;

namespace AnprWatch.Commands;

public static class DbCommands
{
    public static Command Build(CliContext context)
    {
        var migrate = new Command("migrate", "Apply the schema migrations of the configured store (SQLite or SQL Server).");
        migrate.SetAction(CliApp.Guard(context, async (_, ct) =>
        {
            var applied = await new MigrationRunner(context.Services.Database, context.Clock).MigrateAsync(ct).ConfigureAwait(false);
            await context.Out.WriteLineAsync(applied.Count == 0
                ? $"{context.Services.Database.Dialect.Name}: schema is up to date"
                : $"{context.Services.Database.Dialect.Name}: applied {string.Join(", ", applied)}").ConfigureAwait(false);
            return ExitCodes.Success;
        }));

        return new Command("db", "Database maintenance.") { migrate };
    }
}
