using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Player;
using static Signage.Contracts.PlayerProtocol;
using Signage.Contracts;
using Signage.Scheduling;

namespace Signage.Appliance.Monitoring;

/// <summary>
/// Notices what a venue owner would want to hear about (seed 001 monitoring, issue 5): a screen
/// offline while the venue is open, a full cache, repeated download failures, a frozen or
/// crash-looping player, content that never arrives, and proof-of-play that silently stops.
/// Incidents open themselves when the condition holds and resolve themselves when it no longer
/// does; one open incident per kind and screen. Time comes from the injected clock; thresholds are
/// settings (README's settings table); <see cref="RunOnce"/> is the whole check.
/// </summary>
public sealed class VenueMonitor(Database database, IClock clock, IConfiguration configuration, DeviceDirectory directory, ManifestService manifests,
    ScreenPresence presence)
{
    public const string OfflineDuringHours = "OFFLINE_DURING_HOURS";
    public const string LowStorage = "LOW_STORAGE";
    public const string DownloadFail = "DOWNLOAD_FAIL";
    public const string PlaybackStuck = "PLAYBACK_STUCK";
    public const string CrashLoop = "CRASH_LOOP";
    public const string StaleContent = "STALE_CONTENT";
    public const string EventsMissing = "EVENTS_MISSING";

    /// <summary>How many of a screen's newest events (by sequence) the event-based checks read: bounds a pass's cost.</summary>
    public const int RecentEventsRead = 5_000;

    /// <summary>Setting <c>Monitoring:OfflineAfterSeconds</c>, read by <see cref="ScreenPresence"/> (the one meaning of online).</summary>
    public Duration OfflineAfter => presence.OfflineAfter;

    /// <summary>Setting <c>Monitoring:IntervalSeconds</c>: how often the checks run (default 15).</summary>
    public TimeSpan Interval { get; } = Seconds(configuration, "Monitoring:IntervalSeconds", 15).ToTimeSpan();

    private readonly int _downloadFailures = Setting(configuration, "Monitoring:DownloadFailCount", 3);
    private readonly Duration _downloadWindow = Seconds(configuration, "Monitoring:DownloadFailWindowSeconds", 900);
    private readonly int _starts = Setting(configuration, "Monitoring:CrashLoopCount", 5);
    private readonly Duration _startsWindow = Seconds(configuration, "Monitoring:CrashLoopWindowSeconds", 600);
    private readonly int _stuckFactor = Setting(configuration, "Monitoring:PlaybackStuckFactor", 3);
    private readonly Duration _stuckSlack = Seconds(configuration, "Monitoring:PlaybackStuckSlackSeconds", 60);
    private readonly Duration _staleAfter = Seconds(configuration, "Monitoring:StaleContentSeconds", 600);
    private readonly Duration _gapAfter = Seconds(configuration, "Monitoring:EventsMissingAfterSeconds", 600);
    private readonly Duration _playsSilentAfter = Seconds(configuration, "Monitoring:PlaysSilentSeconds", 1800);

    /// <summary>Per screen: the manifest ETag it should apply, and since when (STALE_CONTENT counts from the publish that made it).</summary>
    private readonly Dictionary<string, (string ETag, Instant Since)> _expected = [];

    /// <summary>Per screen: the status last put in the outbox for the hub. Empty after a restart, so offline
    /// screens are told again once (the hub keeps the latest; telling twice is harmless).</summary>
    private readonly Dictionary<string, string> _reported = [];

    private static int Setting(IConfiguration configuration, string key, int fallback) =>
        int.TryParse(configuration[key], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private static Duration Seconds(IConfiguration configuration, string key, int fallback) => Duration.FromSeconds(Setting(configuration, key, fallback));

    public void RunOnce()
    {
        var now = clock.GetCurrentInstant();
        using var connection = database.Open();
        // Read first, outside a write transaction, so screens' events are never held up by a pass.
        var findings = new List<Finding>();
        var screens = connection.Query("""
            SELECT d.device_id, d.venue_id, v.timezone, v.opening_hours_json, s.last_seen_at_utc, s.cache_used_bytes, s.cache_total_bytes,
                s.state, s.applied_manifest_etag, s.current_asset_id, s.current_item_since_utc, d.created_at_utc,
                (SELECT CASE WHEN a.media_type = 'VIDEO' AND a.duration_ms IS NOT NULL THEN a.duration_ms
                        ELSE (SELECT MAX(i.duration_ms) FROM playlist_item i WHERE i.asset_id = a.asset_id) END
                 FROM asset a WHERE a.asset_id = s.current_asset_id)
            FROM device d JOIN venue v ON v.venue_id = d.venue_id LEFT JOIN device_status s ON s.device_id = d.device_id;
            """, null,
            r => (Device: r.GetString(0), Venue: r.GetString(1), Zone: r.GetString(2), Hours: r.GetString(3), LastSeen: Sql.ParseUtcOrNull(r.NullableString(4)),
                Used: r.IsDBNull(5) ? 0 : r.GetInt64(5), Total: r.IsDBNull(6) ? 0 : r.GetInt64(6), State: r.NullableString(7), Applied: r.NullableString(8),
                Asset: r.NullableString(9), ItemSince: Sql.ParseUtcOrNull(r.NullableString(10)), PairedAt: Sql.ParseUtc(r.GetString(11)),
                ItemMs: r.IsDBNull(12) ? (long?)null : r.GetInt64(12)));
        var statuses = new List<(string Device, string Status)>();
        foreach (var s in screens)
        {
            var status = presence.Status(s.LastSeen, now);
            var online = status == ScreenPresence.Online;
            if (_reported.GetValueOrDefault(s.Device) is var told && told != status && (told is not null || !online)) statuses.Add((s.Device, status));
            var playing = online && s.State == "PLAYING";
            var open = IsOpen(s.Hours, TimeZones.Effective(null, s.Zone, null).Zone, now);
            // A screen that never sent a heartbeat is offline, and alarmed once it has been silent that long since pairing.
            var silentFor = now - (s.LastSeen ?? s.PairedAt);
            findings.Add(new(s.Device, s.Venue, OfflineDuringHours, "CRITICAL", !online && open && silentFor > OfflineAfter,
                new() { ["lastSeenAtUtc"] = s.LastSeen is { } seen ? Sql.Utc(seen) : "" }));
            findings.Add(new(s.Device, s.Venue, LowStorage, "WARNING", s.Total > 0 && s.Used > s.Total * 9 / 10,
                new() { ["usedBytes"] = Text(s.Used), ["totalBytes"] = Text(s.Total) }));

            var recent = RecentEvents(connection, s.Device);
            var failures = recent.Where(e => e.Type == EventTypes.DownloadFailed && e.Time > now - _downloadWindow).ToList();
            findings.Add(new(s.Device, s.Venue, DownloadFail, "WARNING", failures.Count >= _downloadFailures,
                new() { ["failures"] = Text(failures.Count), ["windowSeconds"] = Text((long)_downloadWindow.TotalSeconds), ["lastPayload"] = failures.FirstOrDefault().Payload ?? "{}" }));
            var starts = recent.Count(e => e.Type == EventTypes.AppStarted && e.Time > now - _startsWindow);
            findings.Add(new(s.Device, s.Venue, CrashLoop, "CRITICAL", starts >= _starts,
                new() { ["appStarts"] = Text(starts), ["windowSeconds"] = Text((long)_startsWindow.TotalSeconds) }));

            // Frozen: heartbeats have kept naming the same showing of an item far beyond its length. Measured
            // to the last heartbeat, not to now: a player that stopped is silent (offline soon), not frozen.
            var itemLength = Duration.FromMilliseconds(s.ItemMs ?? 10_000);
            var stuck = playing && s.Asset is not null && s.ItemSince is { } since && s.LastSeen is { } last
                && last - since > itemLength * _stuckFactor + _stuckSlack;
            findings.Add(new(s.Device, s.Venue, PlaybackStuck, "CRITICAL", stuck,
                new() { ["assetId"] = s.Asset ?? "", ["showingSinceUtc"] = s.ItemSince is { } t ? Sql.Utc(t) : "", ["itemDurationMs"] = Text((long)itemLength.TotalMilliseconds) }));

            // Stale: online, yet still on an older manifest well after the one it should have was made.
            var expected = Expected(s.Device, now);
            var stale = online && expected is { } e && s.Applied != e.ETag && now - e.Since > _staleAfter;
            findings.Add(new(s.Device, s.Venue, StaleContent, "WARNING", stale,
                new() { ["appliedManifestEtag"] = s.Applied ?? "", ["expectedManifestEtag"] = expected?.ETag ?? "", ["expectedSinceUtc"] = expected is { } x ? Sql.Utc(x.Since) : "" }));

            // Missing: a hole in the sequence numbers that has not filled, or a playing screen whose plays stopped.
            var gap = Gap(recent, now - _gapAfter);
            var lastPlay = recent.Where(r => r.Type is EventTypes.PlayEnd or EventTypes.PlayStart).Select(r => (Instant?)r.Received).FirstOrDefault()
                ?? LastPlayReceived(connection, s.Device);
            var silentSince = Instant.Max(lastPlay ?? s.PairedAt, s.PairedAt);
            var playsStopped = playing && now - silentSince > _playsSilentAfter;
            findings.Add(new(s.Device, s.Venue, EventsMissing, "WARNING", gap is not null || playsStopped, gap is { } g
                ? new() { ["reason"] = "SEQUENCE_GAP", ["missingFrom"] = Text(g.From), ["missingTo"] = Text(g.To) }
                : new() { ["reason"] = "PLAYS_STOPPED", ["lastPlayReceivedAtUtc"] = lastPlay is { } p ? Sql.Utc(p) : "" }));
        }
        // Write only what changed: a pass over 5,000 screens makes 35,000 findings, and writing each one held
        // SQLite's one write lock for about a second every pass, which every screen's events and heartbeats
        // then waited for (the fleet benchmark's 1 s p99, docs/PERFORMANCE.md). Read outside the transaction;
        // the writes below are idempotent, so an incident resolved by someone in between is harmless.
        var openIncidents = connection.Query("SELECT device_id, type, details_json FROM incident WHERE resolved_at_utc IS NULL;", null,
            r => (Key: (r.GetString(0), r.GetString(1)), Details: r.GetString(2))).ToDictionary(i => i.Key, i => i.Details);
        var changed = findings.Select(f => (Finding: f, Details: f.Holds ? JsonSerializer.Serialize(f.Details, MonitoringJsonContext.Default.DictionaryStringString) : null))
            .Where(c => openIncidents.TryGetValue((c.Finding.DeviceId, c.Finding.Type), out var stored) ? stored != c.Details : c.Finding.Holds)
            .ToList();
        if (changed.Count == 0 && statuses.Count == 0) return;
        using var transaction = connection.BeginTransaction();
        foreach (var (finding, details) in changed) Set(connection, transaction, finding, details, now);
        foreach (var (device, status) in statuses) ReportStatus(connection, transaction, device, status, now);
        transaction.Commit();
        foreach (var (device, status) in statuses) _reported[device] = status;
    }

    /// <summary>Tells the hub a screen's status changed (DEVICE_STATUS, latest wins). Heartbeats report ONLINE
    /// through the device_status triggers (migration 0008); only the monitor sees a screen go quiet, so it
    /// reports OFFLINE — and ONLINE again when a screen it reported offline is back within 3 minutes, which
    /// the triggers' fixed gap would not notice.</summary>
    private static void ReportStatus(SqliteConnection connection, SqliteTransaction transaction, string deviceId, string status, Instant now)
    {
        connection.Execute("DELETE FROM outbox WHERE kind = $kind AND entity_id = $device;", transaction,
            ("$kind", SyncProtocol.RecordKinds.DeviceStatus), ("$device", deviceId));
        connection.Execute("""
            INSERT INTO outbox (record_id, kind, entity_id, occurred_at_utc, data_json)
            SELECT 'st_' || lower(hex(randomblob(16))), $kind, d.device_id, $now, json_object(
                'deviceId', d.device_id, 'name', d.name, 'status', $status,
                'lastSeenAtUtc', s.last_seen_at_utc, 'state', s.state, 'appliedManifestEtag', s.applied_manifest_etag,
                'currentAssetId', s.current_asset_id, 'cacheUsedBytes', s.cache_used_bytes, 'cacheTotalBytes', s.cache_total_bytes)
            FROM device d LEFT JOIN device_status s ON s.device_id = d.device_id WHERE d.device_id = $device;
            """, transaction, ("$kind", SyncProtocol.RecordKinds.DeviceStatus), ("$device", deviceId), ("$status", status), ("$now", Sql.Utc(now)));
    }

    private sealed record Finding(string DeviceId, string VenueId, string Type, string Severity, bool Holds, Dictionary<string, string> Details);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private readonly record struct RecentEvent(long Sequence, string Type, Instant Time, Instant Received, string? Payload);

    /// <summary>The screen's newest events, plays included, newest first (each table's sequence index, read backwards).</summary>
    private static List<RecentEvent> RecentEvents(SqliteConnection connection, string deviceId) =>
        connection.Query($"""
            SELECT * FROM (
                SELECT sequence, event_type, event_time_utc, received_at_utc, CASE WHEN event_type = 'DOWNLOAD_FAILED' THEN payload_json END
                FROM device_event WHERE device_id = $device ORDER BY sequence DESC LIMIT {RecentEventsRead})
            UNION ALL
            SELECT * FROM (
                SELECT sequence, event_type, event_time_utc, received_at_utc, NULL
                FROM play_event WHERE device_id = $device ORDER BY sequence DESC LIMIT {RecentEventsRead})
            ORDER BY 1 DESC LIMIT {RecentEventsRead};
            """, null, r => new RecentEvent(r.GetInt64(0), r.GetString(1), Sql.ParseUtc(r.GetString(2)), Sql.ParseUtc(r.GetString(3)), r.NullableString(4)),
            ("$device", deviceId));

    private static Instant? LastPlayReceived(SqliteConnection connection, string deviceId) =>
        Sql.ParseUtcOrNull(connection.Scalar<string>("""
            SELECT server_received_utc FROM proof_of_play WHERE device_id = $device ORDER BY sequence DESC LIMIT 1;
            """, null, ("$device", deviceId)));

    /// <summary>The newest hole in the sequence numbers whose next event arrived before <paramref name="filledBy"/>.</summary>
    private static (long From, long To)? Gap(List<RecentEvent> newestFirst, Instant filledBy)
    {
        for (var i = 0; i + 1 < newestFirst.Count; i++)
        {
            var (after, before) = (newestFirst[i], newestFirst[i + 1]);
            if (after.Sequence > before.Sequence + 1 && after.Received < filledBy) return (before.Sequence + 1, after.Sequence - 1);
        }
        return null;
    }

    private (string ETag, Instant Since)? Expected(string deviceId, Instant now)
    {
        if (directory.Find(deviceId) is not { } device || manifests.ExpectedETag(device) is not { } etag)
        {
            _expected.Remove(deviceId);
            return null;
        }
        if (!_expected.TryGetValue(deviceId, out var known) || known.ETag != etag) _expected[deviceId] = known = (etag, now);
        return known;
    }

    /// <summary>Opening hours are per ISO weekday; a close at or before the open runs past midnight.</summary>
    public static bool IsOpen(string openingHoursJson, DateTimeZone zone, Instant now)
    {
        var hours = JsonSerializer.Deserialize(openingHoursJson, MonitoringJsonContext.Default.OpeningHoursArray) ?? [];
        var local = now.InZone(zone).LocalDateTime;
        var minute = local.Hour * 60 + local.Minute;
        var today = (int)local.DayOfWeek;
        var yesterday = today == 1 ? 7 : today - 1;
        return hours.Any(h =>
            (h.Day == today && (h.CloseMinutes > h.OpenMinutes ? minute >= h.OpenMinutes && minute < h.CloseMinutes : minute >= h.OpenMinutes))
            || (h.Day == yesterday && h.CloseMinutes <= h.OpenMinutes && minute < h.CloseMinutes));
    }

    /// <summary>Opens the incident or updates its details (<paramref name="details"/>), or resolves it when the finding no longer holds (null).</summary>
    private static void Set(SqliteConnection connection, SqliteTransaction transaction, Finding f, string? details, Instant now)
    {
        if (details is not null)
        {
            connection.Execute("""
                INSERT INTO incident (incident_id, venue_id, device_id, type, severity, details_json, opened_at_utc)
                VALUES ($id, $venue, $device, $type, $severity, $details, $now)
                ON CONFLICT (device_id, type) WHERE resolved_at_utc IS NULL DO UPDATE SET details_json = excluded.details_json;
                """, transaction, ("$id", Ids.New("inc")), ("$venue", f.VenueId), ("$device", f.DeviceId), ("$type", f.Type), ("$severity", f.Severity),
                ("$details", details), ("$now", Sql.Utc(now)));
        }
        else
        {
            connection.Execute("UPDATE incident SET resolved_at_utc = $now WHERE device_id = $device AND type = $type AND resolved_at_utc IS NULL;",
                transaction, ("$now", Sql.Utc(now)), ("$device", f.DeviceId), ("$type", f.Type));
        }
    }
}

/// <summary>Runs the monitor every <see cref="VenueMonitor.Interval"/>, on a thread of its own: a pass over
/// thousands of screens is a second of synchronous SQLite reads, which on a pool thread took one of this
/// 2-core box's two workers from the requests every 15 s (the fleet benchmark's event and heartbeat tail).</summary>
public sealed class MonitoringService(VenueMonitor monitor, ILogger<MonitoringService> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Loop(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Loop(CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                monitor.RunOnce();
            }
            catch (SqliteException e)
            {
                logger.LogWarning(e, "Monitoring pass failed; will retry");
            }
        }
        while (!stoppingToken.WaitHandle.WaitOne(monitor.Interval));
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OpeningHours[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class MonitoringJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
