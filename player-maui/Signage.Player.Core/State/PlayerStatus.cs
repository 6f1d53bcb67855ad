namespace Signage.Player.Core.State;

/// <summary>A snapshot of the player for a head to show or write down (the headless host's status.json).
/// <see cref="LogLevel"/> is the level in force (DEBUG while diagnostics are on), in SET_LOG_LEVEL's names.</summary>
public sealed record PlayerStatus(
    string State,
    IReadOnlyList<string> Activities,
    string? PairingCode,
    string? PairingQrPayload,
    string? ManifestEtag,
    string? StagedManifestEtag,
    string? PlaylistId,
    string? CurrentAssetId,
    int? CurrentItemIndex,
    int LoopCount,
    int QueuedEvents,
    long DroppedEvents,
    string? LastSyncUtc,
    bool Online,
    long CacheUsedBytes,
    long CacheBudgetBytes,
    int CachedAssets,
    int PendingDownloads,
    bool DownloadsPaused,
    bool DiagnosticsEnabled,
    string LogLevel,
    string? DiagnosticsUntilUtc);
