using System.Runtime.InteropServices;
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
/// whole play and counts on its own, so a lost PLAY_START never loses a play. Only a COMPLETED one is a
/// play (plays, total_duration_ms); INTERRUPTED, ERROR and SKIPPED are counted in their own columns
/// (<see cref="PlayTally"/>), from the result in memory, with no query of their own. Venue, campaign and
/// content version are derived here, never taken from the screen. The daily aggregate is updated in
/// the same transaction that stores the events, so the two never disagree.
/// Lives on the event writer's connection (see <see cref="Player.EventIngestion"/>): statements are
/// compiled once, lookups are cached for one transaction, and a transaction's plays are summed per
/// day, campaign, content and screen in memory and written as one upsert per key before the commit,
/// with the per-dimension rollups that reports read.
/// </summary>
public sealed class PlayRecorder : IDisposable
{
    /// <summary>Slack over an item's own length before a duration is insane: videos stall and
    /// buffer, stills are held while the next file is checked.</summary>
    public static readonly Duration Slack = Duration.FromSeconds(60);

    /// <summary>Longest still image an item may show (playlist validation allows 1 hour).</summary>
    public static readonly Duration MaxImageDuration = Duration.FromHours(1);

    private readonly SqliteCommand _asset;
    private readonly SqliteCommand _playlist;
    private readonly SqliteCommand _zone;
    private readonly RawStatement _insertPlay;
    private readonly SqliteCommand _addDaily;
    private readonly SqliteCommand _addRollup;
    private readonly Dictionary<(string Venue, string Asset), (string Sha, string Type, long? DurationMs)?> _assets = [];
    private readonly Dictionary<(string Venue, string Playlist), (bool Exists, string? Campaign)> _playlists = [];
    private readonly Dictionary<string, DateTimeZone> _zones = [];
    private readonly Dictionary<(string Venue, long Quarter), string> _localDates = [];
    private readonly Dictionary<DailyKey, PlayTally> _daily = [];

    // The last lookup of each kind: a screen's batch names the same playlist, asset and day play after
    // play, and comparing two short strings is cheaper than hashing a key of two (the writer's profile).
    private (string Venue, string Asset, (string Sha, string Type, long? DurationMs)? Found) _lastAsset = ("", "", null);
    private (string Venue, string Playlist, (bool Exists, string? Campaign) Found) _lastPlaylist = ("", "", default);
    private (string Venue, long Quarter, string Date) _lastDate = ("", -1, "");

    private readonly record struct DailyKey(string Venue, string Date, string Campaign, string Asset, string Device);

    public PlayRecorder(SqliteConnection connection)
    {
        _asset = connection.Prepare("SELECT sha256, media_type, duration_ms FROM asset WHERE asset_id = $asset AND venue_id = $venue AND sha256 IS NOT NULL;", "$asset", "$venue");
        _playlist = connection.Prepare("SELECT campaign_id FROM playlist WHERE playlist_id = $playlist AND venue_id = $venue;", "$playlist", "$venue");
        _zone = connection.Prepare("SELECT timezone FROM venue WHERE venue_id = $venue;", "$venue");
        _insertPlay = new RawStatement(connection, """
            INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc,
                server_received_utc, started_at_utc, local_date, duration_ms, result, clock_suspect, sequence, severity)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
            ON CONFLICT (event_id) DO NOTHING;
            """);
        _addDaily = connection.Prepare("""
            INSERT INTO proof_of_play_daily (venue_id, local_date, campaign_id, asset_id, device_id, plays, total_duration_ms,
                interrupted, interrupted_duration_ms, failed, skipped)
            VALUES ($venue, $date, $campaign, $asset, $device, $plays, $duration, $interrupted, $interruptedMs, $failed, $skipped)
            ON CONFLICT DO UPDATE SET plays = plays + excluded.plays, total_duration_ms = total_duration_ms + excluded.total_duration_ms,
                interrupted = interrupted + excluded.interrupted, interrupted_duration_ms = interrupted_duration_ms + excluded.interrupted_duration_ms,
                failed = failed + excluded.failed, skipped = skipped + excluded.skipped;
            """, "$venue", "$date", "$campaign", "$asset", "$device", "$plays", "$duration", "$interrupted", "$interruptedMs", "$failed", "$skipped");
        _addRollup = connection.Prepare("""
            INSERT INTO proof_of_play_rollup (venue_id, dimension, local_date, key, plays, total_duration_ms,
                interrupted, interrupted_duration_ms, failed, skipped)
            VALUES ($venue, $dimension, $date, $key, $plays, $duration, $interrupted, $interruptedMs, $failed, $skipped)
            ON CONFLICT DO UPDATE SET plays = plays + excluded.plays, total_duration_ms = total_duration_ms + excluded.total_duration_ms,
                interrupted = interrupted + excluded.interrupted, interrupted_duration_ms = interrupted_duration_ms + excluded.interrupted_duration_ms,
                failed = failed + excluded.failed, skipped = skipped + excluded.skipped;
            """, "$venue", "$dimension", "$date", "$key", "$plays", "$duration", "$interrupted", "$interruptedMs", "$failed", "$skipped");
    }

    /// <summary>A play as the screen described it; <see cref="StartedAtUtc"/> is <see cref="StartedAt"/> already formatted
    /// (on the request's thread, so the single writer does not).</summary>
    public sealed record Play(string PlaylistId, string AssetId, Instant StartedAt, string StartedAtUtc, long? DurationMs, string? Result);

    /// <summary>The play an event's payload describes, or why it cannot be counted (no database needed).</summary>
    public static (Play? Play, string? Reason) Read(PlayerEvent e, Instant eventTime)
    {
        var payload = e.Payload;
        string? Text(string name) => payload is { } p && p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        var playlistId = Text("playlistId");
        var assetId = Text("assetId");
        var started = Text("startedAtUtc") is { } s && InstantPattern.ExtendedIso.Parse(s) is { Success: true } parsed ? parsed.Value : (Instant?)null;
        long? duration = payload is { } q && q.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var ms) ? ms : null;
        var result = Text("result");

        if (playlistId is null || assetId is null) return (null, "A play needs payload.playlistId and payload.assetId.");
        if (e.EventType == EventTypes.PlayEnd && (started is null || duration is null || result is null))
            return (null, "PLAY_END needs payload.startedAtUtc, durationMs and result: it carries the whole play.");
        if (result is not null && !PlayResults.All.Contains(result)) return (null, $"result must be one of {string.Join(", ", PlayResults.All)}, not '{result}'.");
        if (duration < 0) return (null, $"durationMs is negative ({duration}).");
        var startedAt = started ?? eventTime;
        return (new Play(playlistId, assetId, startedAt, Sql.Utc(startedAt), duration, result), null);
    }

    /// <summary>Starts a transaction's work: lookups are read afresh, nothing is pending.</summary>
    public void Begin(SqliteTransaction transaction)
    {
        foreach (var command in (ReadOnlySpan<SqliteCommand>)[_asset, _playlist, _zone, _addDaily, _addRollup]) command.Transaction = transaction;
        _assets.Clear();
        _playlists.Clear();
        _zones.Clear();
        _localDates.Clear();
        _daily.Clear();
        _lastAsset = ("", "", null);
        _lastPlaylist = ("", "", default);
        _lastDate = ("", -1, "");
    }

    /// <summary>Why a play cannot be counted in this venue (unknown asset or playlist, an insane duration), or null.</summary>
    public string? Check(string venueId, Play play)
    {
        if (Asset(venueId, play.AssetId) is not { } asset) return $"No asset '{play.AssetId}' in this venue.";
        if (!Playlist(venueId, play.PlaylistId).Exists) return $"No playlist '{play.PlaylistId}' in this venue.";
        var bound = asset.Type == "VIDEO" && asset.DurationMs is { } own ? Duration.FromMilliseconds(own) * 3 + Slack : MaxImageDuration + Slack;
        return play.DurationMs is { } length && Duration.FromMilliseconds(length) > bound
            ? $"durationMs {length} is beyond any real play of this item (at most {(long)bound.TotalMilliseconds} ms)."
            : null;
    }

    /// <summary>Stores a checked play event and counts a PLAY_END; false (nothing stored or counted) when
    /// its event id is already stored. A play is stored here only, not also in device_event (migration 0010).</summary>
    public bool Record(string eventId, string eventType, long sequence, string severity, Play play, string venueId, string deviceId, Instant pairedAt,
        string deviceTimeUtc, Instant received, string receivedUtc)
    {
        // A start in the future, or before the screen was paired, is a wrong device clock (spec 30.9).
        var suspect = play.StartedAt > received + Duration.FromMinutes(5) || play.StartedAt < pairedAt - Duration.FromMinutes(5);
        var startedAt = suspect ? received - Duration.FromMilliseconds(play.DurationMs ?? 0) : play.StartedAt;
        // Today every zone's offset is a whole number of quarter hours and changes on a quarter hour, so a
        // quarter hour of UTC has one local date: worked out once per transaction, not once per play.
        var quarter = (venueId, startedAt.ToUnixTimeSeconds() / 900);
        var localDate = _lastDate.Date;
        if (quarter != (_lastDate.Venue, _lastDate.Quarter))
        {
            if (!_localDates.TryGetValue(quarter, out localDate))
                _localDates[quarter] = localDate = LocalDatePattern.Iso.Format(startedAt.InZone(Zone(venueId)).Date);
            _lastDate = (venueId, quarter.Item2, localDate);
        }
        var campaign = Playlist(venueId, play.PlaylistId).Campaign;
        var stored = _insertPlay.Bind(1, eventId).Bind(2, eventType).Bind(3, deviceId).Bind(4, venueId).Bind(5, campaign).Bind(6, play.PlaylistId).Bind(7, play.AssetId)
            .Bind(8, Asset(venueId, play.AssetId)?.Sha).Bind(9, deviceTimeUtc).Bind(10, receivedUtc).Bind(11, suspect ? Sql.Utc(startedAt) : play.StartedAtUtc)
            .Bind(12, localDate).Bind(13, play.DurationMs).Bind(14, play.Result).Bind(15, suspect ? 1 : 0).Bind(16, sequence).Bind(17, severity).Run() == 1;
        if (!stored || eventType != EventTypes.PlayEnd) return stored;
        var key = new DailyKey(venueId, localDate, campaign ?? "", play.AssetId, deviceId);
        ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(_daily, key, out _);
        sum = sum.Add(play.Result, play.DurationMs ?? 0);
        return true;
    }

    /// <summary>Adds the transaction's plays to the daily aggregates and the report rollups; call just before the commit.</summary>
    public void WriteDailyTotals()
    {
        var rollups = new Dictionary<(string Venue, string Dimension, string Date, string Key), PlayTally>();
        foreach (var (key, sum) in _daily)
        {
            _addDaily.Run(key.Venue, key.Date, key.Campaign, key.Asset, key.Device, sum.Plays, sum.DurationMs, sum.Interrupted, sum.InterruptedDurationMs,
                sum.Failed, sum.Skipped);
            foreach (var (dimension, value) in (ReadOnlySpan<(string, string)>)[("campaign", key.Campaign), ("content", key.Asset), ("device", key.Device), ("day", key.Date)])
            {
                ref var rollup = ref CollectionsMarshal.GetValueRefOrAddDefault(rollups, (key.Venue, dimension, key.Date, value), out _);
                rollup += sum;
            }
        }
        foreach (var (key, sum) in rollups)
        {
            _addRollup.Run(key.Venue, key.Dimension, key.Date, key.Key, sum.Plays, sum.DurationMs, sum.Interrupted, sum.InterruptedDurationMs, sum.Failed,
                sum.Skipped);
        }
        _daily.Clear();
    }

    public void Dispose() => _insertPlay.Dispose();

    private DateTimeZone Zone(string venueId)
    {
        if (!_zones.TryGetValue(venueId, out var zone))
        {
            _zone.Parameters[0].Value = venueId;
            zone = _zones[venueId] = TimeZones.Effective(null, _zone.ExecuteScalar() as string, null).Zone;
        }
        return zone;
    }

    private (string Sha, string Type, long? DurationMs)? Asset(string venueId, string assetId)
    {
        if (venueId == _lastAsset.Venue && assetId == _lastAsset.Asset) return _lastAsset.Found;
        if (!_assets.TryGetValue((venueId, assetId), out var asset))
        {
            asset = _asset.QueryFirst(r => ((string, string, long?)?)(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2)), assetId, venueId);
            _assets[(venueId, assetId)] = asset;
        }
        _lastAsset = (venueId, assetId, asset);
        return asset;
    }

    private (bool Exists, string? Campaign) Playlist(string venueId, string playlistId)
    {
        if (venueId == _lastPlaylist.Venue && playlistId == _lastPlaylist.Playlist) return _lastPlaylist.Found;
        if (!_playlists.TryGetValue((venueId, playlistId), out var playlist))
        {
            playlist = _playlist.QueryFirst(r => (true, r.NullableString(0)), playlistId, venueId);
            _playlists[(venueId, playlistId)] = playlist;
        }
        _lastPlaylist = (venueId, playlistId, playlist);
        return playlist;
    }
}
