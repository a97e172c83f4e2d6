using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using AnprWatch.Storage.Notifications;

namespace AnprWatch.Notifications;

/// <summary>POSTs the alert JSON to the webhook's URL, signed; any 2xx is acceptance, anything else a failed attempt.</summary>
public sealed class WebhookChannel(NotifyOptions options, HttpClient http) : INotificationChannel
{
    public string Name => NotificationPlanner.Webhook;

    /// <summary>
    /// Redirects are not followed: a 3xx is not acceptance (a followed 302 would turn the POST into a GET), and the
    /// signed body must go only to the configured URL. The timeout is per send (Notify:Timeout), set by the dispatcher.
    /// </summary>
    public static HttpClient CreateClient() => new(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    public static string Sign(string secret, byte[] body)
        => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task SendAsync(OutboxRow row, CancellationToken cancellationToken)
    {
        // The secret is looked up now, never stored with the row: rotating it in configuration signs every retry with the new one.
        var webhook = options.Webhooks.FirstOrDefault(w => w.Url.ToString() == row.Target)
            ?? throw new NotificationRefusedException("this webhook URL is no longer configured (Notify:Webhooks); the row waits until it is");
        var body = Encoding.UTF8.GetBytes(row.Body);
        using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(NotificationHeaders.Signature, Sign(webhook.Secret, body));
        request.Headers.Add(NotificationHeaders.Delivery, row.DeliveryId);
        request.Headers.Add(NotificationHeaders.AlertId, row.AlertId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new NotificationRefusedException($"the receiver answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }
}
