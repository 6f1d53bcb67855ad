using Android.Content;
using Android.Net.Wifi;

namespace Signage.Player.Maui.Platforms.Android;

/// <summary>Android drops incoming multicast unless an app holds a Wi-Fi multicast lock, so mDNS
/// answers from the appliance would never arrive. Held while the mDNS locator runs (for the life of
/// the app: the player follows the appliance to a new address), released when the app ends.</summary>
public sealed class MulticastLock : IDisposable
{
    private readonly WifiManager.MulticastLock? _lock;

    public MulticastLock()
    {
        var wifi = (WifiManager?)global::Android.App.Application.Context.GetSystemService(Context.WifiService);
        _lock = wifi?.CreateMulticastLock("signage-mdns");
        _lock?.SetReferenceCounted(false);
        _lock?.Acquire();
    }

    public void Dispose() => _lock?.Release();
}
