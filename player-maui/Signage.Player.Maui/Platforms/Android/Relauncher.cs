using Android.App;
using Android.Content;

namespace Signage.Player.Maui.Platforms.Android;

/// <summary>Kiosk relaunch: REBOOT_APP schedules the activity a moment ahead with AlarmManager and
/// ends the process.</summary>
public static class Relauncher
{
    public static void Restart()
    {
        var context = global::Android.App.Application.Context;
        var intent = new Intent(context, typeof(MainActivity)).AddFlags(ActivityFlags.NewTask);
        var pending = PendingIntent.GetActivity(context, 0, intent, PendingIntentFlags.Immutable | PendingIntentFlags.CancelCurrent);
        var alarms = (AlarmManager?)context.GetSystemService(Context.AlarmService);
        alarms?.Set(AlarmType.ElapsedRealtime, global::Android.OS.SystemClock.ElapsedRealtime() + 1500, pending);
        Java.Lang.JavaSystem.Exit(0);
    }
}
