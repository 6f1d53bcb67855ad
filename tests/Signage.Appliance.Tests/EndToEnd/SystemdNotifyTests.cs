using System.Net.Sockets;
using System.Text;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// The installer's unit is Type=notify with WatchdogSec: the native appliance tells systemd it is
/// ready, keeps petting the watchdog, and says when it stops, over $NOTIFY_SOCKET. Here the test
/// plays systemd: a unix datagram socket it reads.
/// </summary>
public sealed class SystemdNotifyTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_appliance_sends_ready_then_watchdog_pings_then_stopping_to_the_notify_socket()
    {
        var socketPath = _temp.Combine("notify.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(socketPath));

        await using var appliance = await ApplianceProcess.StartAsync(_temp.Combine("data"), new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = socketPath,
            ["WATCHDOG_USEC"] = "400000", // pings every 0.2 s
        });

        var ready = await ReceiveAsync(systemd);
        Assert.Contains("READY=1", ready.Split('\n'));
        Assert.Contains($"MAINPID={appliance.Id}", ready.Split('\n'));
        for (var i = 0; i < 3; i++) Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd));

        Assert.Equal(0, await appliance.StopAsync());
        string message;
        do message = await ReceiveAsync(systemd); while (message == "WATCHDOG=1");
        Assert.Equal("STOPPING=1", message);
    }

    [Fact]
    public async Task Without_a_watchdog_interval_it_only_says_ready_and_stopping()
    {
        var socketPath = _temp.Combine("notify.sock");
        using var systemd = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        systemd.Bind(new UnixDomainSocketEndPoint(socketPath));

        await using var appliance = await ApplianceProcess.StartAsync(_temp.Combine("data"), new Dictionary<string, string> { ["NOTIFY_SOCKET"] = socketPath });

        Assert.StartsWith("READY=1", await ReceiveAsync(systemd));
        await Task.Delay(500);
        Assert.Equal(0, await appliance.StopAsync());
        Assert.Equal("STOPPING=1", await ReceiveAsync(systemd));
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[4096];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var read = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, read);
    }
}
