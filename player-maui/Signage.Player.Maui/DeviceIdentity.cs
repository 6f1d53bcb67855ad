namespace Signage.Player.Maui;

internal static class DeviceIdentity
{
    /// <summary>ANDROID_ID: stable per device and app signing key, survives reinstalls of the same build.</summary>
    public static string HardwareId() =>
        Android.Provider.Settings.Secure.GetString(Android.App.Application.Context.ContentResolver, Android.Provider.Settings.Secure.AndroidId)
        ?? Preferences.Default.Get("hardware-id", Guid.NewGuid().ToString("N"));
}
