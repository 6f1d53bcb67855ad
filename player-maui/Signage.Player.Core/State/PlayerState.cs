namespace Signage.Player.Core.State;

/// <summary>The primary states of spec 28.3/28.12 that decide what is on screen.</summary>
public enum PlayerState
{
    Boot,
    LoadLocal,
    PlayableCheck,
    Playing,
    ErrorScreen,
    /// <summary>No valid device token: the pairing screen (spec 28.10).</summary>
    Unregistered,
}

/// <summary>What moves the machine (spec 28.12's "Event" column).</summary>
public enum PlayerTrigger
{
    InitComplete,
    Loaded,
    NoDeviceToken,
    PlayableFound,
    NonePlayable,
    ContentRestored,
    PlaybackImpossible,
    TokenInvalid,
    Paired,
}

/// <summary>SYNC_MANIFEST, SYNC_COMMANDS, DOWNLOAD_ASSETS, APPLY_STAGED and OFFLINE_BACKOFF are logical
/// states that run beside playback (spec 28.3's note), so they are flags, not states.</summary>
[Flags]
public enum PlayerActivity
{
    None = 0,
    SyncManifest = 1,
    SyncCommands = 2,
    DownloadAssets = 4,
    ApplyStaged = 8,
    OfflineBackoff = 16,
}

public static class PlayerStateNames
{
    /// <summary>The spec's spelling (BOOT, LOAD_LOCAL…), used in status and logs.</summary>
    public static string Wire(PlayerState state) => state switch
    {
        PlayerState.Boot => "BOOT",
        PlayerState.LoadLocal => "LOAD_LOCAL",
        PlayerState.PlayableCheck => "PLAYABLE_CHECK",
        PlayerState.Playing => "PLAYING",
        PlayerState.ErrorScreen => "ERROR_SCREEN",
        PlayerState.Unregistered => "UNREGISTERED",
        _ => throw new ArgumentOutOfRangeException(nameof(state)),
    };

    /// <summary>Heartbeat state (spec 27.8.2 knows PLAYING, ERROR_SCREEN, PAIRING, BOOTING).</summary>
    public static string Heartbeat(PlayerState state) => state switch
    {
        PlayerState.Playing => "PLAYING",
        PlayerState.ErrorScreen => "ERROR_SCREEN",
        PlayerState.Unregistered => "PAIRING",
        _ => "BOOTING",
    };

    public static IEnumerable<string> Wire(PlayerActivity activities) =>
        new (PlayerActivity Flag, string Name)[]
        {
            (PlayerActivity.SyncManifest, "SYNC_MANIFEST"), (PlayerActivity.SyncCommands, "SYNC_COMMANDS"),
            (PlayerActivity.DownloadAssets, "DOWNLOAD_ASSETS"), (PlayerActivity.ApplyStaged, "APPLY_STAGED"),
            (PlayerActivity.OfflineBackoff, "OFFLINE_BACKOFF"),
        }.Where(a => activities.HasFlag(a.Flag)).Select(a => a.Name);
}
