using System.Reflection;
using Dapper;

namespace AnprWatch.Storage.Migrations;

/// <summary>Applies the embedded scripts of the configured dialect in order, each in its own transaction, once.</summary>
public sealed class MigrationRunner(Database database, TimeProvider clock)
{
    public async Task<IReadOnlyList<string>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        // Creating the store beside an orphaned write-ahead log would have SQLite delete that log, and with it the commits the moved database still needs.
        if (database.Dialect.LeftoverFilesReason() is { } leftover)
        {
            throw new StoreNotReadyException(leftover);
        }

        var scripts = Scripts(database.Dialect);

        await using var connection = await database.OpenForMigrationAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(database.Dialect.MigrationsTableDdl, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var applied = (await connection.QueryAsync<long>(new CommandDefinition(
            $"SELECT version FROM {database.Table("schema_migrations")}", cancellationToken: cancellationToken)).ConfigureAwait(false)).ToHashSet();

        var done = new List<string>();
        foreach (var (name, resource) in scripts)
        {
            var version = VersionOf(name);
            if (applied.Contains(version))
            {
                continue;
            }

            var script = Read(resource);
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

    /// <summary>The embedded scripts of a dialect, in the order they apply.</summary>
    public static IReadOnlyList<(string Name, string Resource)> Scripts(Dialects.SqlDialect dialect)
    {
        var prefix = $"migrations.{dialect.Name}.";
        return typeof(MigrationRunner).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Select(n => (Name: n[prefix.Length..], Resource: n))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
    }

    public static long VersionOf(string scriptName)
        => long.Parse(scriptName.AsSpan(0, scriptName.IndexOf('_', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The schema version this build needs: its newest migration.</summary>
    public static long RequiredVersion(Dialects.SqlDialect dialect) => Scripts(dialect).Max(s => VersionOf(s.Name));

    /// <summary>The newest migration the store's journal records, or null when the store has no journal (no AnprWatch schema).</summary>
    public async Task<long?> CurrentVersionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            database.Dialect.TableExistsQuery, new { table = "schema_migrations" }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (exists == 0)
        {
            return null;
        }

        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            $"SELECT MAX(version) FROM {database.Table("schema_migrations")}", cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// What every command and <c>serve</c> do before touching the store. They never run DDL unless
    /// <paramref name="createIfMissing"/> (Storage:CreateIfMissing, demos only): a missing store, a database with no
    /// AnprWatch schema, or a schema older than this build needs is a <see cref="StoreNotReadyException"/> that says
    /// to run <c>anprwatch db migrate</c>. A newer schema is accepted: migrations only add, so the previous build can
    /// run beside the next one during a rolling upgrade.
    /// </summary>
    public async Task EnsureReadyAsync(bool createIfMissing, CancellationToken cancellationToken = default)
    {
        if (createIfMissing)
        {
            await MigrateAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        if (database.Dialect.MissingStoreReason() is { } missing)
        {
            throw new StoreNotReadyException(missing);
        }

        var current = await CurrentVersionAsync(cancellationToken).ConfigureAwait(false);
        var required = RequiredVersion(database.Dialect);
        if (current is null)
        {
            throw new StoreNotReadyException($"{database.Dialect.Describe()} holds no AnprWatch schema (no schema_migrations journal); create it with `anprwatch db migrate`");
        }

        if (current < required)
        {
            throw new StoreNotReadyException(
                $"{database.Dialect.Describe()} has schema version {current} and this build needs {required}; apply the missing migrations with `anprwatch db migrate` (SQL Server: with a DBA's credentials, or run the output of `anprwatch db script --provider sqlserver` with sqlcmd)");
        }
    }

    internal static string Read(string resource)
    {
        using var stream = typeof(MigrationRunner).Assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
