using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Signage.Contracts;
using Signage.Player.Core.Storage;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Telemetry;

/// <summary>One method per event type: builds the spec's payload and records it in the durable queue.
/// Recording must never stop playback, so a failing disk is logged by the caller's loop, not here.</summary>
public sealed class EventRecorder(EventQueue queue, TelemetryCounters counters)
{
    public const string Info = "INFO";
    public const string Warning = "WARNING";
    public const string Error = "ERROR";

    public event Action? Recorded;

    public TelemetryCounters Counters => counters;

    public PlayerEvent AppStarted(AppStartedPayload payload) => Record(EventTypes.AppStarted, Info, payload, PlayerJsonContext.Default.AppStartedPayload);

    /// <summary>PLAY_START, and the play kept open on disk until its PLAY_END (<see cref="OpenPlayRow"/>).</summary>
    public PlayerEvent PlayStart(PlayStartPayload payload) => Record(EventTypes.PlayStart, Info, payload, PlayerJsonContext.Default.PlayStartPayload,
        c => c.InsertOrReplace(new OpenPlayRow
        {
            PlaylistId = payload.PlaylistId, AssetId = payload.AssetId, ItemIndex = payload.ItemIndex, StartedAtUtc = payload.StartedAtUtc,
            ManifestEtag = payload.ManifestEtag,
        }));

    /// <summary>PLAY_END; whatever play was open is closed in the same transaction, so it is never ended twice.</summary>
    public PlayerEvent PlayEnd(PlayEndPayload payload) => Record(EventTypes.PlayEnd, payload.Result == PlayResults.Error ? Warning : Info,
        payload, PlayerJsonContext.Default.PlayEndPayload, c => c.DeleteAll<OpenPlayRow>());

    /// <summary>At start-up: ends as INTERRUPTED (reason PLAYER_RESTARTED) a play the player was killed during. How long it
    /// was on screen before the kill is not known, so it reports 0 ms rather than a guess.</summary>
    public PlayerEvent? EndPlayCutByRestart() => queue.OpenPlay is { } open
        ? PlayEnd(new PlayEndPayload(open.PlaylistId, open.AssetId, open.ItemIndex, open.StartedAtUtc, 0, PlayResults.Interrupted, "PLAYER_RESTARTED",
            open.ManifestEtag))
        : null;

    public PlayerEvent PlaybackFailed(PlaybackFailedPayload payload)
    {
        counters.PlaybackFailed();
        return Record(EventTypes.PlaybackFailed, Error, payload, PlayerJsonContext.Default.PlaybackFailedPayload);
    }

    public PlayerEvent DownloadFailed(DownloadFailedPayload payload)
    {
        counters.DownloadFailed();
        return Record(EventTypes.DownloadFailed, Warning, payload, PlayerJsonContext.Default.DownloadFailedPayload);
    }

    public PlayerEvent ManifestFetchFailed(ManifestFetchFailedPayload payload) =>
        Record(EventTypes.ManifestFetchFailed, Warning, payload, PlayerJsonContext.Default.ManifestFetchFailedPayload);

    public PlayerEvent ManifestStaged(string etag) => Record(EventTypes.ManifestStaged, Info, new ManifestEtagPayload(etag), PlayerJsonContext.Default.ManifestEtagPayload);

    public PlayerEvent ManifestApplied(string etag, string? previousEtag) =>
        Record(EventTypes.ManifestApplied, Info, new ManifestAppliedPayload(etag, previousEtag), PlayerJsonContext.Default.ManifestAppliedPayload);

    public PlayerEvent ManifestRejected(string? etag, string reason) =>
        Record(EventTypes.ManifestRejected, Warning, new ManifestRejectedPayload(etag, reason), PlayerJsonContext.Default.ManifestRejectedPayload);

    public PlayerEvent OfflineEntered(DateTimeOffset? lastOnline) => Record(EventTypes.OfflineEntered, Warning,
        new OfflineEnteredPayload(lastOnline is { } t ? UtcText.Format(t) : null), PlayerJsonContext.Default.OfflineEnteredPayload);

    public PlayerEvent OnlineRestored(TimeSpan offline) => Record(EventTypes.OnlineRestored, Info,
        new OnlineRestoredPayload((long)offline.TotalSeconds), PlayerJsonContext.Default.OnlineRestoredPayload);

    public PlayerEvent FallbackToPreviousManifest(string? currentEtag, string fallbackEtag) => Record(EventTypes.FallbackToPreviousManifest, Warning,
        new FallbackToPreviousPayload(currentEtag, fallbackEtag), PlayerJsonContext.Default.FallbackToPreviousPayload);

    public PlayerEvent NoPlayableContent(string? manifestEtag) =>
        Record(EventTypes.NoPlayableContent, Error, new ReasonPayload(ManifestEtag: manifestEtag), PlayerJsonContext.Default.ReasonPayload);

    public PlayerEvent ErrorScreenEntered(string reason) =>
        Record(EventTypes.ErrorScreenEntered, Error, new ReasonPayload(reason), PlayerJsonContext.Default.ReasonPayload);

    public PlayerEvent LocalManifestCorrupt(string fileName, string parseError) => Record(EventTypes.LocalManifestCorrupt, Error,
        new LocalManifestCorruptPayload(fileName, parseError), PlayerJsonContext.Default.LocalManifestCorruptPayload);

    public PlayerEvent CommandExecuted(string commandId, string commandType) =>
        Record(EventTypes.CommandExecuted, Info, new CommandPayload(commandId, commandType), PlayerJsonContext.Default.CommandPayload);

    public PlayerEvent CommandFailed(string commandId, string commandType, string reason) =>
        Record(EventTypes.CommandFailed, Error, new CommandPayload(commandId, commandType, reason), PlayerJsonContext.Default.CommandPayload);

    public PlayerEvent DeviceTokenInvalid(int httpStatus) =>
        Record(EventTypes.DeviceTokenInvalid, Error, new DeviceTokenInvalidPayload(httpStatus), PlayerJsonContext.Default.DeviceTokenInvalidPayload);

    public PlayerEvent CacheEviction(CacheEvictionPayload payload) => Record(EventTypes.CacheEviction, Info, payload, PlayerJsonContext.Default.CacheEvictionPayload);

    public PlayerEvent AssetCorrupt(AssetCorruptPayload payload) => Record(EventTypes.AssetCorrupt, Error, payload, PlayerJsonContext.Default.AssetCorruptPayload);

    private PlayerEvent Record<T>(string type, string severity, T payload, JsonTypeInfo<T> typeInfo, Action<SQLite.SQLiteConnection>? alongside = null)
    {
        var recorded = queue.Record(type, severity, JsonSerializer.SerializeToElement(payload, typeInfo), alongside);
        Recorded?.Invoke();
        return recorded;
    }
}
