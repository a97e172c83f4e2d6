using System.Reflection;
using Dapper;

namespace AnprWatch.Storage.Migrations;

/// <summary>Applies the embedded scripts of the configured dialect in order, each in its own transaction, once.</summary>
public sealed class MigrationRunner(Database database, TimeProvider clock)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var prefix = $"migrations.{database.Dialect.Name}.";
        var assembly = typeof(MigrationRunner).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (Name: n[prefix.Length..], Resource: n))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(database.Dialect.MigrationsTableDdl, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var applied = (await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT version FROM {database.Table("schema_migrations")}", cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet();

        var done = new List<string>();
        foreach (var (name, resource) in scripts)
        {
            var version = long.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);
            if (applied.Contains(version))
            {
                continue;
            }

            var script = Read(assembly, resource);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var batch in database.Dialect.SplitScript(script))
            {
                await connection.ExecuteAsync(new CommandDefinition(batch, transaction: transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO {database.Table("schema_migrations")} (version, name, applied_at_ms) VALUES (@version, @name, @at)",
                new { version, name, at = clock.GetUtcNow().ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            done.Add(name);
        }

        return done;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
