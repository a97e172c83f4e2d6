using System.Diagnostics;
using System.Net;

namespace AnprWatch.Tests.Web;

/// <summary>
/// Sessions follow their key (issue 14): after <c>keys revoke</c> a browser session signed in with the key gets 401
/// from the API and the sign-in page for pages, and open alert streams close within 5 s; <c>POST /signout</c> ends the
/// session on the server, so a copy of the cookie taken before stops working.
/// </summary>
[NonParallelizable]
public class SessionRevocationTests
{
    private static readonly TimeSpan StreamsMustCloseWithin = TimeSpan.FromSeconds(5);

    private static async Task<(CliRunner Cli, string Key)> KeyAsync(string role, string name)
    {
        var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var created = await cli.RunAsync("keys", "create", "--role", role, "--name", name);
        Assert.That(created.ExitCode, Is.Zero, created.Err);
        return (cli, created.Out.Trim());
    }

    private static async Task<Task<string>> OpenStreamAsync(HttpClient http)
    {
        var response = await http.GetAsync(new Uri("/api/alerts/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await response.Content.ReadAsStreamAsync();
        var reader = new StreamReader(body);
        var first = await reader.ReadLineAsync();
        Assert.That(first, Is.EqualTo(": connected"));
        return Task.Run(async () =>
        {
            try
            {
                return await reader.ReadToEndAsync();
            }
            finally
            {
                reader.Dispose();
                response.Dispose();
            }
        });
    }

    [Test]
    public async Task Revoking_a_key_ends_its_browser_sessions_and_closes_its_streams_within_5_seconds()
    {
        var (cli, key) = await KeyAsync("control-room", "board-revoked");
        using var _ = cli;
        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider);
        using var browser = await BrowserSession.SignInAsync(serve.Port, key);
        using var machine = serve.CreateClient(key);

        var before = new Dictionary<string, HttpStatusCode>
        {
            ["cookie GET /api/alerts"] = await browser.StatusAsync("/api/alerts"),
            ["cookie GET /board"] = await browser.StatusAsync("/board"),
            ["key GET /api/alerts"] = (await machine.GetAsync(new Uri("/api/alerts", UriKind.Relative))).StatusCode,
        };
        Assert.That(before, Is.EqualTo(new Dictionary<string, HttpStatusCode>
        {
            ["cookie GET /api/alerts"] = HttpStatusCode.OK,
            ["cookie GET /board"] = HttpStatusCode.OK,
            ["key GET /api/alerts"] = HttpStatusCode.OK,
        }));

        var cookieStream = await OpenStreamAsync(browser.Http);
        var keyStream = await OpenStreamAsync(machine);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.That(cookieStream.IsCompleted || keyStream.IsCompleted, Is.False, "streams closed before the key was revoked");

        var revoke = await cli.RunAsync("keys", "revoke", "--name", "board-revoked");
        Assert.That(revoke.ExitCode, Is.Zero, revoke.Err);
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(cookieStream, keyStream).WaitAsync(StreamsMustCloseWithin);
        Assert.That(clock.Elapsed, Is.LessThan(StreamsMustCloseWithin));

        using var board = await browser.Http.GetAsync(new Uri("/board", UriKind.Relative));
        var after = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["cookie GET /api/alerts"] = (await browser.StatusAsync("/api/alerts")).ToString(),
            ["cookie GET /board"] = $"{(int)board.StatusCode} {new Uri(browser.BaseAddress, board.Headers.Location!).AbsolutePath}",
            ["key GET /api/alerts"] = (await machine.GetAsync(new Uri("/api/alerts", UriKind.Relative))).StatusCode.ToString(),
        };
        Assert.That(string.Join("; ", after.Select(kv => $"{kv.Key} = {kv.Value}")), Is.EqualTo(string.Join("; ", new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["cookie GET /api/alerts"] = "Unauthorized",
            ["cookie GET /board"] = "302 /signin",
            ["key GET /api/alerts"] = "Unauthorized",
        }.Select(kv => $"{kv.Key} = {kv.Value}"))));

        var audit = await cli.ColumnAsync("SELECT subject FROM audit_log WHERE subject LIKE 'alert stream%closed%' ORDER BY audit_id");
        Assert.That(audit, Has.Count.EqualTo(2));
        Assert.That(audit, Has.All.Contains("the key was revoked or the session ended (0 rows sent)"));
    }

    [Test]
    public async Task Signing_out_ends_the_session_on_the_server_so_a_copied_cookie_stops_working()
    {
        var (cli, key) = await KeyAsync("control-room", "board-signout");
        using var _ = cli;
        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider);
        using var browser = await BrowserSession.SignInAsync(serve.Port, key);
        var copied = browser.SessionCookie;

        using var thief = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = browser.BaseAddress };
        async Task<HttpStatusCode> ThiefGets(string url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
            request.Headers.Add("Cookie", "anprwatch=" + copied);
            using var response = await thief.SendAsync(request);
            return response.StatusCode;
        }

        Assert.That(await ThiefGets("/api/alerts"), Is.EqualTo(HttpStatusCode.OK), "the copied cookie works while the session is open");
        var stream = await OpenStreamAsync(browser.Http);

        var token = await browser.FormTokenAsync("/board");
        using var signOut = await browser.Http.PostAsync(new Uri("/signout", UriKind.Relative), new FormUrlEncodedContent([new("__RequestVerificationToken", token)]));
        Assert.That(signOut.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await cli.ColumnAsync("SELECT actor || ' ' || role FROM audit_log WHERE subject = 'web sign-out'"), Is.EqualTo(new[] { "board-signout control-room" }), "the sign-out is audited with the real actor and role");

        // Sign-out evicts this instance's cache at once; allow the cache period for good measure.
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.That(await ThiefGets("/api/alerts"), Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await ThiefGets("/board"), Is.EqualTo(HttpStatusCode.Redirect));
        await stream.WaitAsync(StreamsMustCloseWithin);
    }
}

/// <summary>Issue 14: the Data Protection key ring lives in the store, so replicas share sessions and restarts keep them.</summary>
[NonParallelizable]
public class SharedKeyRingTests
{
    [Test]
    public async Task A_session_signed_in_on_one_instance_works_on_a_second_sharing_the_store_and_after_a_restart()
    {
        using var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var key = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "replica-desk")).Out.Trim();

        string cookie;
        await using (var first = await InProcessServe.StartAsync(cli, TestClock.Provider))
        {
            using var browser = await BrowserSession.SignInAsync(first.Port, key);
            cookie = browser.SessionCookie;
            Assert.That(await browser.StatusAsync("/api/alerts"), Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.That(await cli.ColumnAsync("SELECT COUNT(*) FROM data_protection_keys"), Is.EqualTo(new[] { "1" }));
        await using var second = await InProcessServe.StartAsync(cli, TestClock.Provider);
        using var other = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{second.Port}") };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/alerts", UriKind.Relative));
        request.Headers.Add("Cookie", "anprwatch=" + cookie);
        using var response = await other.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the second instance (a restart, or another replica) reads the same key ring");
    }
}
