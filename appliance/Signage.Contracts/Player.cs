using System.Text.Json;

namespace Signage.Contracts;

// The player <-> appliance protocol (spec 25.3, 27.7, 27.8, 28). Field names are the spec's.
// Extensions beyond the spec are marked; a player that ignores them still works.
// Optional request fields have defaults (see Accounts.cs).

public static class PlayerProtocol
{
    /// <summary>Maximum events in one POST /v1/player/events (spec 27.8.3).</summary>
    public const int MaxEventsPerBatch = 100;

    /// <summary>Header a screen sends with GET /v1/devices/pairing/status: the secret from pairing/start.</summary>
    public const string PairingSecretHeader = "X-Pairing-Secret";

    /// <summary>RFC 7240: a conditional manifest request may ask to be held until the manifest changes.</summary>
    public const string PreferWaitHeader = "Prefer";

    public static class PairingStatus
    {
        public const string Pending = "PENDING";
        public const string Claimed = "CLAIMED";
        public const string Completed = "COMPLETED";
        public const string Expired = "EXPIRED";
    }

    public static class EventTypes
    {
        public const string PlayStart = "PLAY_START";
        public const string PlayEnd = "PLAY_END";
        public const string AppStarted = "APP_STARTED";
        public const string PlaybackFailed = "PLAYBACK_FAILED";
        public const string DownloadFailed = "DOWNLOAD_FAILED";
        public const string ManifestFetchFailed = "MANIFEST_FETCH_FAILED";
        public const string ManifestStaged = "MANIFEST_STAGED";
        public const string ManifestApplied = "MANIFEST_APPLIED";
        public const string ManifestRejected = "MANIFEST_REJECTED";
        public const string OfflineEntered = "OFFLINE_ENTERED";
        public const string OnlineRestored = "ONLINE_RESTORED";
        public const string FallbackToPreviousManifest = "FALLBACK_TO_PREVIOUS_MANIFEST";
        public const string NoPlayableContent = "NO_PLAYABLE_CONTENT";
        public const string ErrorScreenEntered = "ERROR_SCREEN_ENTERED";
        public const string LocalManifestCorrupt = "LOCAL_MANIFEST_CORRUPT";
        public const string CommandExecuted = "COMMAND_EXECUTED";
        public const string CommandFailed = "COMMAND_FAILED";
        public const string DeviceTokenInvalid = "DEVICE_TOKEN_INVALID";
        public const string CacheEviction = "CACHE_EVICTION";
        public const string AssetCorrupt = "ASSET_CORRUPT";

        public static readonly string[] All =
        [
            PlayStart, PlayEnd, AppStarted, PlaybackFailed, DownloadFailed, ManifestFetchFailed, ManifestStaged, ManifestApplied,
            ManifestRejected, OfflineEntered, OnlineRestored, FallbackToPreviousManifest, NoPlayableContent, ErrorScreenEntered,
            LocalManifestCorrupt, CommandExecuted, CommandFailed, DeviceTokenInvalid, CacheEviction, AssetCorrupt,
        ];
    }

    /// <summary>PLAY_END results (control-plane seed 001).</summary>
    public static class PlayResults
    {
        public const string Completed = "COMPLETED";
        public const string Skipped = "SKIPPED";
        public const string Error = "ERROR";
        public const string Interrupted = "INTERRUPTED";
        public static readonly string[] All = [Completed, Skipped, Error, Interrupted];
    }

    /// <summary>Support commands: spec 28.7's names, and spec 18's "enable diagnostics".</summary>
    public static class CommandTypes
    {
        public const string RequestManifestRefresh = "REQUEST_MANIFEST_REFRESH";
        public const string RestartPlaybackLoop = "RESTART_PLAYBACK_LOOP";
        public const string ClearCacheUnused = "CLEAR_CACHE_UNUSED";
        public const string ClearCacheAll = "CLEAR_CACHE_ALL";
        public const string RebootApp = "REBOOT_APP";
        /// <summary>parameters: <c>{"level": "DEBUG"}</c>, one of <see cref="LogLevels.All"/>.</summary>
        public const string SetLogLevel = "SET_LOG_LEVEL";
        /// <summary>parameters: <c>{"durationSeconds": 3600}</c>: verbose logging that turns itself off after it.</summary>
        public const string EnableDiagnostics = "ENABLE_DIAGNOSTICS";
        public static readonly string[] All = [RequestManifestRefresh, RestartPlaybackLoop, ClearCacheUnused, ClearCacheAll, RebootApp, SetLogLevel, EnableDiagnostics];
    }

    /// <summary>The parameters the support commands take (the spec names the commands, not their parameters).</summary>
    public static class CommandParameters
    {
        public const string Level = "level";
        public const string DurationSeconds = "durationSeconds";
        public const int MinDiagnosticsSeconds = 1;
        /// <summary>A day: verbose logs left on for longer would fill a TV's small storage.</summary>
        public const int MaxDiagnosticsSeconds = 86_400;

        /// <summary>The parameters a command takes; any other is refused.</summary>
        public static string[] For(string commandType) => commandType switch
        {
            CommandTypes.SetLogLevel => [Level],
            CommandTypes.EnableDiagnostics => [DurationSeconds],
            _ => [],
        };
    }

    /// <summary>SET_LOG_LEVEL's levels: the event severities of spec 27.8.3 (INFO, WARNING, ERROR) and the two finer ones.</summary>
    public static class LogLevels
    {
        public const string Trace = "TRACE";
        public const string Debug = "DEBUG";
        public const string Info = "INFO";
        public const string Warning = "WARNING";
        public const string Error = "ERROR";
        public static readonly string[] All = [Trace, Debug, Info, Warning, Error];
    }
}

// ---- pairing (spec 27.7, 26.5) ----

public sealed record DeviceInfo(string? Manufacturer = null, string? Model = null, string? OsVersion = null, string? AppVersion = null);

/// <summary><see cref="DeviceHardwareId"/> and <see cref="PairingStartResponse.PairingCode"/> are the names of spec 26.5's DevicePairing.</summary>
public sealed record PairingStartRequest(string DeviceHardwareId, DeviceInfo? DeviceInfo = null);

/// <summary>The screen shows <see cref="PairingCode"/> and a QR code of <see cref="QrPayload"/> (an admin-page URL
/// with the code filled in), then polls with <see cref="PairingSecret"/> until claimed.</summary>
public sealed record PairingStartResponse(string PairingId, string PairingCode, string ExpiresAtUtc, int PollIntervalSeconds, string QrPayload, string PairingSecret);

/// <summary>GET /v1/devices/pairing/status?pairingId=…: the device token appears once, when COMPLETED.</summary>
public sealed record PairingStatusResponse(string PairingId, string Status, string ExpiresAtUtc, string? DeviceId, string? VenueId, string? DeviceToken);

public sealed record PairingClaimRequest(string PairingCode, string Name, string? GroupId = null);

// ---- manifest (spec 27.8.1 + timeline extension) ----

public sealed record DeviceSettings(string RunMode, bool LaunchOnBoot, bool AutoRelaunch, bool KeepAwake, bool WatchdogReturnToForeground,
    string Orientation, long CacheBudgetBytes, string? Timezone);

public sealed record ManifestItem(string AssetId, string Type, string Url, string ChecksumSha256, int DurationSeconds, int WidthPx, int HeightPx,
    long FileSizeBytes, int DurationMs);

public sealed record ManifestPlaylist(string PlaylistId, long PublishedVersion, ManifestItem[] Items);

/// <summary>Extension: the resolved schedule from now to now + 72 h and every playlist it names, so a
/// screen that loses the appliance still switches at the right moments.</summary>
public sealed record ManifestTimeline(string FromUtc, string ToUtc, TimelineSegmentResponse[] Segments, ManifestPlaylist[] Playlists);

public sealed record ManifestResponse(string ManifestEtag, string ValidToUtc, int NextCheckSeconds, DeviceSettings Settings,
    ManifestPlaylist? Playlist, ManifestTimeline Timeline);

// ---- heartbeat (spec 27.8.2) ----

/// <summary><see cref="CurrentItemStartedAtUtc"/> is our addition to spec 27.8.2: when the item on screen went on
/// (device clock). It tells one showing from the next of the same item at the same index and loop — after a
/// player restart or a re-applied manifest both start again at 0 — so PLAYBACK_STUCK never mistakes a new
/// showing for an old one.</summary>
public sealed record PlaybackState(string? PlaylistId = null, long? PublishedVersion = null, string? CurrentAssetId = null, int? CurrentItemIndex = null, int? LoopCount = null,
    string? CurrentItemStartedAtUtc = null);

public sealed record CacheState(long TotalBytes, long UsedBytes, int AssetCount, int PendingDownloads);

public sealed record NetworkState(bool Connected, string Type, string? LastSyncAtUtc = null);

public sealed record ErrorCounters(int PlaybackFailures = 0, int DownloadFailures = 0, int ManifestFetchFailures = 0);

public sealed record HeartbeatRequest(string AppVersion, string State, string? DeviceTime = null, string? ManifestEtag = null,
    PlaybackState? Playback = null, CacheState? Cache = null, NetworkState? Network = null, ErrorCounters? Errors = null);

// ---- events (spec 27.8.3 + eventId/sequence) ----

/// <summary>One event. <see cref="EventId"/> is a device-made UUID (a re-send is harmless);
/// <see cref="Sequence"/> increases by one per event on the device, so gaps are visible.
/// PLAY_END's payload: playlistId, assetId, startedAtUtc, durationMs, result.</summary>
public sealed record PlayerEvent(string EventId, long Sequence, string EventType, string EventTimeUtc, string Severity = "INFO", JsonElement? Payload = null);

public sealed record EventBatchRequest(PlayerEvent[] Events, string? DeviceTime = null);

public sealed record RejectedEvent(int Index, string? EventId, string Reason);

/// <summary>200: at least one event of the batch is stored (accepted now or a duplicate of one stored before);
/// the others are in <see cref="RejectedEvents"/>. A batch of which none is stored is answered 422
/// <see cref="PlayerProblemCodes.EventsRejected"/> with the same fields, never a 2xx.</summary>
public sealed record EventBatchResponse(int Accepted, int Duplicates, int Rejected, RejectedEvent[] RejectedEvents);

/// <summary>Problem codes of the player endpoints, beside the general <see cref="ProblemCodes"/>.</summary>
public static class PlayerProblemCodes
{
    /// <summary>422: no event of the batch was stored; <c>rejectedEvents</c> gives each one's reason.</summary>
    public const string EventsRejected = "EVENTS_REJECTED";
}

// ---- commands (spec 18, 28.7) ----

public sealed record PlayerCommand(string CommandId, string CommandType, string IssuedAtUtc, string ExpiresAtUtc, JsonElement? Parameters = null);

public sealed record PlayerCommandsResponse(PlayerCommand[] Commands);

public sealed record CommandResultRequest(string Status, string? Message = null, JsonElement? Result = null);
