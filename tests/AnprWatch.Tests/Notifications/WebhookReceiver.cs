using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AnprWatch.Tests.Notifications;

/// <summary>One POST as the receiver saw it, with whether its signature checked out against the receiver's own HMAC.</summary>
public sealed record WebhookCall(string Path, string Body, string? Signature, string? DeliveryId, bool SignatureValid, int Answered);

/// <summary>
/// A real HTTP receiver (Kestrel on a free loopback port) started by the test. Each path is one subscriber; the
/// receiver verifies <c>X-AnprWatch-Signature</c> with its own HMAC-SHA256 over the raw body and the secret the test
/// gave it, and answers with whatever <see cref="Answer"/> says (503 to simulate an outage).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly byte[] _secret;
    private readonly ConcurrentQueue<WebhookCall> _calls = new();

    private WebhookReceiver(WebApplication app, byte[] secret, int port)
    {
        _app = app;
        _secret = secret;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The status to answer the next request with.</summary>
    public Func<int> Answer { get; set; } = () => StatusCodes.Status200OK;

    public IReadOnlyList<WebhookCall> Calls => [.. _calls];

    /// <summary>Calls this receiver answered 2xx: the deliveries AnprWatch can count as accepted.</summary>
    public IReadOnlyList<WebhookCall> Accepted => [.. _calls.Where(c => c.Answered is >= 200 and < 300)];

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path}";

    public static async Task<WebhookReceiver> StartAsync(string secret)
    {
        var port = Kafka.KafkaBroker.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, Encoding.UTF8.GetBytes(secret), port);
        app.MapPost("/{name}", async (string name, HttpContext context) =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var signature = context.Request.Headers["X-AnprWatch-Signature"].ToString();
            var expected = "sha256=" + Convert.ToHexString(HMACSHA256.HashData(receiver._secret, body)).ToLowerInvariant();
            var status = receiver.Answer();
            receiver._calls.Enqueue(new WebhookCall(name, Encoding.UTF8.GetString(body), signature, context.Request.Headers["X-AnprWatch-Delivery"].ToString(),
                CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(expected)), status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
