using System.CommandLine;
using AnprWatch.Cli;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using AnprWatch.Hosting;
using AnprWatch.Notifications;
using AnprWatch.Storage.Notifications;
using AnprWatch.Web.Api;
using AnprWatch.Web.Health;
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
            await using var app = Build(context, options);
            await app.Services.GetRequiredService<AppServices>().EnsureSchemaAsync(ct).ConfigureAwait(false);
            await app.Services.GetRequiredService<StoreGuard>().InitializeAsync(ct).ConfigureAwait(false);
            var fault = app.Services.GetRequiredService<WorkerFault>();
            try
            {
                await app.RunAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (fault.Failure is not null || !ct.IsCancellationRequested)
            {
                // The application was stopped while the host was still starting (Kestrel binding): the worker failed,
                // or SIGTERM came early (the host handles it). The host reports that as a cancelled start-up; the exit code follows the fault, as after start.
            }

            if (fault.Failure is { } denied && FailureClassifier.IsPermissionDenied(denied))
            {
                await context.Err.WriteLineAsync("error: " + FailureClassifier.DescribePermissionDenied(denied)).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
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
        builder.Configuration.AddStandardOtelVariables();

        // Type=notify under systemd (ready once the host has started, stopping on SIGTERM); nothing elsewhere. Before the
        // logging set-up, which keeps the JSON console format under systemd too.
        builder.Host.UseSystemd();
        builder.WebHost.UseUrls(options.HttpUrls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxBodyBytes);
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        // The health service logs every failing probe at Error: a paused worker would flood the logs once per probe per
        // pod. /readyz's body says what is not ready, and the worker logs its own state changes.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddAnprWatchTelemetry(builder.Configuration); // after ClearProviders: it adds the OTLP log provider
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddAnprWatchHealthChecks();
        builder.Services.AddAnprWatchCore(builder.Configuration, context.Clock);
        builder.Services.AddAnprWatchWorker(options);
        builder.Services.AddAnprWatchSecurity(options);

        var app = builder.Build();
        _ = app.Services.GetRequiredService<Telemetry>(); // the live-state gauges exist from the start
        app.UseExceptionHandler(); // an unhandled error is an RFC 7807 500, with no detail of the failure
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseStatusCodePages()); // bodiless API errors too
        app.UseFailedAuthenticationThrottle();
        app.UseStoreAvailability(); // before authentication: keys and sessions are checked against the right store only
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHealthEndpoints();
        app.UseAntiforgery();
        app.MapAnprWatchApi();
        app.MapAnprWatchPages();
        app.MapOpenApi().AllowAnonymous(); // /openapi/v1.json: the API's shape, no data
        return app;
    }

    /// <summary>The worker's services, registered in one place.</summary>
    public static IServiceCollection AddAnprWatchWorker(this IServiceCollection collection, ServeOptions options)
    {
        collection.AddSingleton(options);
        collection.AddSingleton<MarkerIndexHolder>();
        collection.AddSingleton<Core.Locations.LocationIndexHolder>();
        collection.AddSingleton<PipelineStats>();
        collection.AddSingleton<Readiness>();
        collection.AddSingleton<WorkerFault>();
        collection.AddSingleton<StoreGuard>();

        // The worker's hit store: the outbox-aware store (each hit's notifications queued in its own transaction) behind
        // the guard that refuses to write into a store that has vanished or changed identity.
        collection.AddSingleton(sp => new GuardedHitStore(
            new Storage.Hits.HitStore(sp.GetRequiredService<Storage.Database>(), sp.GetRequiredService<NotificationPlanner>()), sp.GetRequiredService<StoreGuard>()));
        collection.AddSingleton(sp => new Telemetry(sp.GetRequiredService<MarkerIndexHolder>(), () => sp.GetRequiredService<Readiness>().Lag(), sp.GetRequiredService<TimeProvider>()));
        collection.AddSingleton<Board.BoardFeed>();
        collection.AddSingleton(options.Board);
        collection.AddHostedService<Board.BoardChangePoller>();
        collection.AddSingleton<Board.AlertTopicListener>();
        collection.AddHostedService(sp => sp.GetRequiredService<Board.AlertTopicListener>());
        collection.AddHostedService<MarkerReloader>();
        collection.AddHostedService<LocationReloader>();
        collection.AddHostedService<PipelineWorker>();
        collection.AddHostedService<DailyHousekeeping>();

        // Notifications: queued by the pipeline's hit transaction (NotificationPlanner), sent by the dispatcher.
        collection.AddSingleton(options.Notify);
        collection.AddSingleton(new NotificationPlanner(options.Notify));
        collection.AddSingleton<NotificationStatus>();
        collection.AddSingleton<INotificationChannel>(new WebhookChannel(options.Notify, WebhookChannel.CreateClient()));
        collection.AddSingleton<INotificationChannel>(new EmailChannel(options.Notify));
        collection.AddHostedService<NotificationDispatcher>();
        return collection;
    }

    /// <summary><c>/healthz</c>: the process is alive. <c>/readyz</c>: store reachable, index loaded, source assigned (ASP.NET Core health checks).</summary>
    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapAnprWatchHealthChecks();
        return app;
    }
}
