using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace AnprWatch.Tests.Operations;

/// <summary>
/// deploy/systemd/anprwatch.service says <c>Type=notify</c>: serve must tell systemd <c>READY=1</c> on its
/// <c>NOTIFY_SOCKET</c> once the host has started. .NET's systemd integration only speaks when its parent process is
/// called <c>systemd</c>, so the test starts serve from a copy of bash named that, with a datagram socket of its own.
/// </summary>
[NonParallelizable]
public class SystemdNotifyTests
{
    [Test]
    public async Task Serve_under_systemd_notifies_ready_on_the_notify_socket()
    {
        using var cli = new CliRunner();
        Assert.That((await cli.RunAsync("db", "migrate")).ExitCode, Is.Zero);
        var systemd = cli.PathOf("systemd");
        File.Copy("/bin/bash", systemd); // File.Copy keeps the executable mode
        var socketPath = cli.PathOf("notify.sock");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(socketPath));

        var port = Kafka.KafkaBroker.FreePort();
        var start = new ProcessStartInfo(systemd) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("dotnet \"$0\" serve --Source:Kind=none \"--Storage:ConnectionString=Data Source=$1\" --Http:Urls=http://127.0.0.1:$2 & wait $!");
        start.ArgumentList.Add(Kafka.ServeProcess.AppPath);
        start.ArgumentList.Add(cli.Database);
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["NOTIFY_SOCKET"] = socketPath;
        using var process = Process.Start(start)!;
        try
        {
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var received = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
            var message = Encoding.UTF8.GetString(buffer, 0, received);
            Assert.That(message, Does.Contain("READY=1"));

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) };
            Assert.That(await http.GetStringAsync(new Uri("/healthz", UriKind.Relative)), Is.EqualTo("ok"), "ready means the HTTP endpoints answer");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
