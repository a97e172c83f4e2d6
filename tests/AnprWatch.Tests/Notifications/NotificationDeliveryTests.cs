using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using AnprWatch.Tests.Kafka;

namespace AnprWatch.Tests.Notifications;

/// <summary>
/// Push notifications end to end: `serve` as a child process (folder source), a real HTTP receiver and a real SMTP
/// server started by the test. Who gets what comes from a literal table; the signature is checked with the receiver's
/// own HMAC; the outage and SIGKILL tests take the alerts owed from the simulator's ground truth.
/// </summary>
public class NotificationDeliveryTests
{
    private const string Secret = "s3cret-for-the-webhook-tests";
    private const string Header = "vrm,suspect_ref,risk_level,host_force,review_due\n";

    /// <summary>The readiness-and-retry settings every test serve gets: quick retries and a short lease, so a test takes seconds.</summary>
    private static readonly string[] Quick =
    [
        "--Notify:PollInterval=00:00:00.200", "--Notify:Retry:BaseDelay=00:00:00.300", "--Notify:Retry:MaxDelay=00:00:01.500",
        "--Notify:Lease=00:00:05", "--Notify:Timeout=00:00:02",
    ];

    /// <summary>
    /// January reads, so UK local time is UTC: HIGH risk between 22:00 and 06:00 is urgent, other HIGH is high, MEDIUM
    /// routine (DESIGN §3). (readId, plate, camera force, observed at).
    /// </summary>
    private static readonly (string ReadId, string Vrm, string Camera, string ObservedAt)[] Reads =
    [
        ("r-urgent-avon", "AV11AAA", "dorset", "2026-01-14T23:30:00Z"),
        ("r-high-avon", "AV11AAA", "gloucestershire", "2026-01-14T12:00:00Z"),
        ("r-routine-avon", "AV22BBB", "dorset", "2026-01-14T13:00:00Z"),
        ("r-urgent-wilts", "WI33CCC", "dorset", "2026-01-14T02:00:00Z"),
        ("r-high-wilts", "WI33CCC", "hampshire", "2026-01-14T15:00:00Z"),
        ("r-in-force", "AV11AAA", "avon-and-somerset", "2026-01-14T16:00:00Z"), // in force: no hit, no notification
        ("r-miss", "XY12ZZZ", "dorset", "2026-01-14T17:00:00Z"),
    ];

    /// <summary>Webhook subscribers: (path, forces, minimum priority).</summary>
    private static readonly (string Path, string Forces, string MinPriority)[] Webhooks =
    [
        ("all", "", "routine"),
        ("avon-urgent", "avon-and-somerset", "urgent"),
        ("dorset-high", "dorset", "HIGH"),
        ("wilts-hants", "wiltshire, hampshire", "routine"),
    ];

    /// <summary>The oracle: which reads each webhook is told about, and which force its copy is routed to.</summary>
    private static readonly (string Path, string ReadId, string RoutedTo)[] ExpectedWebhooks =
    [
        ("all", "r-urgent-avon", "dorset"), ("all", "r-high-avon", "gloucestershire"), ("all", "r-routine-avon", "dorset"),
        ("all", "r-urgent-wilts", "dorset"), ("all", "r-high-wilts", "hampshire"),
        ("avon-urgent", "r-urgent-avon", "avon-and-somerset"),
        ("dorset-high", "r-urgent-avon", "dorset"), ("dorset-high", "r-urgent-wilts", "dorset"),
        ("wilts-hants", "r-urgent-wilts", "wiltshire"), ("wilts-hants", "r-high-wilts", "hampshire"),
    ];

    /// <summary>E-mail recipients: (address, forces, minimum priority), and the reads each is told about (by subject and body).</summary>
    private static readonly (string Address, string Forces, string MinPriority)[] Recipients =
    [
        ("avon-desk@police.example", "avon-and-somerset", "high"),
        ("night-duty@police.example", "", "urgent"),
    ];

    private static readonly (string Address, string Subject)[] ExpectedEmails =
    [
        ("avon-desk@police.example", "AnprWatch URGENT alert: Dorset Police (marker held by Avon and Somerset Constabulary)"),
        ("avon-desk@police.example", "AnprWatch HIGH alert: Gloucestershire Constabulary (marker held by Avon and Somerset Constabulary)"),
        ("night-duty@police.example", "AnprWatch URGENT alert: Dorset Police (marker held by Avon and Somerset Constabulary)"),
        ("night-duty@police.example", "AnprWatch URGENT alert: Dorset Police (marker held by Wiltshire Police)"),
    ];

    private static IEnumerable<string> WebhookArgs(WebhookReceiver receiver, IEnumerable<(string Path, string Forces, string MinPriority)> webhooks)
        => webhooks.SelectMany((w, i) => new[]
        {
            $"--Notify:Webhooks:{i}:Url={receiver.Url(w.Path)}", $"--Notify:Webhooks:{i}:Secret={Secret}",
            $"--Notify:Webhooks:{i}:Forces={w.Forces}", $"--Notify:Webhooks:{i}:MinPriority={w.MinPriority}",
        });

    private static async Task DropAsync(CliRunner cli, string inbox, string name, IEnumerable<string> lines)
    {
        var staging = cli.PathOf($"staging-{Guid.NewGuid():N}.jsonl");
        await File.WriteAllLinesAsync(staging, lines);
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddMinutes(-1));
        File.Move(staging, Path.Combine(inbox, name));
    }

    private static async Task WaitForAsync(Func<bool> condition, ServeProcess serve, string what, int seconds = 90)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.That(clock.Elapsed < TimeSpan.FromSeconds(seconds) && !serve.HasExited, Is.True, what + "\n" + serve.Output);
            await Task.Delay(100);
        }
    }

    private static string Field(WebhookCall call, string name) => JsonNode.Parse(call.Body)![name]!.GetValue<string>();

    private static bool IsConfirmation(WebhookCall call) => JsonNode.Parse(call.Body)!["confirmedAt"] is not null;

    /// <summary>The reads that confirm an alerted misread, from the simulator's ground truth.</summary>
    private static List<string> ConfirmedReadIds(IEnumerable<JsonNode?> truth)
        => [.. truth.Where(h => h!["alerted"]!.GetValue<bool>()).Select(h => h!["confirmingReadId"]?.GetValue<string>()).OfType<string>()];

    [Test]
    public async Task Each_subscriber_is_told_exactly_its_forces_alerts_at_its_priority_signed_and_no_email_subject_names_a_plate()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        await using var smtp = SmtpSink.Start();
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Header + "AV11AAA,SR-A1,HIGH,avon-and-somerset,2099-12-31\nAV22BBB,SR-A2,MEDIUM,avon-and-somerset,2099-12-31\n", "avon.csv");
        await cli.ImportCsvAsync("wiltshire", Header + "WI33CCC,SR-W1,HIGH,wiltshire,2099-12-31\n", "wilts.csv");
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await DropAsync(cli, inbox, "reads.jsonl", Reads.Select(r => $$"""{"readId":"{{r.ReadId}}","vrm":"{{r.Vrm}}","cameraId":"CAM-1","forceCode":"{{r.Camera}}","observedAt":"{{r.ObservedAt}}"}"""));

        string[] email =
        [
            "--Notify:Email:Smtp:Host=127.0.0.1", $"--Notify:Email:Smtp:Port={smtp.Port}", "--Notify:Email:Smtp:UseTls=false",
            "--Notify:Email:Smtp:From=anprwatch@police.example", "--Notify:BoardUrl=https://anprwatch.police.example/board",
            .. Recipients.SelectMany((r, i) => new[] { $"--Notify:Email:Recipients:{i}:Address={r.Address}", $"--Notify:Email:Recipients:{i}:Forces={r.Forces}", $"--Notify:Email:Recipients:{i}:MinPriority={r.MinPriority}" }),
        ];
        await using var serve = ServeProcess.StartWith(cli, ["--Source:Kind=folder", $"--Source:Path={inbox}", .. Quick, .. WebhookArgs(receiver, Webhooks), .. email]);
        await WaitForAsync(() => receiver.Accepted.Count >= ExpectedWebhooks.Length && smtp.Messages.Count >= ExpectedEmails.Length, serve, "not every notification arrived");
        await Task.Delay(1500); // anything extra (a subscriber told twice or told too much) would arrive by now

        var alertLines = (await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "reads.alerts.jsonl"))).ToHashSet(StringComparer.Ordinal);
        var plates = Reads.Select(r => r.Vrm).ToList();
        var messages = smtp.Messages;
        Assert.Multiple(() =>
        {
            Assert.That(receiver.Calls.Select(c => (c.Path, Field(c, "readId"), Field(c, "routedTo"))), Is.EquivalentTo(ExpectedWebhooks), "who was told what");
            Assert.That(receiver.Calls.Where(c => !c.SignatureValid).Select(c => c.Path), Is.Empty, "signatures checked with the receiver's own HMAC");

            // The body is the alert exactly as the alert sink wrote it (the copy routed to the subscriber's force).
            Assert.That(receiver.Calls.Where(c => !alertLines.Contains(c.Body)).Select(c => c.Body), Is.Empty, "bodies byte-identical to the alerts file lines");

            Assert.That(messages.Select(m => (m.To.Mailboxes.Single().Address, m.Subject)), Is.EquivalentTo(ExpectedEmails));
            foreach (var message in messages)
            {
                var text = message.TextBody ?? "";
                var subject = message.Subject ?? "";
                Assert.That(plates.Where(p => subject.Contains(p, StringComparison.OrdinalIgnoreCase)), Is.Empty, "a plate in the subject: " + subject);
                Assert.That(plates.Where(p => text.Contains(p, StringComparison.OrdinalIgnoreCase)), Is.Empty, "a plate in the body by default");
                Assert.That(text, Does.Contain("https://anprwatch.police.example/board").And.Contain("Priority: ").And.Contain("UK time"));
                Assert.That(message.Headers["X-AnprWatch-Alert-Id"], Does.StartWith("a-"));
            }
        });
    }

    [Test]
    public async Task A_misread_confirmed_later_is_notified_again_with_the_same_alert_id_to_the_same_subscribers_once()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        await using var smtp = SmtpSink.Start();
        using var cli = new CliRunner();
        await cli.ImportCsvAsync("avon-and-somerset", Header + "JK99TPD,SR-A1,HIGH,avon-and-somerset,2099-12-31\n", "avon.csv");
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        static string Read(string readId, string vrm, string observedAt)
            => $$"""{"readId":"{{readId}}","vrm":"{{vrm}}","cameraId":"CAM-1","forceCode":"wiltshire","observedAt":"{{observedAt}}"}""";

        string[] email =
        [
            "--Notify:Email:Smtp:Host=127.0.0.1", $"--Notify:Email:Smtp:Port={smtp.Port}", "--Notify:Email:Smtp:UseTls=false",
            "--Notify:Email:Smtp:From=anprwatch@police.example", "--Notify:Email:Recipients:0:Address=avon-desk@police.example",
            "--Notify:Email:Recipients:0:Forces=avon-and-somerset", "--Notify:Email:Recipients:0:MinPriority=high",
        ];
        await using var serve = ServeProcess.StartWith(cli, ["--Source:Kind=folder", $"--Source:Path={inbox}", .. Quick, .. WebhookArgs(receiver, [("all", "", "routine")]), .. email]);

        // The misread alone ("verify plate"): one webhook call, one e-mail.
        await DropAsync(cli, inbox, "a.jsonl", [Read("c-1", "JK99TP0", "2026-01-14T12:00:00Z")]);
        await WaitForAsync(() => receiver.Accepted.Count >= 1 && smtp.Messages.Count >= 1, serve, "the alert was not notified");

        // Later, in a batch of its own, the exact plate a second after it confirms it; a second exact read confirms nothing more.
        await DropAsync(cli, inbox, "b.jsonl", [Read("c-2", "JK99TPD", "2026-01-14T12:00:01Z"), Read("c-3", "JK99TPD", "2026-01-14T12:00:30Z")]);
        await WaitForAsync(() => receiver.Accepted.Count >= 2 && smtp.Messages.Count >= 2, serve, $"the confirmation was not notified: {receiver.Accepted.Count} webhook calls, {smtp.Messages.Count} e-mails; alerts file: {string.Join("\n", File.Exists(Path.Combine(inbox, "done", "b.alerts.jsonl")) ? File.ReadAllLines(Path.Combine(inbox, "done", "b.alerts.jsonl")) : ["(none)"])}");
        await Task.Delay(1500); // a repeat or a notification per exact read would arrive by now

        var calls = receiver.Calls;
        var confirmationLines = (await File.ReadAllLinesAsync(Path.Combine(inbox, "done", "b.alerts.jsonl"))).ToHashSet(StringComparer.Ordinal);
        var messages = smtp.Messages;
        Assert.Multiple(() =>
        {
            Assert.That(calls, Has.Count.EqualTo(2), "the alert, then its confirmation, nothing else");
            Assert.That(calls.Select(c => Field(c, "alertId")).Distinct().Count(), Is.EqualTo(1), "one alertId");
            Assert.That(calls.Select(c => c.DeliveryId).Distinct().Count(), Is.EqualTo(2), "two deliveries, each with its own id");
            Assert.That(JsonNode.Parse(calls[0].Body)!["confirmedAt"], Is.Null);
            Assert.That(Field(calls[1], "confirmingReadId"), Is.EqualTo("c-2"));
            Assert.That(JsonNode.Parse(calls[1].Body)!["confirmedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(new DateTimeOffset(2026, 1, 14, 12, 0, 1, TimeSpan.Zero)));
            Assert.That(calls.Where(c => !c.SignatureValid), Is.Empty);
            Assert.That(confirmationLines, Does.Contain(calls[1].Body), "the confirmation's body is byte-identical to the alert sink's confirmation line");

            Assert.That(messages.Select(m => m.Subject), Is.EqualTo(new[]
            {
                "AnprWatch HIGH alert: Wiltshire Police (marker held by Avon and Somerset Constabulary)",
                "AnprWatch HIGH alert confirmed: Wiltshire Police (marker held by Avon and Somerset Constabulary)",
            }));
            Assert.That(messages.Select(m => m.Headers["X-AnprWatch-Alert-Id"]).Distinct().Count(), Is.EqualTo(1));
            Assert.That(messages[1].TextBody, Does.Contain("Confirmed: an exact read of the marked plate at 2026-01-14 12:00:01 UK time (read c-2)"));
            Assert.That(messages.Select(m => m.TextBody + m.Subject), Has.None.Contains("JK99TP"), "no plate by default");
        });
    }

    [Test]
    public async Task A_receiver_outage_is_visible_while_it_lasts_and_every_alert_is_delivered_once_it_accepts()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Answer = () => 503;
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 1616, vehicles: 80);
        var truth = await GroundTruth.ExpectedAsync(sim);
        var owed = truth.Where(h => h!["alerted"]!.GetValue<bool>()).Select(h => $"{h!["readId"]}|{h["markerVrm"]}|{h["suspectRef"]}").ToHashSet();
        Assert.That(owed, Is.Not.Empty, "the scenario alerts");

        // Each alert is one delivery; a confirmed misread (DESIGN §8) one more, its confirmation.
        var confirmed = ConfirmedReadIds(truth);
        Assert.That(confirmed, Is.Not.Empty, "the scenario confirms a misread");
        var deliveries = owed.Count + confirmed.Count;
        var admin = (await cli.RunAsync("keys", "create", "--role", "admin", "--name", "notify-admin")).Out.Trim();
        var desk = (await cli.RunAsync("keys", "create", "--role", "control-room", "--name", "notify-desk")).Out.Trim();

        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await DropAsync(cli, inbox, "railcar.jsonl", await File.ReadAllLinesAsync(Path.Combine(sim, "reads.jsonl")));
        await using var serve = ServeProcess.StartWith(cli, ["--Source:Kind=folder", $"--Source:Path={inbox}", .. Quick, .. WebhookArgs(receiver, [("all", "", "routine")])]);

        // While the receiver answers 503 the backlog shows in /readyz (still ready) and in the admin listing.
        await WaitForAsync(() => File.Exists(Path.Combine(inbox, "done", "railcar.receipt.json")) && receiver.Calls.Select(c => c.DeliveryId).Distinct().Count() >= deliveries, serve, "the outage never reached every row");
        using var http = serve.CreateClient();
        JsonNode? notifications = null;
        var readiness = "";
        var waited = Stopwatch.StartNew();
        while (notifications?["failing"]?.GetValue<long>() != deliveries)
        {
            Assert.That(waited.Elapsed, Is.LessThan(TimeSpan.FromSeconds(60)), $"/readyz never reported {deliveries} failing deliveries: {readiness}");
            var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
            readiness = await response.Content.ReadAsStringAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a receiver outage must not make serve unready: " + readiness);
            notifications = JsonNode.Parse(readiness)!["notifications"];
            await Task.Delay(200);
        }

        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", admin);
        var failed = JsonNode.Parse(await http.GetStringAsync(new Uri("/api/admin/notifications?state=failed&limit=10000", UriKind.Relative)))!.AsArray();
        using var deskHttp = serve.CreateClient();
        deskHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("ApiKey", desk);
        var refused = await deskHttp.GetAsync(new Uri("/api/admin/notifications?state=pending", UriKind.Relative));
        Assert.Multiple(() =>
        {
            Assert.That(notifications!["pending"]!.GetValue<long>(), Is.EqualTo(deliveries));
            Assert.That(failed, Has.Count.EqualTo(deliveries));
            Assert.That(failed.Select(f => f!["lastError"]!.GetValue<string>()), Has.All.Contain("503"));
            Assert.That(failed.Select(f => f!["attempts"]!.GetValue<int>()), Has.All.GreaterThan(0));
            Assert.That(failed.Select(f => f!.ToJsonString()), Has.None.Contain("\"vrm\""), "the listing carries no alert body");
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "admin only");
        });

        receiver.Answer = () => 200;
        await WaitForAsync(() => receiver.Accepted.Select(c => $"{Field(c, "readId")}|{Field(c, "markerVrm")}|{Field(c, "suspectRef")}").ToHashSet().SetEquals(owed), serve, "not every alert was delivered after the outage");
        await WaitForAsync(() =>
            JsonNode.Parse(http.GetStringAsync(new Uri("/readyz", UriKind.Relative)).GetAwaiter().GetResult())!["notifications"]!["pending"]?.GetValue<long>() == 0,
            serve, "/readyz still reports pending deliveries");

        var audit = await cli.RunAsync("audit", "list", "--from", TestClock.Iso(TestClock.UkToday), "--to", TestClock.Iso(TestClock.UkToday), "--format", "json");
        Assert.Multiple(() =>
        {
            Assert.That(receiver.Accepted.GroupBy(c => (Field(c, "alertId"), IsConfirmation(c))).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "each alert and each confirmation accepted once");
            Assert.That(receiver.Accepted.Where(IsConfirmation).Select(c => Field(c, "confirmingReadId")).Order(), Is.EqualTo(confirmed.Order()), "every confirmation the ground truth owes");
            Assert.That(receiver.Calls.Where(c => !c.SignatureValid), Is.Empty);
            Assert.That(audit.Out, Does.Contain("notifications failed"), "the admin listing is audited");
        });
    }

    [Test]
    public async Task A_SIGKILL_mid_stream_with_the_receiver_down_loses_no_notification_after_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync(Secret);
        receiver.Answer = () => 503;
        using var cli = new CliRunner();
        var sim = await GroundTruth.SimulateAsync(cli, seed: 1717, vehicles: 400);
        var truth = await GroundTruth.ExpectedAsync(sim);
        var owed = truth.Where(h => h!["alerted"]!.GetValue<bool>()).Select(h => $"{h!["readId"]}|{h["markerVrm"]}|{h["suspectRef"]}").ToHashSet();
        var inbox = Directory.CreateDirectory(cli.PathOf("inbox")).FullName;
        await DropAsync(cli, inbox, "railcar.jsonl", await File.ReadAllLinesAsync(Path.Combine(sim, "reads.jsonl")));
        var receipt = Path.Combine(inbox, "done", "railcar.receipt.json");
        string[] args = ["--Source:Kind=folder", $"--Source:Path={inbox}", "--Source:BatchSize=40", .. Quick, .. WebhookArgs(receiver, [("all", "", "routine")])];

        // Killed part-way through the file while the receiver is refusing everything.
        await using (var first = ServeProcess.StartWith(cli, args))
        {
            var clock = Stopwatch.StartNew();
            while (await HitCounts.CountAsync(cli) < truth.Count / 3 && !File.Exists(receipt))
            {
                Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(120)), first.Output);
                await Task.Delay(10);
            }

            first.Kill();
            await first.WaitForExitAsync();
        }

        Assert.That(File.Exists(receipt), Is.False, "the kill came after the file was finished: the test proves nothing");
        Assert.That(receiver.Accepted, Is.Empty);

        receiver.Answer = () => 200;
        await using var second = ServeProcess.StartWith(cli, args);
        await WaitForAsync(() => File.Exists(receipt), second, "the interrupted file was never finished", 180);
        await WaitForAsync(() => receiver.Accepted.Select(c => $"{Field(c, "readId")}|{Field(c, "markerVrm")}|{Field(c, "suspectRef")}").ToHashSet().SetEquals(owed), second,
            "not every alert the ground truth owes was delivered after the restart", 120);

        await WaitForAsync(() => receiver.Accepted.Where(IsConfirmation).Select(c => Field(c, "confirmingReadId")).ToHashSet().SetEquals(ConfirmedReadIds(truth)), second,
            "not every confirmation the ground truth owes was delivered after the restart", 60);

        // A repeat is allowed (the crash may fall between a send and its record) but it carries the same ids.
        var repeats = receiver.Calls.GroupBy(c => (Field(c, "alertId"), IsConfirmation(c))).Select(g => g.Select(c => c.DeliveryId).Distinct().Count());
        Assert.That(repeats, Has.All.EqualTo(1));
    }

    [TestCase("--Notify:Webhooks:0:Url=ftp://receiver.example/hook", "Notify:Webhooks:0:Url")]
    [TestCase("--Notify:Webhooks:0:Url=not a url", "Notify:Webhooks:0:Url")]
    [TestCase("--Notify:Webhooks:0:MinPriority=critical", "Notify:Webhooks:0:MinPriority")]
    [TestCase("--Notify:Webhooks:0:Forces=atlantis", "Notify:Webhooks:0:Forces")]
    [TestCase("--Notify:Email:Recipients:0:Address=desk@police.example", "Notify:Email:Smtp:Host")]
    [TestCase("--Notify:Email:Recipients:0:Address=not-an-address", "Notify:Email:Recipients:0:Address")]
    [TestCase("--Notify:BoardUrl=board", "Notify:BoardUrl")]
    [TestCase("--Notify:Lease=00:00:10", "Notify:Lease")]
    public async Task Bad_notification_settings_stop_serve_at_start_with_exit_2_naming_the_key(string setting, string key)
    {
        using var cli = new CliRunner();
        string[] webhook = setting.StartsWith("--Notify:Webhooks:0:Url", StringComparison.Ordinal) ? [] : ["--Notify:Webhooks:0:Url=http://127.0.0.1:9/hook"];
        string[] secret = setting.StartsWith("--Notify:Webhooks", StringComparison.Ordinal) ? ["--Notify:Webhooks:0:Secret=x", .. webhook] : [];
        var result = await cli.RunAsync(["serve", "--Source:Kind=none", setting, .. secret]);
        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.EqualTo(2), result.Err);
            Assert.That(result.Err, Does.Contain("configuration " + key + ":"));
        });
    }
}
