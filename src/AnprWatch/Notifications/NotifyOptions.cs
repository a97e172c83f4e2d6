using AnprWatch.Core.Forces;
using AnprWatch.Core.Hits;
using Microsoft.Extensions.Configuration;
using static AnprWatch.Hosting.ConfigurationValues;

namespace AnprWatch.Notifications;

/// <summary>Who is told about an alert: a set of forces (empty = every force) and the lowest priority that reaches them.</summary>
public sealed record Subscription(IReadOnlySet<string> Forces, Priority MinPriority)
{
    /// <summary>An alert reaches a subscriber for its camera force or its host force (the two routed copies of §4.3).</summary>
    public bool Matches(Hit hit) => hit.Priority >= MinPriority && (Forces.Count == 0 || Forces.Contains(hit.CameraForce.Code) || Forces.Contains(hit.HostForce.Code));

    /// <summary>The copy of the alert this subscriber gets: routed to the camera force if it follows it, else to the host force.</summary>
    public Force RoutedTo(Hit hit) => Forces.Count == 0 || Forces.Contains(hit.CameraForce.Code) ? hit.CameraForce : hit.HostForce;
}

/// <summary><c>Notify:Webhooks:N</c>: the alert JSON POSTed to <see cref="Url"/>, signed with <see cref="Secret"/>.</summary>
public sealed record WebhookSubscription(Uri Url, string Secret, Subscription Filter);

/// <summary><c>Notify:Email:Recipients:N</c>.</summary>
public sealed record EmailRecipient(string Address, Subscription Filter);

/// <summary><c>Notify:Email:Smtp:*</c>. <see cref="UseTls"/>: STARTTLS (or TLS on connect on port 465); false sends in clear (a local relay).</summary>
public sealed record SmtpSettings(string Host, int Port, string? User, string? Password, string From, bool UseTls);

/// <summary>
/// The <c>Notify:*</c> settings of serve (DESIGN §8 "Notifications"), validated at start: a bad URL, an unknown
/// priority or force, a recipient without an SMTP host stops serve with exit code 2 and a message naming the key.
/// </summary>
public sealed class NotifyOptions
{
    public static readonly NotifyOptions None = new();

    public IReadOnlyList<WebhookSubscription> Webhooks { get; init; } = [];
    public IReadOnlyList<EmailRecipient> Recipients { get; init; } = [];
    public SmtpSettings? Smtp { get; init; }

    /// <summary><c>Notify:BoardUrl</c>: the link in every e-mail (the alert board).</summary>
    public Uri? BoardUrl { get; init; }

    /// <summary><c>Notify:Email:IncludePlate</c>: off by default; the subject never carries a plate whatever this says.</summary>
    public bool EmailIncludesPlate { get; init; }

    /// <summary><c>Notify:Retry:BaseDelay</c> and <c>:MaxDelay</c>: exponential backoff with jitter between attempts.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan RetryMaxDelay { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary><c>Notify:Lease</c>: how long a claimed row is this instance's; after a crash another may take it then.</summary>
    public TimeSpan Lease { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary><c>Notify:PollInterval</c>: how often the dispatcher looks for due rows.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary><c>Notify:Timeout</c>: one send (HTTP request or SMTP session) at most.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>Notify:KeepDeliveredFor</c>: delivered rows are purged by the daily housekeeping after this.</summary>
    public TimeSpan KeepDeliveredFor { get; init; } = TimeSpan.FromDays(7);

    public bool IsEmpty => Webhooks.Count == 0 && Recipients.Count == 0;

    public static NotifyOptions Load(IConfiguration configuration)
    {
        var webhooks = new List<WebhookSubscription>();
        foreach (var section in Indexed(configuration.GetSection("Notify:Webhooks")))
        {
            var key = section.Path;
            var url = HttpUrl(section, "Url", required: true)!;
            var secret = section["Secret"];
            if (string.IsNullOrEmpty(secret))
            {
                throw Bad(key + ":Secret", "required: every webhook body is signed with it (X-AnprWatch-Signature)");
            }

            webhooks.Add(new WebhookSubscription(url, secret, Filter(section)));
        }

        var recipients = new List<EmailRecipient>();
        foreach (var section in Indexed(configuration.GetSection("Notify:Email:Recipients")))
        {
            var address = section["Address"];
            if (string.IsNullOrWhiteSpace(address) || !MimeKit.MailboxAddress.TryParse(address.Trim(), out var parsed) || !parsed.Address.Contains('@', StringComparison.Ordinal))
            {
                throw Bad(section.Path + ":Address", $"'{address}' is not an e-mail address");
            }

            recipients.Add(new EmailRecipient(parsed.Address, Filter(section)));
        }

        SmtpSettings? smtp = null;
        var smtpSection = configuration.GetSection("Notify:Email:Smtp");
        var host = smtpSection["Host"];
        if (recipients.Count > 0 && string.IsNullOrWhiteSpace(host))
        {
            throw Bad("Notify:Email:Smtp:Host", "required when Notify:Email:Recipients are configured");
        }

        if (!string.IsNullOrWhiteSpace(host))
        {
            var useTls = Bool(configuration, "Notify:Email:Smtp:UseTls", true);
            var port = Int(configuration, "Notify:Email:Smtp:Port", useTls ? 587 : 25);
            if (port is < 1 or > 65535)
            {
                throw Bad("Notify:Email:Smtp:Port", $"'{port}' is not a TCP port (1-65535)");
            }

            var from = smtpSection["From"];
            if (string.IsNullOrWhiteSpace(from) || !MimeKit.MailboxAddress.TryParse(from.Trim(), out var fromAddress) || !fromAddress.Address.Contains('@', StringComparison.Ordinal))
            {
                throw Bad("Notify:Email:Smtp:From", $"'{from}' is not an e-mail address (required with an SMTP host)");
            }

            smtp = new SmtpSettings(host.Trim(), port, Blank(smtpSection["User"]), Blank(smtpSection["Password"]), from.Trim(), useTls);
        }

        var timeout = PositiveSpan(configuration, "Notify:Timeout", TimeSpan.FromSeconds(10));
        var lease = PositiveSpan(configuration, "Notify:Lease", TimeSpan.FromMinutes(2));
        if (lease < 2 * timeout)
        {
            // A lease that can run out mid-send lets a second instance send the same row at the same time.
            throw Bad("Notify:Lease", $"{lease} must be at least twice Notify:Timeout ({timeout})");
        }

        return new NotifyOptions
        {
            Webhooks = webhooks,
            Recipients = recipients,
            Smtp = smtp,
            BoardUrl = HttpUrl(configuration.GetSection("Notify"), "BoardUrl", required: false),
            EmailIncludesPlate = Bool(configuration, "Notify:Email:IncludePlate", false),
            RetryBaseDelay = PositiveSpan(configuration, "Notify:Retry:BaseDelay", TimeSpan.FromSeconds(5)),
            RetryMaxDelay = PositiveSpan(configuration, "Notify:Retry:MaxDelay", TimeSpan.FromMinutes(10)),
            Lease = lease,
            PollInterval = PositiveSpan(configuration, "Notify:PollInterval", TimeSpan.FromSeconds(1)),
            Timeout = timeout,
            KeepDeliveredFor = PositiveSpan(configuration, "Notify:KeepDeliveredFor", TimeSpan.FromDays(7)),
        };
    }

    public static Priority ParsePriority(string key, string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "routine" => Priority.Routine,
        "high" => Priority.High,
        "urgent" => Priority.Urgent,
        _ => throw Bad(key, $"'{text}' is not a priority (urgent, high or routine)"),
    };

    /// <summary>Numbered children (0, 1, ...) of a list section, in order.</summary>
    private static IEnumerable<IConfigurationSection> Indexed(IConfigurationSection list)
        => list.GetChildren().OrderBy(c => int.TryParse(c.Key, out var n) ? n : int.MaxValue).ThenBy(c => c.Key, StringComparer.Ordinal);

    private static Subscription Filter(IConfigurationSection section)
    {
        var forces = new HashSet<string>(StringComparer.Ordinal);
        foreach (var code in (section["Forces"] ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!ForceRegistry.TryGet(code.ToLowerInvariant(), out var force))
            {
                throw Bad(section.Path + ":Forces", $"'{code}' is not a force code (e.g. avon-and-somerset)");
            }

            forces.Add(force.Code);
        }

        return new Subscription(forces, ParsePriority(section.Path + ":MinPriority", section["MinPriority"]));
    }

    private static Uri? HttpUrl(IConfigurationSection section, string name, bool required)
    {
        var text = section[name];
        if (string.IsNullOrWhiteSpace(text))
        {
            return required ? throw Bad($"{section.Path}:{name}", "required (an absolute http or https URL)") : null;
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || string.IsNullOrEmpty(url.Host))
        {
            throw Bad($"{section.Path}:{name}", $"'{text}' is not an absolute http or https URL");
        }

        return url;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
