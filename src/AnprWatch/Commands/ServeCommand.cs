using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using AnprWatch.Hosting;
using AnprWatch.Web.Api;
using AnprWatch.Web.Pages;
using AnprWatch.Web.Security;
using AnprWatch.Worker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Commands;

public static class ServeCommand
{
    public static Command Build(CliContext context)
    {
        var command = new Command("serve", "Run the worker: Kafka, folder or no source, with HTTP (health, readiness) on Http:Urls.");
        command.SetAction(CliApp.Guard(context, async (_, ct) =>
        {
            var options = ServeOptions.Load(context.Configuration);
            var services = context.Services;
            await services.EnsureSchemaAsync(ct).ConfigureAwait(false);

            await using var app = Build(context, options);
            await app.Services.GetRequiredService<StoreGuard>().InitializeAsync(ct).ConfigureAwait(false);
            var fault = app.Services.GetRequiredService<WorkerFault>();
            try
            {
                await app.RunAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (fault.Failure is not null || !ct.IsCancellationRequested)
            {
                // The application was stopped while the host was still starting (Kestrel binding): the worker failed,
                // or it stopped on purpose (Kafka:ExitWhenCaughtUp with nothing to read, or SIGTERM, which the host
                // handles). The host reports that as a cancelled start-up; the exit code follows the fault, as after start.
            }

            if (fault.Failure is { } failure)
            {
                await context.Err.WriteLineAsync($"error: the worker stopped: {failure.GetType().Name}: {failure.Message}").ConfigureAwait(false);
                return ExitCodes.Failure;
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The whole serve process: worker, security, health and API, on the command's configuration.</summary>
    public static WebApplication Build(CliContext context, ServeOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(context.Configuration);
        builder.WebHost.UseUrls(options.HttpUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddAnprWatchWorker(context.Services, options);
        builder.Services.AddAnprWatchSecurity(options);

        var app = builder.Build();
        _ = app.Services.GetRequiredService<Telemetry>(); // exporters start with the process and stop with it
        app.UseFailedAuthenticationThrottle();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.UseAntiforgery();
        app.MapAnprWatchApi();
        app.MapAnprWatchPages();
        return app;
    }

    /// <summary>The worker's services, registered in one place.</summary>
    public static IServiceCollection AddAnprWatchWorker(this IServiceCollection collection, AppServices services, ServeOptions options)
    {
        collection.AddSingleton(services);
        collection.AddSingleton(options);
        collection.AddSingleton(services.Clock);
        collection.AddSingleton<MarkerIndexHolder>();
        collection.AddSingleton<PipelineStats>();
        collection.AddSingleton<Readiness>();
        collection.AddSingleton<WorkerFault>();
        collection.AddSingleton<StoreGuard>();
        collection.AddSingleton(sp => new Telemetry(
            sp.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>(), sp.GetRequiredService<MarkerIndexHolder>(), () => sp.GetRequiredService<Readiness>().Lag(), services.Clock));
        collection.AddHostedService<MarkerReloader>();
        collection.AddHostedService<PipelineWorker>();
        collection.AddHostedService<DailyHousekeeping>();
        return collection;
    }

    /// <summary><c>/healthz</c>: the process is alive. <c>/readyz</c>: store reachable, index loaded, source assigned.</summary>
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous();
        app.MapGet("/readyz", async (StoreGuard guard, MarkerIndexHolder holder, Readiness readiness, CancellationToken ct) =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));

            // Reachable and the very store serve started with: a vanished or replaced store is not ready, and says why.
            string? problem;
            try
            {
                problem = await guard.CheckAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                problem = "the store did not answer within 2 s";
            }

            var store = problem is null;
            var live = holder.Live;
            var body = new
            {
                store = store ? "reachable" : "unreachable",
                storeProblem = problem,
                index = live is null ? "not loaded"
                    : live.Index.Count == 0 ? $"generation {live.Index.Version}: no force has an active marker list, so nothing can match"
                    : $"generation {live.Index.Version}, {live.Index.Count} markers",
                source = readiness.SourceState,
                ready = new { store, index = live is { Index.Count: > 0 }, source = readiness.SourceReady },
            };

            // An empty index is not ready: a worker that can match nothing must not be mistaken for one that is working.
            var ready = body.ready is { store: true, index: true, source: true };
            return ready ? Results.Json(body) : Results.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
        }).AllowAnonymous();
        return app;
    }
}
