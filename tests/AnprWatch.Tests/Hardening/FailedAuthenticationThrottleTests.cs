using System.Net;
using System.Net.Http.Headers;
using AnprWatch.Web.Security;

namespace AnprWatch.Tests.Hardening;

/// <summary>Key guessing is slowed: a client that fails too often is locked out until its failures age out.</summary>
[NonParallelizable]
public class FailedAuthenticationThrottleTests
{
    private sealed class Clock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Test]
    public void A_client_is_locked_out_at_the_limit_and_let_back_in_as_its_failures_leave_the_window()
    {
        var clock = new Clock(new DateTimeOffset(2026, 11, 22, 9, 0, 0, TimeSpan.Zero));
        var throttle = new FailedAuthenticationThrottle(clock, limit: 3, window: TimeSpan.FromMinutes(5));
        throttle.RecordFailure("10.0.0.1");
        clock.Now += TimeSpan.FromMinutes(1);
        throttle.RecordFailure("10.0.0.1");
        throttle.RecordFailure("10.0.0.1");

        Assert.Multiple(() =>
        {
            Assert.That(throttle.RetryAfter("10.0.0.1"), Is.EqualTo(TimeSpan.FromMinutes(4)), "until the first failure is five minutes old");
            Assert.That(throttle.RetryAfter("10.0.0.2"), Is.Null, "other clients are not affected");
        });

        clock.Now += TimeSpan.FromMinutes(4);
        Assert.That(throttle.RetryAfter("10.0.0.1"), Is.Null, "one failure has aged out: one more try");
        throttle.RecordFailure("10.0.0.1");
        Assert.That(throttle.RetryAfter("10.0.0.1"), Is.EqualTo(TimeSpan.FromMinutes(1)));
    }

    [Test]
    public async Task Serve_answers_429_to_every_credential_from_a_client_over_the_limit()
    {
        using var cli = new CliRunner();
        var valid = (await cli.RunAsync("keys", "create", "--role", "analyst", "--name", "analyst")).Out.Trim();
        await using var serve = Kafka.ServeProcess.StartWith(cli, "--Source:Kind=none", "--Security:FailedAuthLimit=3", "--Security:FailedAuthWindow=00:10:00");
        await serve.WaitReadyAsync();
        using var http = serve.CreateClient();

        async Task<HttpResponseMessage> Get(string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/hits?from=2026-06-01&to=2026-06-02&justification=throttle%20test%20case");
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
            return await http.SendAsync(request);
        }

        using (var ok = await Get(valid))
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        for (var i = 0; i < 3; i++)
        {
            using var guess = await Get($"aw_guess-{i}");
            Assert.That(guess.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }

        using var locked = await Get("aw_guess-4");
        using var lockedValid = await Get(valid);
        using var signIn = await http.PostAsync(new Uri("/signin", UriKind.Relative), new FormUrlEncodedContent([new("key", valid)]));
        using var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        await Assert.MultipleAsync(async () =>
        {
            Assert.That(locked.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(locked.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.FromMinutes(9)));
            Assert.That(await locked.Content.ReadAsStringAsync(), Does.Contain("too many failed sign-ins"));
            Assert.That(lockedValid.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "a valid key from the same address waits too: no oracle for guesses");
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests), "the sign-in form shares the count");
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK), "requests without a credential are unaffected");
        });
        Assert.That(serve.Output, Does.Contain("authentication throttled"));
    }
}
