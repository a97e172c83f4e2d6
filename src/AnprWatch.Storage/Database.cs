using System.Data.Common;
using AnprWatch.Storage.Dialects;
using Dapper;

namespace AnprWatch.Storage;

/// <summary>Opens prepared connections for one configured store. Everything that touches the database goes through here.</summary>
public sealed class Database
{
    static Database()
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
    }

    public Database(StorageOptions options)
        : this(SqlDialect.For(options))
    {
    }

    public Database(SqlDialect dialect)
    {
        Dialect = dialect;
    }

    public SqlDialect Dialect { get; }

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
        => OpenPreparedAsync(Dialect.CreateConnection(), cancellationToken);

    /// <summary>A connection that may create the store: only the migration runner uses it.</summary>
    public Task<DbConnection> OpenForMigrationAsync(CancellationToken cancellationToken = default)
        => OpenPreparedAsync(Dialect.CreateMigrationConnection(), cancellationToken);

    private async Task<DbConnection> OpenPreparedAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await Dialect.PrepareAsync(connection, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// The store's identity (written once by migration 0003), read over a fresh probe connection so that a SQLite
    /// file deleted or replaced under a pooled connection is seen as it now is. Null when the store has no identity
    /// (an empty or foreign database); a <see cref="DbException"/> when it cannot be opened at all.
    /// </summary>
    public async Task<string?> ReadStoreIdAsync(CancellationToken cancellationToken)
    {
        if (Dialect.MissingStoreReason() is not null)
        {
            return null;
        }

        await using var connection = Dialect.CreateProbeConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var tables = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            Dialect.TableExistsQuery, new { table = "store_identity" }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (tables == 0)
        {
            return null;
        }

        return await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            Dialect.Top1("store_id", $"FROM {Table("store_identity")}"), cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a hit is in the store, over a fresh probe connection: the store guard's check that the store still holds
    /// the last hit this process stored (a copy restored from an earlier backup has the same id but not that hit).
    /// </summary>
    public async Task<bool> HitExistsAsync(string hitId, CancellationToken cancellationToken)
    {
        await using var connection = Dialect.CreateProbeConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var count = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM {Table("hits")} WHERE hit_id = @hitId", new { hitId = Typed.HitId(hitId) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return count > 0;
    }

    public string Table(string name) => Dialect.PrefixTableName(name);

    /// <summary>The readiness probe: the store can be opened afresh and holds AnprWatch's schema.</summary>
    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = Dialect.CreateProbeConnection();
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition(
                $"SELECT COUNT(*) FROM {Table("schema_migrations")}", cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }
}
