namespace Signage.Player.Core.Telemetry;

// Payload shapes of spec 27.8.3's event table (plus PLAY_START/PLAY_END and ASSET_CORRUPT).
// Field names are the spec's; they go on the wire inside PlayerEvent.payload.

public sealed record AppStartedPayload(string AppVersion, string? DeviceModel, string? OsVersion, string? HardwareId);

public sealed record PlayStartPayload(string PlaylistId, string AssetId, int ItemIndex, string StartedAtUtc, string? ManifestEtag);

/// <summary>The whole play in one event, so a lost PLAY_START never loses a play (control-plane seed 001).</summary>
public sealed record PlayEndPayload(string PlaylistId, string AssetId, int ItemIndex, string StartedAtUtc, long DurationMs, string Result,
    string? Reason = null, string? ManifestEtag = null);

public sealed record PlaybackFailedPayload(string AssetId, string Reason, string? Message);

public sealed record DownloadFailedPayload(string AssetId, string Url, int? HttpStatus, int RetryCount, string Reason);

public sealed record ManifestFetchFailedPayload(int? HttpStatus, string Reason);

public sealed record ManifestEtagPayload(string ManifestEtag);

public sealed record ManifestAppliedPayload(string ManifestEtag, string? PreviousEtag);

public sealed record ManifestRejectedPayload(string? ManifestEtag, string Reason);

public sealed record OfflineEnteredPayload(string? LastOnlineAtUtc);

public sealed record OnlineRestoredPayload(long OfflineDurationSeconds);

public sealed record FallbackToPreviousPayload(string? CurrentEtag, string FallbackEtag);

/// <summary>NO_PLAYABLE_CONTENT (manifestEtag) and ERROR_SCREEN_ENTERED (reason).</summary>
public sealed record ReasonPayload(string? Reason = null, string? ManifestEtag = null);

public sealed record LocalManifestCorruptPayload(string FileName, string ParseError);

public sealed record CommandPayload(string CommandId, string CommandType, string? Reason = null);

public sealed record DeviceTokenInvalidPayload(int HttpStatus);

public sealed record CacheEvictionPayload(string AssetId, string Sha256, long FreedBytes, string Reason);

public sealed record AssetCorruptPayload(string AssetId, string Sha256, string Reason, long ExpectedBytes, long? ActualBytes);
