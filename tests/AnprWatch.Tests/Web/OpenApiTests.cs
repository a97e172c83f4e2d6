using System.Net;
using System.Text.Json.Nodes;

namespace AnprWatch.Tests.Web;

/// <summary>
/// <c>/openapi/v1.json</c> from a running serve describes every endpoint the app maps: the same (method, route) set as
/// the app's own endpoint table, and as the literal list below (so an endpoint added or lost is noticed in review).
/// </summary>
[NonParallelizable]
public class OpenApiTests
{
    /// <summary>DESIGN §4.7's API, the probes and the pages, written out by hand.</summary>
    private static readonly string[] Expected =
    [
        "GET /healthz",
        "GET /readyz",
        "POST /api/markers/{force}",
        "GET /api/markers",
        "GET /api/markers/review-due",
        "POST /api/markers/{force}/review",
        "GET /api/markers/{force}/history",
        "POST /api/markers/{force}/rollback",
        "POST /api/locations/{force}",
        "GET /api/locations/{force}",
        "GET /api/locations/{force}/history",
        "POST /api/locations/{force}/rollback",
        "GET /api/alerts",
        "GET /api/alerts/stream",
        "POST /api/hits/{hitId}/outcome",
        "GET /api/hits",
        "GET /api/reports/evaluation",
        "GET /api/audit",
        "GET /api/admin/notifications",
        "GET /",
        "GET /signin",
        "POST /signin",
        "POST /signout",
        "GET /denied",
        "GET /board",
        "GET /markers",
        "GET /reports",
    ];

    private const string DocumentRoute = "/openapi/{documentName}.json";

    [Test]
    public async Task The_openapi_document_covers_every_mapped_endpoint()
    {
        using var cli = new CliRunner();
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        await serve.WaitReadyAsync();
        using var http = serve.CreateClient();
        using var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var document = JsonNode.Parse(text)!;
        var documented = document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject().Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key}"))
            .Order(StringComparer.Ordinal).ToList();
        var mapped = AppEndpoints.Table().Where(e => e.Route != DocumentRoute).Select(e => $"{e.Method} {e.Route}").Order(StringComparer.Ordinal).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(document["openapi"]!.GetValue<string>(), Does.StartWith("3."));
            Assert.That(mapped, Is.EquivalentTo(Expected), "the app's endpoint table");
            Assert.That(documented, Is.EquivalentTo(Expected), "the OpenAPI document");
            Assert.That(AppEndpoints.Table().Select(e => e.Route), Does.Contain(DocumentRoute), "the document itself is served");
        });
    }

    [Test]
    public async Task Api_errors_are_rfc7807_problem_details()
    {
        using var cli = new CliRunner();
        var key = (await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "problems")).Out.Trim();
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        await serve.WaitReadyAsync();
        using var http = serve.CreateClient();

        async Task<JsonNode> ProblemAsync(string path, HttpStatusCode status, string? apiKey)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
            if (apiKey is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + apiKey);
            }

            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(status), body);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), path);
            var problem = JsonNode.Parse(body)!;
            Assert.That(problem["status"]!.GetValue<int>(), Is.EqualTo((int)status));
            Assert.That(problem["title"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty);
            return problem;
        }

        var invalid = await ProblemAsync("/api/hits?from=2026-13-01&to=2026-13-02", HttpStatusCode.BadRequest, key);
        Assert.That(invalid["detail"]!.GetValue<string>(), Does.Contain("2026-13-01"), "the detail is the command line's message");
        await ProblemAsync("/api/hits?from=2026-01-01&to=2026-01-02", HttpStatusCode.Unauthorized, null);
        await ProblemAsync("/api/audit?from=2026-01-01&to=2026-01-02", HttpStatusCode.Forbidden, key);
        await ProblemAsync("/api/no-such-thing", HttpStatusCode.NotFound, key);
    }
}
