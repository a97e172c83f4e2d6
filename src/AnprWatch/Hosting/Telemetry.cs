using System.Diagnostics.Metrics;
using AnprWatch.Core.Markers;
using AnprWatch.Core.Pipeline;
using Microsoft.Extensions.Configuration;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace AnprWatch.Hosting;

/// <summary>
/// OTLP export of the "AnprWatch" meter and activity source when <c>Telemetry:OtlpEndpoint</c> is set. The
/// hosting extensions package is not available here, so the providers are built directly and owned by this object.
/// </summary>
public sealed class Telemetry : IDisposable
{
    private readonly MeterProvider? _meters;
    private readonly TracerProvider? _traces;
    private readonly List<ObservableGauge<long>> _gauges = [];

    public Telemetry(IConfiguration configuration, MarkerIndexHolder index, Func<long?> consumerLag, TimeProvider clock)
    {
        // Gauges read live state; they exist whether or not anything exports them (dotnet-counters can read them too).
        _gauges.Add(PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.marker_index.size", () => (long)index.Current.Count, "{marker}", "Markers in the live index."));
        _gauges.Add(PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.marker_index.version", () => index.Current.Version, null, "Marker-list generation of the live index."));
        _gauges.Add(PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.marker_index.age", () => index.LoadedAt is { } at ? (long)(clock.GetUtcNow() - at).TotalSeconds : 0L, "s", "Seconds since the live index was built."));
        _gauges.Add(PipelineTelemetry.Meter.CreateObservableGauge("anprwatch.consumer.lag", () => consumerLag() ?? 0L, "{message}", "Messages behind the end of the assigned partitions."));

        var endpoint = configuration["Telemetry:OtlpEndpoint"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var baseUri))
        {
            throw new Cli.InvalidInputException($"configuration Telemetry:OtlpEndpoint: '{endpoint}' is not an absolute URL");
        }

        var interval = int.TryParse(configuration["Telemetry:ExportIntervalMs"], System.Globalization.CultureInfo.InvariantCulture, out var ms) && ms > 0 ? ms : 10_000;
        _meters = Sdk.CreateMeterProviderBuilder()
            .AddMeter(PipelineTelemetry.Name)
            .AddOtlpExporter((exporter, reader) =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(baseUri, "v1/metrics");
                reader.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = interval;
            })
            .Build();
        _traces = Sdk.CreateTracerProviderBuilder()
            .AddSource(PipelineTelemetry.Name)
            .AddOtlpExporter(exporter =>
            {
                exporter.Protocol = OtlpExportProtocol.HttpProtobuf;
                exporter.Endpoint = new Uri(baseUri, "v1/traces");
            })
            .Build();
    }

    public void Dispose()
    {
        _meters?.Dispose();
        _traces?.Dispose();
    }
}
