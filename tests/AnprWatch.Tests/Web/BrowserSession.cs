using System.Net;
using System.Text.RegularExpressions;

namespace AnprWatch.Tests.Web;

/// <summary>A browser without a browser: a cookie jar, no redirects followed, signing in through the real form.</summary>
public sealed partial class BrowserSession : IDisposable
{
    private readonly HttpClientHandler _handler;

    private BrowserSession(int port)
    {
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
        _handler = new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false, UseCookies = true };
        Http = new HttpClient(_handler) { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public Uri BaseAddress { get; }
    public HttpClient Http { get; }

    /// <summary>The session cookie's value, as an attacker who copied it would have it.</summary>
    public string SessionCookie => _handler.CookieContainer.GetCookies(BaseAddress)["anprwatch"]?.Value ?? "";

    public static async Task<BrowserSession> SignInAsync(int port, string key)
    {
        var browser = new BrowserSession(port);
        var token = await browser.FormTokenAsync("/signin");
        using var response = await browser.Http.PostAsync(new Uri("/signin", UriKind.Relative),
            new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("key", key)]));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.ToString(), Does.Not.Contain("/signin"), "sign-in refused");
        Assert.That(browser.SessionCookie, Is.Not.Empty);
        return browser;
    }

    /// <summary>The antiforgery token a page carries (form field or meta tag).</summary>
    public async Task<string> FormTokenAsync(string page)
    {
        var html = await Http.GetStringAsync(new Uri(page, UriKind.Relative));
        var match = TokenPattern().Match(html);
        Assert.That(match.Success, Is.True, $"no antiforgery token on {page}");
        return WebUtility.HtmlDecode(match.Groups["token"].Value);
    }

    public async Task<HttpStatusCode> StatusAsync(string url)
    {
        using var response = await Http.GetAsync(new Uri(url, UriKind.Relative));
        return response.StatusCode;
    }

    public void Dispose()
    {
        Http.Dispose();
        _handler.Dispose();
    }

    [GeneratedRegex("(?:name=\"__RequestVerificationToken\" value|name=\"csrf\" content)=\"(?<token>[^\"]+)\"")]
    private static partial Regex TokenPattern();
}
