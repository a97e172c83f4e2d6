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

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = Dialect.CreateConnection();
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
