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
        // The appliance URL comes from the installer (adb shell setprop / a provisioning intent) until mDNS lands.
        var appliance = new Uri(Preferences.Default.Get("appliance-url", "http://signage-appliance.local:5080/"));
        var player = new PlayerCoordinator(options, new PlayerDependencies(new MauiScreen(_page), new ConfiguredApplianceLocator(appliance),
            TimeProvider.System, loggers));
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
