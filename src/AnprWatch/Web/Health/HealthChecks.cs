using AnprWatch.Core.Markers;
using AnprWatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AnprWatch.Web.Health;

/// <summary>
/// ASP.NET Core health checks behind the probes. <c>/healthz</c> runs the liveness checks (none: answering at all is
/// the proof) and says <c>ok</c>. <c>/readyz</c> runs <see cref="ReadinessCheck"/> and answers 200 or 503 with its
/// JSON body. Both are ordinary GET endpoints that ask <see cref="HealthCheckService"/>, so the OpenAPI document
/// describes them like every other endpoint.
/// </summary>
public static class HealthChecks
{
    public const string Live = "live";
    public const string Ready = "ready";

    public static IServiceCollection AddAnprWatchHealthChecks(this IServiceCollection services)
    {
        services.AddHealthChecks().AddCheck<ReadinessCheck>(ReadinessCheck.Name, tags: [Ready]);
        return services;
    }

    public static IEndpointRouteBuilder MapAnprWatchHealthChecks(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", async (HealthCheckService health, CancellationToken ct) =>
        {
            var report = await health.CheckHealthAsync(c => c.Tags.Contains(Live), ct).ConfigureAwait(false);
            return report.Status == HealthStatus.Healthy ? Results.Text("ok") : Results.Text(report.Status.ToString(), statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithTags("health").WithSummary("Liveness: the process answers.");

        app.MapGet("/readyz", async (HealthCheckService health, CancellationToken ct) =>
        {
            var report = await health.CheckHealthAsync(c => c.Tags.Contains(Ready), ct).ConfigureAwait(false);
            var entry = report.Entries[ReadinessCheck.Name];
            object body = entry.Data.TryGetValue(ReadinessCheck.Body, out var data) ? data : new { ready = false, error = entry.Description ?? "the readiness check failed" };
            return Results.Json(body, statusCode: report.Status == HealthStatus.Healthy ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous().WithTags("health").WithSummary("Readiness: store reachable, marker index loaded with at least one marker, source assigned.");
        return app;
    }
}

/// <summary>Ready = the store answers, the live index holds at least one marker, and the source is assigned.</summary>
public sealed class ReadinessCheck(StoreGuard guard, MarkerIndexHolder holder, Readiness readiness, ServeOptions options, TimeProvider clock, Notifications.NotificationStatus notifications, Board.BoardFeed boards) : IHealthCheck
{
    public const string Name = "readiness";
    public const string Body = "body";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(2));
        // Reachable and the very store serve started with: a vanished or replaced store is not ready, and says why.
        string? problem;
        try
        {
            problem = await guard.CheckAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            problem = "the store did not answer within 2 s";
        }

        var store = problem is null;
        var live = holder.Live;
        var failing = readiness.Failing;
        var stalledFor = failing is { } f ? clock.GetUtcNow() - f.Since : TimeSpan.Zero;
        var stalled = failing is not null && stalledFor >= options.StalledAfter;
        var body = new
        {
            store = store ? "reachable" : "unreachable",
            storeProblem = problem,
            index = (readiness.IndexProblem ?? readiness.LocationProblem) is { } refused ? refused
                : live is null ? "not loaded"
                : live.Index.Count == 0 ? $"generation {live.Index.Version}: no force has an active marker list, so nothing can match"
                : $"generation {live.Index.Version}, {live.Index.Count} markers",
            source = readiness.SourceState,
            worker = failing is { } stall
                ? $"the batch in hand has failed for {stalledFor.TotalSeconds:0} s and is being retried: {stall.Error}"
                : "processing",
            ready = new { store, index = live is { Index.Count: > 0 } && readiness.IndexProblem is null && readiness.LocationProblem is null, source = readiness.SourceReady, worker = !stalled },

            // Reported, never part of "ready": a receiver being down must not take the worker out of service.
            notifications = notifications.Describe(),

            // Boards open on this instance and the store queries made for boards since start (initial windows and the
            // one change cursor): what the board benchmark reads to give board queries per second.
            boards = new { open = boards.Subscribers, storeQueries = boards.StoreQueries },
        };

        // An empty index is not ready: a worker that can match nothing must not be mistaken for one that is working.
        var ready = body.ready is { store: true, index: true, source: true, worker: true };
        var data = new Dictionary<string, object> { [Body] = body };
        return ready ? HealthCheckResult.Healthy("ready", data) : HealthCheckResult.Unhealthy("not ready", data: data);
    }
}
