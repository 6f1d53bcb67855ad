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

    /// <summary>Support commands (spec 18).</summary>
    public static class CommandTypes
    {
        public const string RefreshManifest = "REFRESH_MANIFEST";
        public const string RestartPlayback = "RESTART_PLAYBACK";
        public const string ClearUnusedCache = "CLEAR_UNUSED_CACHE";
        public const string ClearAllCache = "CLEAR_ALL_CACHE";
        public const string RestartApp = "RESTART_APP";
        public const string EnableDiagnostics = "ENABLE_DIAGNOSTICS";
        public static readonly string[] All = [RefreshManifest, RestartPlayback, ClearUnusedCache, ClearAllCache, RestartApp, EnableDiagnostics];
    }
}

// ---- pairing (spec 27.7, 26.5) ----

public sealed record DeviceInfo(string? Manufacturer = null, string? Model = null, string? OsVersion = null, string? AppVersion = null);

public sealed record PairingStartRequest(string HardwareId, DeviceInfo? DeviceInfo = null);

/// <summary>The screen shows <see cref="Code"/> and a QR code of <see cref="QrPayload"/> (an admin-page URL
/// with the code filled in), then polls with <see cref="PairingSecret"/> until claimed.</summary>
public sealed record PairingStartResponse(string PairingId, string Code, string ExpiresAtUtc, int PollIntervalSeconds, string QrPayload, string PairingSecret);

/// <summary>GET /v1/devices/pairing/status?pairingId=…: the device token appears once, when COMPLETED.</summary>
public sealed record PairingStatusResponse(string PairingId, string Status, string ExpiresAtUtc, string? DeviceId, string? VenueId, string? DeviceToken);

public sealed record PairingClaimRequest(string Code, string Name, string? GroupId = null);

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

public sealed record EventBatchResponse(int Accepted, int Duplicates, int Rejected, RejectedEvent[] RejectedEvents);

// ---- commands (spec 18, 28.7) ----

public sealed record PlayerCommand(string CommandId, string CommandType, string IssuedAtUtc, string ExpiresAtUtc, JsonElement? Parameters = null);

public sealed record PlayerCommandsResponse(PlayerCommand[] Commands);

public sealed record CommandResultRequest(string Status, string? Message = null, JsonElement? Result = null);
