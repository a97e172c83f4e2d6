using Microsoft.Playwright;

namespace AnprWatch.Tests.Web;

/// <summary>
/// A real <c>serve</c> (web and API only) and a headless Chromium page signed in with one key, landed on the page the
/// role opens first. The pages' tests start from here; what they check starts after it.
/// </summary>
public sealed class SignedInPage : IAsyncDisposable
{
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private SignedInPage(Kafka.ServeProcess serve, IPlaywright playwright, IBrowser browser, IPage page)
        => (Serve, _playwright, _browser, Page) = (serve, playwright, browser, page);

    public Kafka.ServeProcess Serve { get; }

    public IPage Page { get; }

    public static async Task<SignedInPage> StartAsync(CliRunner cli, string key, string landing)
    {
        var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none");
        IPlaywright? playwright = null;
        try
        {
            await serve.WaitReadyAsync();
            playwright = await Playwright.CreateAsync();
            var browser = await Chromium.LaunchAsync(playwright);
            var page = await browser.NewPageAsync();
            await page.GotoAsync($"http://127.0.0.1:{serve.HttpPort}/signin");
            await page.FillAsync("#key", key);
            await page.ClickAsync("#signin");

            // Sign-in, redirect and the landing page's first load: on a 2-core machine running other suites this has
            // taken longer than Playwright's default 30 s, which says nothing about the page under test.
            await page.WaitForURLAsync(url => url.EndsWith(landing, StringComparison.Ordinal), new PageWaitForURLOptions { Timeout = 90_000 });
            return new SignedInPage(serve, playwright, browser, page);
        }
        catch
        {
            playwright?.Dispose();
            await serve.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
        await Serve.DisposeAsync();
    }
}
