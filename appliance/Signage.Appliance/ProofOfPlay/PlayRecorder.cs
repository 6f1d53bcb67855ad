using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Scheduling;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.ProofOfPlay;

/// <summary>
/// Turns PLAY_START / PLAY_END events into proof-of-play rows (seed 001). A PLAY_END carries the
/// whole play and counts on its own, so a lost PLAY_START never loses a play. Venue, campaign and
/// content version are derived here, never taken from the screen. The daily aggregate is updated in
/// the caller's transaction, the same one that stores the event, so the two never disagree.
/// </summary>
public sealed class PlayRecorder
{
    /// <summary>Slack over an item's own length before a duration is insane: videos stall and
    /// buffer, stills are held while the next file is checked.</summary>
    public static readonly Duration Slack = Duration.FromSeconds(60);

    /// <summary>Longest still image an item may show (playlist validation allows 1 hour).</summary>
    public static readonly Duration MaxImageDuration = Duration.FromHours(1);

    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;
    private readonly string _venueId;
    private readonly DateTimeZone _zone;
    private readonly Instant _pairedAt;
    private readonly Dictionary<string, (string Sha, string Type, long? DurationMs)?> _assets = [];
    private readonly Dictionary<string, (bool Exists, string? Campaign)> _playlists = [];

    public PlayRecorder(SqliteConnection connection, SqliteTransaction transaction, string venueId, string deviceId)
    {
        _connection = connection;
        _transaction = transaction;
        _venueId = venueId;
        var zone = connection.Scalar<string>("SELECT timezone FROM venue WHERE venue_id = $venue;", transaction, ("$venue", venueId));
        _zone = TimeZones.Effective(null, zone, null).Zone;
        _pairedAt = Sql.ParseUtc(connection.Scalar<string>("SELECT created_at_utc FROM device WHERE device_id = $device;", transaction, ("$device", deviceId))!);
    }

    public sealed record Play(string PlaylistId, string AssetId, Instant StartedAt, long? DurationMs, string? Result);

    /// <summary>The play an event describes, or why it cannot be counted.</summary>
    public (Play? Play, string? Reason) Read(PlayerEvent e)
    {
        var payload = e.Payload;
        string? Text(string name) => payload is { } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var playlistId = Text("playlistId");
        var assetId = Text("assetId");
        var started = Text("startedAtUtc") is { } s && InstantPattern.ExtendedIso.Parse(s) is { Success: true } parsed ? parsed.Value : (Instant?)null;
        long? duration = payload is { } q && q.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var ms) ? ms : null;
        var result = Text("result");
        var isEnd = e.EventType == EventTypes.PlayEnd;

        if (playlistId is null || assetId is null) return (null, "A play needs payload.playlistId and payload.assetId.");
        if (isEnd && (started is null || duration is null || result is null)) return (null, "PLAY_END needs payload.startedAtUtc, durationMs and result: it carries the whole play.");
        if (result is not null && !PlayResults.All.Contains(result)) return (null, $"result must be one of {string.Join(", ", PlayResults.All)}, not '{result}'.");
        if (duration < 0) return (null, $"durationMs is negative ({duration}).");
        if (Asset(assetId) is not { } asset) return (null, $"No asset '{assetId}' in this venue.");
        if (!Playlist(playlistId).Exists) return (null, $"No playlist '{playlistId}' in this venue.");
        var bound = asset.Type == "VIDEO" && asset.DurationMs is { } own ? Duration.FromMilliseconds(own) * 3 + Slack : MaxImageDuration + Slack;
        if (duration is { } length && Duration.FromMilliseconds(length) > bound)
            return (null, $"durationMs {length} is beyond any real play of this item (at most {(long)bound.TotalMilliseconds} ms).");
        return (new Play(playlistId, assetId, started ?? InstantPattern.ExtendedIso.Parse(e.EventTimeUtc).Value, duration, result), null);
    }

    /// <summary>Stores a play whose event was just stored for the first time, and counts a PLAY_END.</summary>
    public void Record(PlayerEvent e, Play play, string deviceId, Instant deviceTime, Instant received)
    {
        // A start in the future, or before the screen was paired, is a wrong device clock (spec 30.9).
        var suspect = play.StartedAt > received + Duration.FromMinutes(5) || play.StartedAt < _pairedAt - Duration.FromMinutes(5);
        var startedAt = suspect ? received - Duration.FromMilliseconds(play.DurationMs ?? 0) : play.StartedAt;
        var localDate = LocalDatePattern.Iso.Format(startedAt.InZone(_zone).Date);
        var campaign = Playlist(play.PlaylistId).Campaign;
        _connection.Execute("""
            INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc,
                server_received_utc, started_at_utc, local_date, duration_ms, result, clock_suspect)
            VALUES ($id, $type, $device, $venue, $campaign, $playlist, $asset, $sha, $deviceTime, $received, $started, $date, $duration, $result, $suspect);
            """, _transaction, ("$id", e.EventId.ToLowerInvariant()), ("$type", e.EventType), ("$device", deviceId), ("$venue", _venueId), ("$campaign", campaign),
            ("$playlist", play.PlaylistId), ("$asset", play.AssetId), ("$sha", Asset(play.AssetId)?.Sha), ("$deviceTime", Sql.Utc(deviceTime)),
            ("$received", Sql.Utc(received)), ("$started", Sql.Utc(startedAt)), ("$date", localDate), ("$duration", play.DurationMs), ("$result", play.Result),
            ("$suspect", suspect ? 1 : 0));
        if (e.EventType != EventTypes.PlayEnd) return;
        _connection.Execute("""
            INSERT INTO proof_of_play_daily (venue_id, local_date, campaign_id, asset_id, device_id, plays, total_duration_ms)
            VALUES ($venue, $date, $campaign, $asset, $device, 1, $duration)
            ON CONFLICT DO UPDATE SET plays = plays + 1, total_duration_ms = total_duration_ms + excluded.total_duration_ms;
            """, _transaction, ("$venue", _venueId), ("$date", localDate), ("$campaign", campaign ?? ""), ("$asset", play.AssetId), ("$device", deviceId),
            ("$duration", play.DurationMs ?? 0));
    }

    private (string Sha, string Type, long? DurationMs)? Asset(string assetId)
    {
        if (!_assets.TryGetValue(assetId, out var asset))
        {
            asset = _connection.Query("SELECT sha256, media_type, duration_ms FROM asset WHERE asset_id = $asset AND venue_id = $venue AND sha256 IS NOT NULL;",
                _transaction, r => ((string, string, long?)?)(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2)),
                ("$asset", assetId), ("$venue", _venueId)).FirstOrDefault();
            _assets[assetId] = asset;
        }
        return asset;
    }

    private (bool Exists, string? Campaign) Playlist(string playlistId)
    {
        if (!_playlists.TryGetValue(playlistId, out var playlist))
        {
            playlist = _connection.Query("SELECT campaign_id FROM playlist WHERE playlist_id = $playlist AND venue_id = $venue;", _transaction,
                r => (true, r.NullableString(0)), ("$playlist", playlistId), ("$venue", _venueId)).FirstOrDefault();
            _playlists[playlistId] = playlist;
        }
        return playlist;
    }
}
