using System.Data.Common;
using Dapper;

namespace AnprWatch.Storage.Housekeeping;

/// <summary>
/// Claims a daily task for one instance of the many that share a store: the first to insert (task, day) runs it,
/// the others see the primary key taken and skip. Without it every replica purged, and audited the purge, every day.
/// </summary>
public sealed class HousekeepingRuns(Database database)
{
    public const string RetentionPurge = "retention-purge";

    /// <summary>True when this instance claimed the task for the day; false when another instance already had.</summary>
    public async Task<bool> TryClaimAsync(string task, DateOnly day, string instance, DateTimeOffset at, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"INSERT INTO {database.Table("housekeeping_runs")} (task, day, claimed_by, claimed_at_ms) VALUES (@task, @day, @instance, @at)",
                new
                {
                    task = new DbString { Value = task, IsAnsi = true, Length = 64 },
                    day = new DbString { Value = day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), IsAnsi = true, IsFixedLength = true, Length = 10 },
                    instance = new DbString { Value = instance.Length > 128 ? instance[..128] : instance, IsAnsi = false, Length = 128 },
                    at = at.ToUnixTimeMilliseconds(),
                },
                cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (DbException ex) when (database.Dialect.IsUniqueViolation(ex))
        {
            return false;
        }
    }
}
