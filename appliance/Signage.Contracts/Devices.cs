using System.Text.Json;

namespace Signage.Contracts;

// Screens as venue staff manage them (spec 26.4, 27.6). Optional request fields have defaults.

/// <summary>A screen: identity, settings, and what it last reported.
/// <see cref="Status"/> is ONLINE or OFFLINE (Monitoring:OfflineAfterSeconds decides; a screen that never sent a heartbeat
/// is OFFLINE with no <see cref="LastSeenAtUtc"/>); <see cref="ContentState"/> compares what the
/// screen says it has applied with what it would get now: UP_TO_DATE, UPDATING or UNKNOWN.</summary>
public sealed record DeviceResponse(string DeviceId, string Name, string? GroupId, string HardwareId, string? Manufacturer, string? Model,
    string? OsVersion, string? AppVersion, DeviceSettings Settings, string Status, string? LastSeenAtUtc, string? State,
    string? AppliedManifestEtag, string? CurrentManifestEtag, string ContentState, string? CurrentAssetId, long? CacheUsedBytes, long? CacheTotalBytes,
    int? PendingDownloads, string UpdatedAtUtc);

/// <summary>PATCH /v1/venues/{venueId}/devices/{deviceId}: only the fields given change.
/// <c>groupId: ""</c> takes the screen out of its group; <c>timezone: ""</c> clears the device zone.</summary>
public sealed record UpdateDeviceRequest(string? Name = null, string? GroupId = null, string? RunMode = null, bool? LaunchOnBoot = null,
    bool? AutoRelaunch = null, bool? KeepAwake = null, bool? WatchdogReturnToForeground = null, string? Orientation = null,
    string? Timezone = null, long? CacheBudgetBytes = null);

public sealed record CommandRequest(string CommandType, JsonElement? Parameters = null, int? TtlSeconds = null);

public sealed record CommandResponse(string CommandId, string DeviceId, string CommandType, string Status, string IssuedAtUtc, string ExpiresAtUtc,
    string? DeliveredAtUtc, string? CompletedAtUtc, string? ResultMessage);
