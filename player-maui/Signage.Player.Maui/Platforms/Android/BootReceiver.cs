using Android.App;
using Android.Content;

namespace Signage.Player.Maui.Platforms.Android;

/// <summary>Launch on boot (spec 19). Starting an activity from the background needs the overlay
/// permission ("display over other apps") on Fire OS 8; the installer grants it by adb (README, Fire TV).</summary>
[BroadcastReceiver(Enabled = true, Exported = true, Permission = "android.permission.RECEIVE_BOOT_COMPLETED")]
[IntentFilter([Intent.ActionBootCompleted, "android.intent.action.QUICKBOOT_POWERON"])]
public sealed class BootReceiver : BroadcastReceiver
{
    public override void OnReceive(Context? context, Intent? intent)
    {
        if (context is null)
        {
            return;
        }

        var launch = new Intent(context, typeof(MainActivity)).AddFlags(ActivityFlags.NewTask | ActivityFlags.ClearTop);
        context.StartActivity(launch);
    }
}
