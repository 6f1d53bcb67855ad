using Microsoft.Extensions.Logging;
using Signage.Player.Core;
using Signage.Player.Core.Api;
using Signage.Player.Core.Configuration;

namespace Signage.Player.Maui;

/// <summary>Starts the core once for the life of the process and gives it the one page.</summary>
public sealed class App : Application
{
    private readonly PlayerPage _page = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Platforms.Android.MulticastLock? _multicastLock;

    public App(ILoggerFactory loggers)
    {
        var options = new PlayerOptions
        {
            DataDirectory = FileSystem.AppDataDirectory,
            HardwareId = DeviceIdentity.HardwareId(),
            DeviceInfo = new Signage.Contracts.DeviceInfo(DeviceInfo.Current.Manufacturer, DeviceInfo.Current.Model, DeviceInfo.Current.VersionString, AppInfo.Current.VersionString),
            AppVersion = AppInfo.Current.VersionString,
            NetworkType = Microsoft.Maui.Networking.Connectivity.Current.ConnectionProfiles.Contains(ConnectionProfile.Ethernet) ? "ETHERNET" : "WIFI",
        };
        // The appliance is found by mDNS (a multicast lock lets the answers in); an installer may pin an
        // address instead (preference "appliance-url") where the network blocks multicast.
        IApplianceLocator locator;
        if (Preferences.Default.Get<string?>("appliance-url", null) is { Length: > 0 } pinned)
        {
            locator = new ConfiguredApplianceLocator(new Uri(pinned));
        }
        else
        {
            _multicastLock = new Platforms.Android.MulticastLock();
            locator = new MdnsApplianceLocator(logger: loggers.CreateLogger<MdnsApplianceLocator>());
            AppDomain.CurrentDomain.ProcessExit += (_, _) => _multicastLock?.Dispose();
        }
        var player = new PlayerCoordinator(options, new PlayerDependencies(new MauiScreen(_page), locator, TimeProvider.System, loggers));
        _ = Task.Run(async () =>
        {
            if (await player.RunAsync(_stop.Token) == PlayerExit.RestartRequested)
            {
                Platforms.Android.Relauncher.Restart();
            }
        });
    }

    protected override Window CreateWindow(IActivationState? activationState) => new(_page);
}
