// Store capacity on SQLite, the proxy for SQL Server's figures in deploy/sql/README.md (issue 18):
//   dotnet run -c Release --project benchmarks/AnprWatch.StoreCapacity -- [--markers=100000] [--batches=20] [--hits=2500] [--runs=3]
// A fresh SQLite file (WAL, synchronous=FULL, as serve runs it) in a temporary folder; each figure is the median of
// --runs runs. Stores are called as serve calls them: a batch's suppression read, SaveHitsAsync, marking its alerts.
using System.Diagnostics;
using System.Globalization;
using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using AnprWatch.Core.Markers;
using AnprWatch.Storage;
using AnprWatch.Storage.Audit;
using AnprWatch.Storage.Dialects;
using AnprWatch.Storage.Hits;
using AnprWatch.Storage.Markers;
using AnprWatch.Storage.Migrations;

var options = args.Select(a => a.TrimStart('-').Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => int.Parse(p[1], CultureInfo.InvariantCulture));
int Option(string name, int fallback) => options.TryGetValue(name, out var value) ? value : fallback;
var markerCount = Option("markers", 100_000);
var batches = Option("batches", 20);
var hitsPerBatch = Option("hits", 2_500);
var runs = Option("runs", 3);

var avon = ForceRegistry.Get("avon-and-somerset");
var wiltshire = ForceRegistry.Get("wiltshire");
var t0 = new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);
var markers = Enumerable.Range(0, markerCount)
    .Select(j => new Marker($"AB{j:000000}", $"SR-{j}", RiskLevel.High, avon, new DateOnly(2027, 1, 1), null, "OP RAILCAR", "stop and check", "desk 01234", "ACT")).ToList();

var imports = new List<double>();
var perBatch = new List<double>();
var hitsPerSecond = new List<double>();
var purgeChunks = new List<double>();
for (var run = 0; run < runs; run++)
{
    var folder = Directory.CreateTempSubdirectory("anprwatch-capacity-").FullName;
    try
    {
        var database = new Database(new SqliteDialect($"Data Source={Path.Combine(folder, "capacity.db")}"));
        var clock = TimeProvider.System;
        await new MigrationRunner(database, clock).MigrateAsync();
        var audit = new AuditLog(database);
        var store = new MarkerListStore(database, audit, clock);
        var hits = new HitStore(database);

        var watch = Stopwatch.StartNew();
        await store.ReplaceAsync(avon, markers, "capacity", "bureau", new string('a', 64), MarkerListDiff.Compute([], markers), "import");
        imports.Add(watch.Elapsed.TotalSeconds);

        var batchTimes = new List<double>();
        var total = Stopwatch.StartNew();
        for (var b = 0; b < batches; b++)
        {
            var batch = Enumerable.Range(0, hitsPerBatch).Select(i => Hit($"b{b}-r{i}", markers[(b * hitsPerBatch + i) % markers.Count], t0.AddSeconds(b * hitsPerBatch + i))).ToList();
            watch.Restart();
            await hits.AlertedHitsAsync([.. batch.Select(h => h.MarkerId).Distinct()], t0.AddMinutes(-15), batch[^1].ObservedAt, CancellationToken.None);
            var stored = await hits.SaveHitsAsync(batch, CancellationToken.None);
            await hits.MarkAlertsDeliveredAsync([.. stored.Where(h => h.Alerted).Select(h => h.HitId)], t0, CancellationToken.None);
            batchTimes.Add(watch.Elapsed.TotalMilliseconds);
        }

        hitsPerSecond.Add(batches * hitsPerBatch / total.Elapsed.TotalSeconds);
        perBatch.Add(Median(batchTimes));

        watch.Restart();
        var purged = await hits.PurgeAsync(t0.AddDays(1), "capacity", audit, clock);
        purgeChunks.Add(watch.Elapsed.TotalMilliseconds / Math.Ceiling(purged / (double)HitStore.IdsPerStatement));
        if (purged != batches * hitsPerBatch)
        {
            throw new InvalidOperationException($"purged {purged}, stored {batches * hitsPerBatch}");
        }
    }
    finally
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(folder, recursive: true);
    }
}

Console.WriteLine($"SQLite store capacity, median of {runs} runs ({Environment.ProcessorCount} cores, .NET {Environment.Version})");
Console.WriteLine($"  marker import, {markerCount:N0} markers (one transaction):  {Median(imports):0.00} s  ({markerCount / Median(imports):N0} markers/s)");
Console.WriteLine($"  hit batches, {hitsPerBatch:N0} hits each (suppression read, save + read-back, mark alerted), {batches} batches:");
Console.WriteLine($"    {Median(perBatch):0} ms per batch, {Median(hitsPerSecond):N0} hits/s stored");
Console.WriteLine($"  retention purge: {Median(purgeChunks):0.0} ms per chunk of {HitStore.IdsPerStatement:N0} hits (its own transaction)");

static double Median(List<double> values)
{
    var sorted = values.Order().ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

Hit Hit(string readId, Marker marker, DateTimeOffset observedAt)
{
    var hitId = HitIds.ForHit(readId, marker.MarkerId);
    return new Hit
    {
        HitId = hitId, AlertId = HitIds.ForAlert(hitId), ReadId = readId, MarkerId = marker.MarkerId, Vrm = marker.Vrm, MarkerVrm = marker.Vrm,
        MatchKind = MatchKind.Exact, ObservedAt = observedAt, CameraId = "CAM-0001", Site = "A4 Bath Road eastbound", Lat = 51.4, Lon = -2.5, CameraForce = wiltshire,
        HostForce = marker.HostForce, Risk = marker.Risk, Priority = Priority.High, SuspectRef = marker.SuspectRef, ReviewOverdue = false,
        Operation = marker.Operation, Action = marker.Action, Contact = marker.Contact, PlateImageUrl = "https://images.example/p/0001.jpg",
        InForce = false, NotAlertedReason = NotAlertedReason.None, RecordedAt = observedAt.AddSeconds(1),
    };
}
