using System.Diagnostics.Metrics;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AnprWatch.Hosting;

/// <summary>
/// The live-state gauges of the "AnprWatch" meter (index size, generation and age, consumer lag). They exist whether or
/// not anything exports them (dotnet-counters can read them too); export is <see cref="TelemetryRegistration"/>'s job.
/// </summary>
public sealed class Telemetry
{
    private readonly List<ObservableGauge<long>> _gauges = [];

    public Telemetry(MarkerIndexHolder index, Func<long?> consumerLag, TimeProvider clock)
    {
        _gauges.Add(PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.marker_index.size", () => (long)index.Current.Count, "{marker}", "Markers in the live index."));
        _gauges.Add(PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.marker_index.version", () => index.Current.Version, null, "Marker-list generation of the live index."));
        _gauges.Add(PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.marker_index.age", () => index.LoadedAt is { } at ? (long)(clock.GetUtcNow() - at).TotalSeconds : 0L, "s", "Seconds since the live index was built."));
        _gauges.Add(PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.consumer.lag", () => consumerLag() ?? 0L, "{message}", "Messages behind the end of the assigned partitions."));
    }
}

/// <summary>
/// OpenTelemetry through the standard hosting package: the "AnprWatch" meter and activity source, ASP.NET Core,
/// HttpClient and runtime instrumentation, and the app's logs, exported over OTLP when an endpoint is configured.
/// <para>
/// Configured by the standard variables (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>,
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c>, …), read by the SDK itself, or by the app's keys, which win when set:
/// <c>Telemetry:OtlpEndpoint</c> (base URL; OTLP/HTTP protobuf to <c>v1/metrics</c>, <c>v1/traces</c>, <c>v1/logs</c>)
/// and <c>Telemetry:ExportIntervalMs</c>.
/// </para>
/// <para>
/// No plate leaves by this route: the app never logs or tags one, request spans carry the route template and a
/// path (API paths hold force codes and hit ids, never a VRM), and the instrumentation redacts query-string values.
/// </para>
/// </summary>
public static class TelemetryRegistration
{
    public const string ServiceName = "anprwatch";

    public static IServiceCollection AddAnprWatchTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration["Telemetry:OtlpEndpoint"];
        Uri? baseUri = null;
        if (!string.IsNullOrWhiteSpace(endpoint) && !Uri.TryCreate(endpoint, UriKind.Absolute, out baseUri))
        {
            throw new Cli.InvalidInputException($"configuration Telemetry:OtlpEndpoint: '{endpoint}' is not an absolute URL");
        }

        int? interval = null;
        if (configuration["Telemetry:ExportIntervalMs"] is { Length: > 0 } text)
        {
            interval = int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0
                ? ms
                : throw new Cli.InvalidInputException($"configuration Telemetry:ExportIntervalMs: '{text}' is not a positive whole number of milliseconds");
        }

        // Each signal is exported when the app's endpoint is set, or the standard variables name an endpoint for it.
        bool Exports(string signal) => baseUri is not null
            || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
            || !string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"]);

        void Exporter(OtlpExporterOptions exporter, string signal)
        {
            if (baseUri is not null)
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(baseUri, signal);
            }
        }

        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : ServiceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(PipelineTelemetry.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation().AddRuntimeInstrumentation();
                if (Exports("METRICS"))
                {
                    metrics.AddOtlpExporter((exporter, reader) =>
                    {
                        Exporter(exporter, "v1/metrics");
                        if (interval is { } ms)
                        {
                            reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = ms;
                        }
                    });
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(PipelineTelemetry.Name)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                    .AddHttpClientInstrumentation();
                if (Exports("TRACES"))
                {
                    tracing.AddOtlpExporter(exporter => Exporter(exporter, "v1/traces"));
                }
            })
            .WithLogging(logging =>
            {
                if (Exports("LOGS"))
                {
                    logging.AddOtlpExporter(exporter => Exporter(exporter, "v1/logs"));
                }
            }, options =>
            {
                options.IncludeFormattedMessage = true;
                options.IncludeScopes = false;
            });
        return services;
    }

    /// <summary>Probes are polled every few seconds by the orchestrator: spans for them would be noise.</summary>
    private static bool IsProbe(Microsoft.AspNetCore.Http.PathString path) => path == "/healthz" || path == "/readyz";

    /// <summary>
    /// Adds the process's OTEL_* environment variables to <paramref name="configuration"/> under their own names: the
    /// SDK reads them from the host's configuration, and serve's holds only the app's own (ANPRWATCH_-prefixed) sources.
    /// </summary>
    public static IConfigurationBuilder AddStandardOtelVariables(this IConfigurationBuilder configuration)
    {
        var standard = Environment.GetEnvironmentVariables().Keys.OfType<string>()
            .Where(k => k.StartsWith("OTEL_", StringComparison.Ordinal))
            .Select(k => new KeyValuePair<string, string?>(k, Environment.GetEnvironmentVariable(k)));
        return configuration.AddInMemoryCollection(standard);
    }
}
