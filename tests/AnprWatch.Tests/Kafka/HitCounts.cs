using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests.Kafka;

/// <summary>How many hits a runner's SQLite file holds, read with a fresh unpooled connection (never the worker's).</summary>
public static class HitCounts
{
    public static async Task<long> CountAsync(CliRunner cli)
    {
        await using var connection = new SqliteConnection($"Data Source={cli.Database};Pooling=false;Default Timeout=60");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM hits";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static async Task WaitForAsync(CliRunner cli, long expected, int seconds, int pollMs = 250)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (await CountAsync(cli) < expected)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"timed out waiting for {expected} hits");
            await Task.Delay(pollMs);
        }
    }
}
