using System.Net;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AnprWatch.Tests.Web;

/// <summary>
/// Issue 14, headers: personal data is never cached (<c>Cache-Control: no-store</c>), the sign-in page shows only
/// messages from a fixed set of codes, and session and antiforgery cookies are Secure whenever the request is HTTPS.
/// </summary>
[NonParallelizable]
public class ResponseHeaderTests
{
    [Test]
    public async Task Responses_with_personal_data_say_no_store_and_the_sign_in_page_shows_only_known_messages()
    {
        using var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var desk = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "desk")).Out.Trim();
        var riu = (await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "riu")).Out.Trim();
        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider);
        using var deskHttp = serve.CreateClient(desk);
        using var riuHttp = serve.CreateClient(riu);
        using var browser = await BrowserSession.SignInAsync(serve.Port, desk);

        var today = TestClock.UkToday.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var cacheControl = new Dictionary<string, string>();
        foreach (var (name, client, url) in new[] { ("key", deskHttp, "/api/alerts"), ("key", riuHttp, $"/api/hits?from={today}&to={today}"), ("cookie", browser.Http, "/board"), ("cookie", browser.Http, "/api/alerts") })
        {
            using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
            cacheControl[$"{name} {url.Split('?')[0]}"] = $"{(int)response.StatusCode} {response.Headers.CacheControl}";
        }

        Assert.That(cacheControl, Is.EqualTo(new Dictionary<string, string>
        {
            ["key /api/alerts"] = "200 no-store",
            ["key /api/hits"] = "200 no-store",
            ["cookie /board"] = "200 no-store",
            ["cookie /api/alerts"] = "200 no-store",
        }));

        // The page CSP allows only the page's own nonce-carrying script and style elements, never 'unsafe-inline'.
        using (var board = await browser.Http.GetAsync(new Uri("/board", UriKind.Relative)))
        {
            var csp = string.Join(";", board.Headers.GetValues("Content-Security-Policy"));
            var html = await board.Content.ReadAsStringAsync();
            var nonce = System.Text.RegularExpressions.Regex.Match(csp, "script-src 'self' 'nonce-(?<n>[^']+)'").Groups["n"].Value;
            Assert.That(csp, Does.Not.Contain("unsafe-inline"));
            Assert.That(nonce, Has.Length.EqualTo(24));
            Assert.That(html, Does.Contain($"<script nonce=\"{nonce}\">").And.Contain($"<style nonce=\"{nonce}\">").And.Not.Contain("<script>"));
        }

        using var anonymous = new HttpClient { BaseAddress = browser.BaseAddress };
        var known = await anonymous.GetStringAsync(new Uri("/signin?error=invalid-key", UriKind.Relative));
        Assert.That(known, Does.Contain("That key is not valid (or has been revoked)."));
        var crafted = await anonymous.GetStringAsync(new Uri("/signin?error=" + Uri.EscapeDataString("Your key has expired: call 0800 000 000"), UriKind.Relative));
        Assert.That(crafted, Does.Not.Contain("0800"));
        Assert.That(crafted, Does.Contain("<p class=\"error\" id=\"error\"></p>"));
    }

    [Test]
    public async Task Session_and_antiforgery_cookies_are_secure_when_the_request_is_https()
    {
        using var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider);
        var cookie = serve.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var antiforgery = serve.Services.GetRequiredService<IOptions<AntiforgeryOptions>>().Value;
        Assert.That(cookie.Cookie.SecurePolicy, Is.EqualTo(CookieSecurePolicy.SameAsRequest));
        Assert.That(antiforgery.Cookie.SecurePolicy, Is.EqualTo(CookieSecurePolicy.SameAsRequest));

        var https = new DefaultHttpContext();
        https.Request.Scheme = "https";
        Assert.That(cookie.Cookie.Build(https).Secure, Is.True);
        Assert.That(antiforgery.Cookie.Build(https).Secure, Is.True);
        var http = new DefaultHttpContext();
        http.Request.Scheme = "http";
        Assert.That(cookie.Cookie.Build(http).Secure, Is.False, "plain HTTP (tests, a TLS-terminating proxy without forwarded headers) still works");
    }
}

/// <summary>Issue 14: behind a known proxy the throttle and audit see the client's address, and cookies are Secure on HTTPS.</summary>
[NonParallelizable]
public class ForwardedHeaderTests
{
    private static async Task<(string AuditFrom, bool SecureCookie)> TryAsync(params string[] extra)
    {
        using var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        await using var serve = await InProcessServe.StartAsync(cli, TestClock.Provider, extra);
        using var http = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri($"http://127.0.0.1:{serve.Port}") };

        using (var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/alerts", UriKind.Relative)))
        {
            request.Headers.Add("Authorization", "ApiKey aw_not-a-key");
            request.Headers.Add("X-Forwarded-For", "203.0.113.7");
            request.Headers.Add("X-Forwarded-Proto", "https");
            using var refused = await http.SendAsync(request);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var signin = new HttpRequestMessage(HttpMethod.Get, new Uri("/signin", UriKind.Relative));
        signin.Headers.Add("X-Forwarded-For", "203.0.113.7");
        signin.Headers.Add("X-Forwarded-Proto", "https");
        using var page = await http.SendAsync(signin);
        var secure = page.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("anprwatch-csrf=", StringComparison.Ordinal) && c.Contains("secure", StringComparison.OrdinalIgnoreCase));
        var subject = (await cli.ColumnAsync("SELECT subject FROM audit_log WHERE action = 'refused'")).Single();
        return (subject[(subject.LastIndexOf(" from ", StringComparison.Ordinal) + 6)..], secure);
    }

    [Test]
    public async Task Forwarded_headers_are_believed_only_from_configured_proxies()
    {
        Assert.That(await TryAsync(), Is.EqualTo(("127.0.0.1", false)), "no proxy configured: the headers are ignored");
        Assert.That(await TryAsync("--Http:ForwardedHeaders:KnownProxies=127.0.0.1"), Is.EqualTo(("203.0.113.7", true)));
        Assert.That(await TryAsync("--Http:ForwardedHeaders:KnownNetworks=127.0.0.0/8"), Is.EqualTo(("203.0.113.7", true)));
        Assert.That(await TryAsync("--Http:ForwardedHeaders:KnownProxies=10.9.9.9"), Is.EqualTo(("127.0.0.1", false)), "a proxy that is not this one");
    }
}
