using AnprWatch.Cli;
using AnprWatch.Commands;
using AnprWatch.Hosting;
using AnprWatch.Worker;
using Microsoft.AspNetCore.Builder;

namespace AnprWatch.Tests.Web;

/// <summary>
/// The whole serve app (ServeCommand.Build: API, pages, security, worker, housekeeping) started inside the test host
/// on a clock the test chooses, so rules about "today" can be tested at fixed dates. No source: HTTP only.
/// </summary>
public sealed class InProcessServe : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InProcessServe(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The running app's services (to read the options it was configured with).</summary>
    public IServiceProvider Services => _app.Services;

    public static async Task<InProcessServe> StartAsync(CliRunner cli, TimeProvider clock, params string[] extra)
    {
        var port = Kafka.KafkaBroker.FreePort();
        var context = new CliContext(TextWriter.Null, TextWriter.Null, clock, () => AppConfiguration.Build(
        [
            $"--Storage:ConnectionString=Data Source={cli.Database}", $"--Http:Urls=http://127.0.0.1:{port}", "--Source:Kind=none",
            "--Retention:HitDays=36500", "--Logging:LogLevel:Default=Warning", .. extra,
        ]));
        await new Storage.Migrations.MigrationRunner(context.Services.Database, clock).MigrateAsync();
        var app = ServeCommand.Build(context, ServeOptions.Load(context.Configuration));
        await app.StartAsync();
        return new InProcessServe(app, port);
    }

    public HttpClient CreateClient(string apiKey)
    {
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port}"), Timeout = TimeSpan.FromSeconds(20) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", apiKey);
        return http;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
