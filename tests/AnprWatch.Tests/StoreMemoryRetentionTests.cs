using AnprWatch.Hosting;
using AnprWatch.Tests.Reliability;
using AnprWatch.Worker;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AnprWatch.Tests;

/// <summary>
/// serve's start check skips a remembered hit only when retention may have purged it: exactly the purge's cut (the
/// start of the UK day Retention:HitDays back), with no margin that, at short retention, would skip every hit.
/// The clock is 12:00 UTC on 30 November 2026 (GMT), so with HitDays=1 the cut is 00:00 on 29 November.
/// </summary>
public class StoreMemoryRetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Found by an attack: with Retention:HitDays=1 the margin made every hit "purgeable", so no restore was noticed.</summary>
    [TestCase("2026-11-30T10:00:00Z", true, TestName = "a hit read two hours ago and gone from the store stops the start")]
    [TestCase("2026-11-29T00:00:00Z", true, TestName = "a hit read exactly at the purge's cut and gone stops the start")]
    [TestCase("2026-11-28T23:59:59Z", false, TestName = "a hit read a second before the cut may have been purged: the store is accepted")]
    public async Task With_one_day_retention_a_missing_recent_hit_still_shows_a_restored_copy(string observedAt, bool refused)
    {
        using var cli = new CliRunner();
        var storeId = (await cli.ColumnAsync("SELECT store_id FROM store_identity")).Single();
        new StoreMemory(cli.Database + ".serve-state.json").Write(new StoreMemory.State(storeId, "h-gone", DateTimeOffset.Parse(observedAt, System.Globalization.CultureInfo.InvariantCulture)));
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:ConnectionString"] = $"Data Source={cli.Database}",
            ["Retention:HitDays"] = "1",
        }).Build();
        using var services = new ServiceCollection().AddAnprWatchCore(configuration, new FakeTimeProvider(Now)).BuildServiceProvider();
        var guard = new StoreGuard(services.GetRequiredService<AppServices>(), new Logs<StoreGuard>());

        if (refused)
        {
            Assert.That(async () => await guard.InitializeAsync(CancellationToken.None),
                Throws.InstanceOf<StoreMismatchException>().With.Message.Contain("no longer holds hit h-gone"));
        }
        else
        {
            await guard.InitializeAsync(CancellationToken.None);
            Assert.That(guard.ExpectedStoreId, Is.EqualTo(storeId));
        }
    }
}
