using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Signage.Cli.Commands;

/// <summary>
/// `signage doctor`: checks this machine the way a support call would (listen port, disk, clock,
/// multicast for discovery, ffmpeg for thumbnails, data directory permissions); each finding that
/// is not ok says how to fix it. Exits 2 when a check fails (warnings do not count).
/// </summary>
public static class DoctorCommand
{
    public const string Ok = "ok";
    public const string Warn = "warn";
    public const string Fail = "fail";

    public static Command Create()
    {
        var dataDir = ApplianceData.DirectoryOption();
        var urls = new Option<string?>("--urls") { Description = "The listen URLs to check. Default: SIGNAGE_URLS from <data-dir>/appliance.env, else http://0.0.0.0:5080." };
        var json = new Option<bool>("--json") { Description = "Print the findings as JSON." };
        var command = SignageCommand.WithExamples("doctor", 
            "Check ports, disk, clock, multicast, ffmpeg and data directory permissions; print a fix for each problem.",
            "sudo -u signage signage doctor",
            "signage doctor --data-dir /var/lib/signage --json");
        command.Options.Add(dataDir);
        command.Options.Add(urls);
        command.Options.Add(json);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            var directory = ApplianceData.Full(parse, dataDir);
            var listen = parse.GetValue(urls) ?? SettingsUrls(directory) ?? "http://0.0.0.0:5080";
            List<DoctorFinding> findings =
            [
                .. await PortsAsync(listen, cancellationToken),
                Permissions(directory),
                Disk(directory),
                await ClockAsync(cancellationToken),
                Multicast(),
                await FfmpegAsync(cancellationToken),
            ];
            var report = new DoctorReport(findings.All(f => f.Status != Fail), [.. findings]);
            if (parse.GetValue(json)) Terminal.Json(report, CliJsonContext.Default.DoctorReport);
            else
            {
                foreach (var finding in findings)
                {
                    Terminal.Line($"[{finding.Status,-4}] {finding.Check}: {finding.Detail}");
                    if (finding.Fix is { } fix) Terminal.Line($"       fix: {fix}");
                }
            }
            return report.Ok ? ExitCodes.Ok : ExitCodes.ChecksFailed;
        });
        return command;
    }

    private static string? SettingsUrls(string directory)
    {
        var path = Path.Combine(directory, ProvisionCommand.SettingsFileName);
        if (!File.Exists(path)) return null;
        return File.ReadLines(path).Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("SIGNAGE_URLS=", StringComparison.Ordinal))?["SIGNAGE_URLS=".Length..];
    }

    /// <summary>Each listen port is either free (the appliance can take it) or already answered by an appliance.</summary>
    private static async Task<List<DoctorFinding>> PortsAsync(string urls, CancellationToken cancellationToken)
    {
        var findings = new List<DoctorFinding>();
        foreach (var url in urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var check = $"port {url}";
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                findings.Add(new(check, Fail, "not a URL", "Set SIGNAGE_URLS to addresses such as http://0.0.0.0:5080 (signage provision --urls)."));
                continue;
            }
            var address = uri.Host is "0.0.0.0" or "*" or "+" ? IPAddress.Any : IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) ? ip : IPAddress.Loopback;
            try
            {
                using var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                listener.Bind(new IPEndPoint(address, uri.Port));
                findings.Add(uri.Port < 1024 && Environment.UserName != "root"
                    ? new(check, Warn, $"port {uri.Port} is free, but below 1024", "The systemd unit grants CAP_NET_BIND_SERVICE; elsewhere use a port of 1024 or more.")
                    : new(check, Ok, $"port {uri.Port} is free for the appliance", null));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                var probe = $"http://{(address.Equals(IPAddress.Any) ? "127.0.0.1" : uri.Host)}:{uri.Port}";
                try
                {
                    using var client = ApplianceClient.Create(probe);
                    var health = await client.HealthAsync(cancellationToken);
                    findings.Add(new(check, Ok, $"an appliance answers there (version {health.Version}, {health.Status})", null));
                }
                catch (CliException)
                {
                    findings.Add(new(check, Fail, $"port {uri.Port} is taken by another program",
                        $"Find it with `sudo ss -ltnp 'sport = :{uri.Port}'` and stop it, or choose another port (signage provision --urls)."));
                }
            }
            catch (SocketException e)
            {
                findings.Add(new(check, Fail, $"cannot listen there: {e.Message}", "Use an address this machine has (0.0.0.0 for all) and a port of 1024 or more."));
            }
        }
        return findings;
    }

    private static DoctorFinding Permissions(string directory)
    {
        const string check = "data directory";
        if (!Directory.Exists(directory))
            return new(check, Fail, $"{directory} does not exist", $"Run `signage provision --data-dir {directory} …`, or pass --data-dir.");
        var probe = Path.Combine(directory, $".doctor-probe-{Environment.ProcessId}");
        try
        {
            File.WriteAllText(probe, "x");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new(check, Fail, $"{directory} is not writable by {Environment.UserName}: {e.Message}",
                $"Run as the service user (sudo -u signage signage doctor), or give it the folder: sudo chown -R signage:signage {directory}");
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(directory) & (UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            return new(check, Warn, $"{directory} is readable by every user (it holds keys and password hashes)", $"chmod 700 {directory}");
        if (!File.Exists(Path.Combine(directory, ApplianceData.DatabaseFileName)))
            return new(check, Warn, $"{directory} has no database yet", "Run `signage provision`.");
        return new(check, Ok, $"{directory} is writable and provisioned", null);
    }

    private static DoctorFinding Disk(string directory)
    {
        const string check = "disk";
        var existing = directory;
        while (!Directory.Exists(existing) && Path.GetDirectoryName(existing) is { } parent) existing = parent;
        var free = new DriveInfo(existing).AvailableFreeSpace;
        return free switch
        {
            < 512L << 20 => new(check, Fail, $"{Terminal.Bytes(free)} free for {directory}", "Free space: delete old backups or pre-restore-* folders, unused media in the admin page, or grow the disk."),
            < 4L << 30 => new(check, Warn, $"{Terminal.Bytes(free)} free for {directory}; media uploads need room", "Plan more space: 4 GB or more free is comfortable."),
            _ => new(check, Ok, $"{Terminal.Bytes(free)} free for {directory}", null),
        };
    }

    private static async Task<DoctorFinding> ClockAsync(CancellationToken cancellationToken)
    {
        const string check = "clock";
        // Schedules and proof of play use this clock: a clock before this release's build is plainly unset.
        if (DateTime.UtcNow.Year < 2025)
            return new(check, Fail, $"the clock says {DateTime.UtcNow:u}", "Set the time and turn on NTP: sudo timedatectl set-ntp true");
        var synchronized = await RunAsync("timedatectl", ["show", "-p", "NTPSynchronized", "--value"], cancellationToken);
        return synchronized switch
        {
            { ExitCode: 0, Output: var o } when o.Trim() == "yes" => new(check, Ok, $"{DateTime.UtcNow:u}, synchronised by NTP", null),
            { ExitCode: 0 } => new(check, Warn, $"{DateTime.UtcNow:u}, not synchronised by NTP", "sudo timedatectl set-ntp true (and allow UDP 123 out, or point it at a LAN time server)"),
            _ => new(check, Warn, $"{DateTime.UtcNow:u}; cannot tell whether NTP keeps it right (no timedatectl)", "Make sure an NTP client runs (systemd-timesyncd, chrony)."),
        };
    }

    /// <summary>Discovery needs an up, multicast-capable LAN interface and UDP 5353 (mDNS).</summary>
    private static DoctorFinding Multicast()
    {
        const string check = "multicast";
        var lan = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback && n.SupportsMulticast)
            .Where(n => n.GetIPProperties().UnicastAddresses.Any(a => a.Address.AddressFamily == AddressFamily.InterNetwork))
            .Select(n => n.Name).ToList();
        if (lan.Count == 0)
            return new(check, Fail, "no network interface that is up, has an IPv4 address and supports multicast", "Connect the LAN (screens find the appliance by mDNS on it), and check `ip link` shows MULTICAST.");
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(IPAddress.Any, 5353));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(IPAddress.Parse("224.0.0.251")));
            return new(check, Ok, $"mDNS group 224.0.0.251:5353 joined; LAN interfaces: {string.Join(", ", lan)}", null);
        }
        catch (SocketException e)
        {
            return new(check, Warn, $"cannot join mDNS 224.0.0.251:5353 ({e.Message}); LAN interfaces: {string.Join(", ", lan)}",
                "Another mDNS responder may hold the port exclusively, or a firewall blocks it: allow UDP 5353 (sudo ufw allow 5353/udp).");
        }
    }

    private static async Task<DoctorFinding> FfmpegAsync(CancellationToken cancellationToken)
    {
        const string check = "ffmpeg";
        var path = Environment.GetEnvironmentVariable("SIGNAGE_FFMPEG") is { Length: > 0 } configured ? configured : "ffmpeg";
        if (path == "none") return new(check, Ok, "thumbnails are turned off (SIGNAGE_FFMPEG=none)", null);
        var run = await RunAsync(path, ["-hide_banner", "-version"], cancellationToken);
        return run.ExitCode == 0
            ? new(check, Ok, run.Output.Split('\n')[0].Trim(), null)
            : new(check, Warn, $"{path} not found: video and image thumbnails are placeholders", "sudo apt-get install ffmpeg (or set SIGNAGE_FFMPEG to its path)");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string[] arguments, CancellationToken cancellationToken)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true });
            if (process is null) return (-1, "");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            await process.StandardError.ReadToEndAsync(cancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token);
            return (process.ExitCode, await output);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (-1, "");
        }
    }
}
