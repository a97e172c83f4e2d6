using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using AnprWatch.Tests.Web;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests.Hardening;

/// <summary>
/// DESIGN §7 against a running serve: injection strings in every parameter of every endpoint (read from the app's
/// endpoint table), markup in every parameter a page echoes, and request bodies over their limits.
/// </summary>
[NonParallelizable]
public class WebHardeningTests
{
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due,expires,operation,action,contact,marker_type";
    private const string Script = "<script>alert(1)</script>";

    private CliRunner _cli = null!;
    private Kafka.ServeProcess _serve = null!;
    private HttpClient _http = null!;
    private string _admin = "";
    private string _hitId = "";

    [OneTimeSetUp]
    public async Task StartServe()
    {
        _cli = new CliRunner();
        _admin = (await _cli.RunAsync("keys", "create", "--role", "admin", "--name", "admin")).Out.Trim();
        await _cli.ImportCsvAsync("wiltshire", $"{Header}\nAB12CDE,SR-1,HIGH,wiltshire,2099-01-01,,RAILCAR,,,ACT\n");
        _hitId = (await TestHits.StoreAsync(_cli, "read-1")).HitId;
        _serve = Kafka.ServeProcess.StartWith(_cli, "--Source:Kind=none", "--Http:MaxBodyBytes=4096", "--Markers:MaxFileBytes=20000");
        await _serve.WaitReadyAsync();
        _http = _serve.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopServe()
    {
        _http?.Dispose();
        if (_serve is not null)
        {
            await _serve.DisposeAsync();
        }

        _cli?.Dispose();
    }

    private static readonly Dictionary<string, string> QueryDefaults = new()
    {
        ["from"] = "2026-06-01", ["to"] = "2026-06-02", ["justification"] = "case 2026/114 review", ["dryRun"] = "true",
    };

    private Dictionary<string, string> BodyDefaults(Type type) => type.Name switch
    {
        "ReviewRequest" => new() { ["Vrm"] = "AB12CDE", ["SuspectRef"] = "SR-1", ["ReviewDue"] = TestClock.UkToday.AddMonths(6).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["Note"] = "ok" },
        "OutcomeRequest" => new() { ["Status"] = "acknowledged", ["Note"] = "seen" },
        _ => throw new AssertionException($"no default body for {type.Name}: add one so its fields are tested"),
    };

    private static bool IsScalar(Type type) => type == typeof(string) || Nullable.GetUnderlyingType(type) is not null || type.IsPrimitive;

    private static bool IsBody(ParameterInfo p) => p.ParameterType.IsClass && p.ParameterType != typeof(string) && p.ParameterType.Namespace?.StartsWith("AnprWatch", StringComparison.Ordinal) == true
        && p.ParameterType.Name.EndsWith("Request", StringComparison.Ordinal);

    private HttpRequestMessage Build(AppEndpoint endpoint, string? slot, string value)
    {
        var route = endpoint.Route;
        var query = new List<string>();
        foreach (var p in endpoint.Parameters.Where(p => IsScalar(p.ParameterType)))
        {
            var name = p.Name!;
            var given = name == slot ? value : route.Contains("{" + name + "}", StringComparison.Ordinal) ? (name == "force" ? "wiltshire" : _hitId) : QueryDefaults.GetValueOrDefault(name);
            if (given is null)
            {
                continue;
            }

            if (route.Contains("{" + name + "}", StringComparison.Ordinal))
            {
                route = route.Replace("{" + name + "}", Uri.EscapeDataString(given), StringComparison.Ordinal);
            }
            else
            {
                query.Add($"{name}={Uri.EscapeDataString(given)}");
            }
        }

        var request = new HttpRequestMessage(new HttpMethod(endpoint.Method), route + (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _admin);
        if (endpoint.Parameters.FirstOrDefault(IsBody) is { } body)
        {
            var json = new JsonObject();
            foreach (var (field, fieldValue) in BodyDefaults(body.ParameterType))
            {
                json[char.ToLowerInvariant(field[0]) + field[1..]] = slot == body.Name + "." + field ? value : fieldValue;
            }

            request.Content = new StringContent(json.ToJsonString(), Encoding.UTF8, "application/json");
        }
        else if (endpoint.Method == "POST" && endpoint.Route.StartsWith("/api/markers/", StringComparison.Ordinal))
        {
            // The marker list is the body itself: its free-text cells carry the payload.
            var cell = slot == "csv" ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : "";
            request.Content = new StringContent($"{Header}\nAB12CDE,SR-1,HIGH,wiltshire,2099-01-01,,{cell},{cell},{cell},ACT\n", Encoding.UTF8, "text/csv");
        }
        else if (endpoint.Method == "POST")
        {
            request.Content = new FormUrlEncodedContent([]);
        }

        return request;
    }

    private static IEnumerable<string> Slots(AppEndpoint endpoint)
    {
        foreach (var p in endpoint.Parameters)
        {
            if (IsScalar(p.ParameterType))
            {
                yield return p.Name!;
            }
            else if (IsBody(p))
            {
                foreach (var property in p.ParameterType.GetProperties().Where(x => x.PropertyType == typeof(string)))
                {
                    yield return p.Name + "." + property.Name;
                }
            }
        }

        if (endpoint.Method == "POST" && endpoint.Route.StartsWith("/api/markers/", StringComparison.Ordinal) && !endpoint.Route.EndsWith("/review", StringComparison.Ordinal))
        {
            yield return "csv";
        }
    }

    [Test]
    public async Task Injection_and_markup_in_every_parameter_of_every_endpoint_are_answered_safely_and_change_nothing()
    {
        const string Schema = "SELECT type || ' ' || name FROM sqlite_master ORDER BY name";
        const string Markers = "SELECT m.vrm || ' ' || m.suspect_ref FROM markers m JOIN marker_lists l ON l.list_id = m.list_id WHERE l.is_active = 1 ORDER BY 1";
        var schema = await _cli.ColumnAsync(Schema);
        var markers = await _cli.ColumnAsync(Markers);
        var hits = await _cli.ColumnAsync("SELECT hit_id FROM hits");

        var failures = new List<string>();
        var calls = 0;
        var endpoints = AppEndpoints.Table();
        var tested = new HashSet<string>();
        foreach (var endpoint in endpoints)
        {
            foreach (var slot in Slots(endpoint))
            {
                foreach (var payload in InjectionStrings.All.Append(Script))
                {
                    using var request = Build(endpoint, slot, payload);
                    using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
                    calls++;
                    tested.Add($"{endpoint.Method} {endpoint.Route}");

                    // The alert stream never ends by itself: its status and headers are the answer.
                    var body = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync(cancel.Token);
                    var status = (int)response.StatusCode;
                    var leaked = InjectionStrings.StoreErrorMarkers.FirstOrDefault(m => body.Contains(m, StringComparison.OrdinalIgnoreCase));
                    var raw = response.Content.Headers.ContentType?.MediaType == "text/html" && body.Contains(Script, StringComparison.Ordinal);
                    if (status >= 500 || status == 401 || status == 403 || leaked is not null || raw)
                    {
                        failures.Add($"{endpoint.Method} {endpoint.Route} {slot}={payload}: {status}{(leaked is null ? "" : $" shows '{leaked}'")}{(raw ? " echoes markup unescaped" : "")}");
                    }
                }
            }
        }

        TestContext.Out.WriteLine($"{calls} calls over {tested.Count} endpoints");
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(tested, Is.SupersetOf(endpoints.Where(e => e.Parameters.Any(p => IsScalar(p.ParameterType) || IsBody(p))).Select(e => $"{e.Method} {e.Route}")));
            Assert.That(failures, Is.Empty);
            Assert.That(await _cli.ColumnAsync(Schema), Is.EqualTo(schema));
            Assert.That(await _cli.ColumnAsync("PRAGMA integrity_check"), Is.EqualTo(new[] { "ok" }));
            Assert.That(await _cli.ColumnAsync(Markers), Is.EqualTo(markers), "the active list is unchanged (uploads were dry runs)");
            Assert.That(await _cli.ColumnAsync("SELECT hit_id FROM hits"), Is.EqualTo(hits));
            Assert.That(await _cli.ColumnAsync("SELECT justification FROM audit_log WHERE justification IS NOT NULL"), Is.SupersetOf(InjectionStrings.All.Where(s => s.Trim().Length >= 10)), "free text is stored verbatim (a justification under 10 characters is refused)");
        });
    }

    private async Task<HttpResponseMessage> PostAsync(string url, HttpContent content)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _admin);
        return await _http.SendAsync(request);
    }

    [Test]
    public async Task Bodies_over_their_limit_are_refused_with_413_and_change_nothing()
    {
        var note = new string('x', 10_000);
        using (var outcome = await PostAsync($"/api/hits/{_hitId}/outcome", new StringContent($"{{\"status\":\"acknowledged\",\"note\":\"{note}\"}}", Encoding.UTF8, "application/json")))
        {
            Assert.That(outcome.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        }

        Assert.That(await _cli.ColumnAsync("SELECT COUNT(*) FROM outcomes"), Is.EqualTo(new[] { "0" }));

        // The marker upload has its own, larger limit (Markers:MaxFileBytes = 20,000 here): 10 kB passes, 30 kB does not.
        string Csv(int rows) => Header + "\n" + string.Concat(Enumerable.Range(0, rows).Select(i => $"AB{i % 90 + 10}CDE,SR-{i},HIGH,wiltshire,2099-01-01,,,,,ACT\n"));
        var medium = Csv(160);
        Assert.That(Encoding.UTF8.GetByteCount(medium), Is.InRange(4096, 20_000));
        using (var accepted = await PostAsync("/api/markers/wiltshire?dryRun=true", new StringContent(medium, Encoding.UTF8, "text/csv")))
        {
            Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await accepted.Content.ReadAsStringAsync());
        }

        var large = Csv(600);
        using var refused = await PostAsync("/api/markers/wiltshire", new StringContent(large, Encoding.UTF8, "text/csv"));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("nothing was changed"));
        Assert.That(await _cli.ColumnAsync("SELECT COUNT(*) FROM marker_lists"), Is.EqualTo(new[] { "1" }));
    }
}
