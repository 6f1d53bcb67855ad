using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Signage.Contracts;
using Signage.Discovery;
using Signage.Player.Core;
using Signage.Player.Core.Api;
using Signage.Player.Core.Configuration;
using Signage.Player.Core.Diagnostics;
using Signage.Player.Headless;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(HeadlessArguments.Usage);
    return 0;
}

var arguments = HeadlessArguments.Parse(args, out var error);
if (arguments is null)
{
    Console.Error.WriteLine("signage-player-headless: " + error);
    Console.Error.WriteLine(HeadlessArguments.Usage);
    return 64;
}

// SET_LOG_LEVEL and ENABLE_DIAGNOSTICS move this switch (the core owns the level; this host filters by it).
var logLevel = new LogLevelSwitch();
// Logs go to standard error; standard output carries only the pairing code line.
using var loggers = LoggerFactory.Create(builder => builder
    .AddSimpleConsole(o =>
    {
        o.SingleLine = true;
        o.TimestampFormat = "HH:mm:ss.fff ";
        o.UseUtcTimestamp = true;
    })
    .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace)
    .AddFilter((_, level) => logLevel.IsEnabled(level)));

Directory.CreateDirectory(arguments.DataDirectory);
var version = typeof(PlayerCoordinator).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
var options = new PlayerOptions
{
    DataDirectory = arguments.DataDirectory,
    HardwareId = arguments.HardwareId ?? HardwareIdentity.LoadOrCreate(arguments.DataDirectory),
    DeviceInfo = new DeviceInfo("Signage", "Headless", RuntimeInformation.OSDescription, version),
    AppVersion = version,
};

using var frames = new FrameLog(Path.Combine(arguments.DataDirectory, "frames.jsonl"));
var screen = new HeadlessScreen(frames, TimeProvider.System, Console.Out);
// No --appliance: find it by mDNS, and keep following it (MdnsApplianceLocator).
await using var discovery = arguments.Appliance is null
    ? new MdnsApplianceLocator(new DiscoveryOptions { Interfaces = arguments.Interface is null ? [] : [arguments.Interface] },
        logger: loggers.CreateLogger("Signage.Discovery"))
    : null;
using var player = new PlayerCoordinator(options,
    new PlayerDependencies(screen, discovery ?? (IApplianceLocator)new ConfiguredApplianceLocator(arguments.Appliance!), TimeProvider.System, loggers, LogLevel: logLevel));

using var stop = new CancellationTokenSource();
using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);

var status = new StatusFileWriter(Path.Combine(arguments.DataDirectory, "status.json"), player);
var statusLoop = status.RunAsync(stop.Token);
var exit = await player.RunAsync(stop.Token);
await stop.CancelAsync();
await statusLoop;
status.WriteIfChanged();
return exit == PlayerExit.RestartRequested ? 75 : 0;

void Stop(PosixSignalContext context)
{
    // Handled here: the player stops at once (recording the interrupted play), then the process exits 0.
    context.Cancel = true;
    stop.Cancel();
}
