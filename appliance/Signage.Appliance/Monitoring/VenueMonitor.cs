using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Scheduling;

namespace Signage.Appliance.Monitoring;

/// <summary>
/// Notices what a venue owner would want to hear about (seed 001 monitoring): a screen offline
/// while the venue is open, a full cache. Incidents open themselves when the condition holds and
/// resolve themselves when it no longer does; one open incident per kind and screen.
/// Time comes from the injected clock; <see cref="RunOnce"/> is the whole check.
/// </summary>
public sealed class VenueMonitor(Database database, IClock clock, IConfiguration configuration)
{
    public const string OfflineDuringHours = "OFFLINE_DURING_HOURS";
    public const string LowStorage = "LOW_STORAGE";

    /// <summary>Setting <c>Monitoring:OfflineAfterSeconds</c>; default 3 × the 60-second heartbeat.</summary>
    public Duration OfflineAfter { get; } = Duration.FromSeconds(Setting(configuration, "Monitoring:OfflineAfterSeconds", 180));

    /// <summary>Setting <c>Monitoring:IntervalSeconds</c>: how often the checks run (default 15).</summary>
    public TimeSpan Interval { get; } = TimeSpan.FromSeconds(Setting(configuration, "Monitoring:IntervalSeconds", 15));

    private static int Setting(IConfiguration configuration, string key, int fallback) =>
        int.TryParse(configuration[key], CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    public void RunOnce()
    {
        var now = clock.GetCurrentInstant();
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var screens = connection.Query("""
            SELECT d.device_id, d.venue_id, v.timezone, v.opening_hours_json, s.last_seen_at_utc, s.cache_used_bytes, s.cache_total_bytes
            FROM device d JOIN venue v ON v.venue_id = d.venue_id JOIN device_status s ON s.device_id = d.device_id;
            """, transaction,
            r => (Device: r.GetString(0), Venue: r.GetString(1), Zone: r.GetString(2), Hours: r.GetString(3), LastSeen: Sql.ParseUtc(r.GetString(4)),
                Used: r.IsDBNull(5) ? 0 : r.GetInt64(5), Total: r.IsDBNull(6) ? 0 : r.GetInt64(6)));
        foreach (var s in screens)
        {
            var offline = now - s.LastSeen > OfflineAfter;
            var open = IsOpen(s.Hours, TimeZones.Effective(null, s.Zone, null).Zone, now);
            Set(connection, transaction, s.Device, s.Venue, OfflineDuringHours, "CRITICAL", offline && open, now,
                new() { ["lastSeenAtUtc"] = Sql.Utc(s.LastSeen) });
            Set(connection, transaction, s.Device, s.Venue, LowStorage, "WARNING", s.Total > 0 && s.Used > s.Total * 9 / 10, now,
                new() { ["usedBytes"] = s.Used.ToString(CultureInfo.InvariantCulture), ["totalBytes"] = s.Total.ToString(CultureInfo.InvariantCulture) });
        }
        transaction.Commit();
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

    private static void Set(SqliteConnection connection, SqliteTransaction transaction, string deviceId, string venueId, string type, string severity,
        bool holds, Instant now, Dictionary<string, string> details)
    {
        if (holds)
        {
            connection.Execute("""
                INSERT INTO incident (incident_id, venue_id, device_id, type, severity, details_json, opened_at_utc)
                VALUES ($id, $venue, $device, $type, $severity, $details, $now)
                ON CONFLICT (device_id, type) WHERE resolved_at_utc IS NULL DO UPDATE SET details_json = excluded.details_json;
                """, transaction, ("$id", Ids.New("inc")), ("$venue", venueId), ("$device", deviceId), ("$type", type), ("$severity", severity),
                ("$details", JsonSerializer.Serialize(details, MonitoringJsonContext.Default.DictionaryStringString)), ("$now", Sql.Utc(now)));
        }
        else
        {
            connection.Execute("UPDATE incident SET resolved_at_utc = $now WHERE device_id = $device AND type = $type AND resolved_at_utc IS NULL;",
                transaction, ("$now", Sql.Utc(now)), ("$device", deviceId), ("$type", type));
        }
    }
}

/// <summary>Runs the monitor every <see cref="VenueMonitor.Interval"/>.</summary>
public sealed class MonitoringService(VenueMonitor monitor, ILogger<MonitoringService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(monitor.Interval);
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
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OpeningHours[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string>))]
internal sealed partial class MonitoringJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
