using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using AnprWatch.Web.Security;
using Microsoft.Data.Sqlite;

namespace AnprWatch.Tests.Web;

/// <summary>
/// DESIGN §4.7 from outside: every mapped endpoint (read from the app's own endpoint table) is called on a running
/// serve with no key and with a key of every role; 401 and 403 must be used exactly where the policy says.
/// </summary>
[NonParallelizable]
public class ApiAccessTests
{
    private CliRunner _cli = null!;
    private Kafka.ServeProcess _serve = null!;
    private readonly Dictionary<string, string> _keys = [];
    private HttpClient _http = null!;

    private static readonly string[] Anonymous = ["/healthz", "/readyz", "/", "/signin", "/denied", "/openapi/{documentName}.json"];

    /// <summary>Any signed-in user may sign out; everything else names a role policy.</summary>
    private const string AnyUser = "/signout";

    [OneTimeSetUp]
    public async Task StartServe()
    {
        _cli = new CliRunner();
        foreach (var role in AllRoles)
        {
            var created = await _cli.RunAsync("keys", "create", "--role", role, "--name", $"test-{role}");
            Assert.That(created.ExitCode, Is.Zero, created.Err);
            _keys[role] = created.Out.Trim();
        }

        _serve = Kafka.ServeProcess.StartWith(_cli, "--Source:Kind=none");
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

    private static List<(string Method, string Route, string? Policy, bool Anonymous)> EndpointTable()
        => AppEndpoints.Table().Select(e => (e.Method, e.Route, e.Policy, e.Anonymous)).ToList();

    [Test]
    public void Every_endpoint_declares_a_policy_or_is_a_health_probe()
    {
        var table = EndpointTable();
        Assert.That(table, Has.Count.GreaterThan(8));
        foreach (var (method, route, policy, anonymous) in table)
        {
            if (Anonymous.Contains(route))
            {
                Assert.That(anonymous, Is.True, $"{method} {route} should be anonymous");
            }
            else if (route != AnyUser)
            {
                Assert.That(policy, Is.Not.Null.And.AnyOf(WebSecurity.PolicyRoles.Keys.ToArray()), $"{method} {route} has no role policy");
            }
        }
    }

    private HttpRequestMessage Request(string method, string route, string? role)
    {
        var url = route.Replace("{force}", "wiltshire", StringComparison.Ordinal).Replace("{hitId}", "h-000000000000000000000000", StringComparison.Ordinal);
        if (url is "/api/hits" or "/api/audit" or "/api/reports/evaluation")
        {
            url += "?from=2026-06-01&to=2026-06-02&justification=access%20matrix%20test";
        }

        var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (role is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _keys[role]);
        }

        if (method == "POST")
        {
            // Each endpoint gets the body it accepts: routing answers a wrong content type with 415 before any check of the caller.
            request.Content = route switch
            {
                "/api/markers/{force}" => new StringContent("vrm,suspect_ref,risk_level,host_force,review_due\nAB12CDE,SR-1,HIGH,wiltshire,2099-01-01\n", Encoding.UTF8, "text/csv"),
                "/api/markers/{force}/rollback" or "/api/locations/{force}/rollback" => new StringContent("", Encoding.UTF8, "text/plain"),
                "/api/locations/{force}" => new StringContent("location_ref,name,lat,lon,radius_m,risk_level,force,review_due\nLOC-1,Car park,51.35,-1.99,250,HIGH,wiltshire,2099-01-01\n", Encoding.UTF8, "text/csv"),
                "/api/markers/{force}/review" => new StringContent($"{{\"vrm\":\"AB12CDE\",\"suspectRef\":\"SR-1\",\"reviewDue\":\"{TestClock.UkToday.AddMonths(6):yyyy-MM-dd}\",\"note\":\"ok\"}}", Encoding.UTF8, "application/json"),
                _ => new StringContent("{\"status\":\"acknowledged\",\"note\":\"seen\"}", Encoding.UTF8, "application/json"),
            };
        }

        return request;
    }

    private static readonly string[] AllRoles = ["bureau", "control-room", "analyst", "admin"];

    /// <summary>
    /// README / DESIGN §4.7, written out by hand: bureau → markers; control-room → alerts and outcomes; analyst → hits
    /// and reports; admin → keys, audit and everything. Never read from the production policy table it checks.
    /// </summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["POST /api/markers/{force}"] = ["bureau", "admin"],
        ["GET /api/markers"] = ["bureau", "admin"],
        ["GET /api/markers/review-due"] = ["bureau", "admin"],
        ["POST /api/markers/{force}/review"] = ["bureau", "admin"],
        ["GET /api/markers/{force}/history"] = ["bureau", "admin"],
        ["POST /api/markers/{force}/rollback"] = ["bureau", "admin"],
        ["GET /markers"] = ["bureau", "admin"],
        ["GET /api/alerts"] = ["control-room", "admin"],
        ["GET /api/alerts/stream"] = ["control-room", "admin"],
        ["POST /api/hits/{hitId}/outcome"] = ["control-room", "admin"],
        ["GET /board"] = ["control-room", "admin"],
        ["GET /api/hits"] = ["analyst", "admin"],
        ["GET /api/reports/evaluation"] = ["analyst", "admin"],
        ["GET /reports"] = ["analyst", "admin"],
        ["GET /api/audit"] = ["admin"],
        ["GET /api/admin/notifications"] = ["admin"],
        ["POST /api/locations/{force}"] = ["bureau", "analyst", "admin"], // DESIGN §8: bureau and analysts keep CSE location flags
        ["GET /api/locations/{force}"] = ["bureau", "analyst", "admin"],
        ["GET /api/locations/{force}/history"] = ["bureau", "analyst", "admin"],
        ["POST /api/locations/{force}/rollback"] = ["bureau", "analyst", "admin"],
    };

    [Test]
    public void The_role_matrix_names_every_protected_endpoint_the_app_serves()
    {
        var served = EndpointTable().Where(e => !Anonymous.Contains(e.Route) && e.Route != AnyUser).Select(e => $"{e.Method} {e.Route}");
        Assert.That(served, Is.EquivalentTo(Allowed.Keys), "a new endpoint needs its row in the matrix above");
        Assert.That(Storage.Access.Roles.All, Is.EquivalentTo(AllRoles), "a new role needs its column in the matrix above");
    }

    [Test]
    public async Task Every_role_gets_exactly_what_the_matrix_allows()
    {
        var failures = new List<string>();
        foreach (var (endpoint, allowed) in Allowed)
        {
            var method = endpoint[..endpoint.IndexOf(' ', StringComparison.Ordinal)];
            var route = endpoint[(method.Length + 1)..];
            foreach (var role in new string?[] { null }.Concat(AllRoles))
            {
                using var request = Request(method, route, role);
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                // A browser without a session is sent to sign in; an API caller without a key gets 401.
                var anonymousAnswer = route.StartsWith("/api/", StringComparison.Ordinal) ? "401" : "redirect";
                var expected = role is null ? anonymousAnswer : allowed.Contains(role) ? "allowed" : "403";
                var actual = response.StatusCode switch
                {
                    HttpStatusCode.Redirect when response.Headers.Location?.ToString().Contains("/signin", StringComparison.Ordinal) == true => "redirect",
                    HttpStatusCode.Unauthorized => "401",
                    HttpStatusCode.Forbidden => "403",
                    HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.BadRequest => "allowed",
                    _ => ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture),
                };
                if (actual != expected)
                {
                    failures.Add($"{method} {route} as {role ?? "no key"}: expected {expected}, got {actual}");
                }
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task A_revoked_or_unknown_key_is_refused_and_keys_are_stored_only_as_hashes()
    {
        var created = await _cli.RunAsync("keys", "create", "--role", "analyst", "--name", "leaver");
        var key = created.Out.Trim();
        Assert.That(key, Does.StartWith("aw_").And.Not.Contain("\n"));

        async Task<HttpStatusCode> Get(string k)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/hits?from=2026-06-01&to=2026-06-02&justification=access%20matrix%20test");
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", k);
            using var response = await _http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.That(await Get(key), Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _cli.RunAsync("keys", "revoke", "--name", "leaver")).ExitCode, Is.Zero);
        Assert.That(await Get(key), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await Get("aw_not-a-real-key"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await _cli.RunAsync("keys", "create", "--role", "analyst", "--name", "leaver")).ExitCode, Is.EqualTo(2), "names are never reused");

        await using var connection = new SqliteConnection($"Data Source={_cli.Database};Pooling=false");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(key_hash) FROM api_keys";
        var hashes = (string)(await command.ExecuteScalarAsync())!;
        Assert.That(hashes, Does.Not.Contain(key[3..]));
    }

    [Test]
    public async Task Reads_of_personal_data_through_the_api_are_audited_with_the_caller()
    {
        using (var request = new HttpRequestMessage(HttpMethod.Get, "/api/hits?from=2026-06-01&to=2026-06-02&justification=case%2042%20review"))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", _keys["analyst"]);
            using var response = await _http.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var today = TestClock.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var audit = await _cli.RunAsync("audit", "list", "--from", TestClock.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), "--to", today, "--format", "json");
        var entries = JsonNode.Parse(audit.Out)!.AsArray();
        Assert.That(entries.Any(e => e!["actor"]!.GetValue<string>() == "test-analyst" && e["role"]!.GetValue<string>() == "analyst"
            && e["action"]!.GetValue<string>() == "consult" && e["justification"]?.GetValue<string>() == "case 42 review"), Is.True, audit.Out);
    }
}
