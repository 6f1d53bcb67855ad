using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Signage.Appliance.Hosting;

/// <summary>
/// systemd's notify protocol (sd_notify(3)), for the installer's <c>Type=notify</c> unit with a
/// watchdog: <c>READY=1</c> once the appliance listens, <c>WATCHDOG=1</c> at half the watchdog
/// interval for as long as it runs, <c>STOPPING=1</c> on the way out. Each message is one datagram
/// to the unix socket named in <c>$NOTIFY_SOCKET</c> (a leading '@' means Linux's abstract
/// namespace). Without that variable (not under systemd) every call does nothing.
/// </summary>
public sealed class SystemdNotifier : BackgroundService
{
    private readonly string? _socketPath;
    private readonly TimeSpan? _watchdogInterval;
    private readonly IHostApplicationLifetime _lifetime;

    public SystemdNotifier(Func<string, string?> environment, IHostApplicationLifetime lifetime)
    {
        _lifetime = lifetime;
        _socketPath = environment("NOTIFY_SOCKET") is { Length: > 0 } path ? path : null;
        // WATCHDOG_PID, when set, names the process the watchdog is meant for (not a child of it).
        var forUs = environment("WATCHDOG_PID") is not { Length: > 0 } pid || pid == Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        if (forUs && long.TryParse(environment("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0)
            _watchdogInterval = TimeSpan.FromMicroseconds(usec / 2.0);
    }

    public bool Enabled => _socketPath is not null;

    public TimeSpan? WatchdogInterval => _watchdogInterval;

    /// <summary>Sends one notification; false when not under systemd or the socket refused it.</summary>
    public bool Notify(string state)
    {
        if (_socketPath is null) return false;
        var address = _socketPath[0] == '@' ? "\0" + _socketPath[1..] : _socketPath;
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(address));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _lifetime.ApplicationStarted.Register(() =>
        {
            Notify($"READY=1\nSTATUS=Listening\nMAINPID={Environment.ProcessId}");
            started.TrySetResult();
        });
        _lifetime.ApplicationStopping.Register(() => Notify("STOPPING=1"));
        if (_watchdogInterval is not { } interval) return;
        try
        {
            // systemd arms the watchdog at READY=1; pings start then (the services started right
            // after listen, Hosting/AfterListen.cs, may take longer than one interval).
            await started.Task.WaitAsync(stoppingToken);
            using var timer = new PeriodicTimer(interval);
            while (await timer.WaitForNextTickAsync(stoppingToken)) Notify("WATCHDOG=1");
        }
        catch (OperationCanceledException)
        {
        }
    }
}
