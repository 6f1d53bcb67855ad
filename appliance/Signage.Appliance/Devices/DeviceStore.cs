using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;

namespace Signage.Appliance.Devices;

/// <summary>The screens feature's SQL: a device with what it last reported.</summary>
public static class DeviceStore
{
    private const string Select = """
        SELECT d.device_id, d.name, d.group_id, d.hardware_id, d.manufacturer, d.model, d.os_version, d.app_version,
               d.run_mode, d.launch_on_boot, d.auto_relaunch, d.keep_awake, d.watchdog_return_to_foreground, d.orientation, d.cache_budget_bytes, d.timezone,
               s.last_seen_at_utc, s.state, s.applied_manifest_etag, s.current_asset_id, s.cache_used_bytes, s.cache_total_bytes, s.pending_downloads,
               d.updated_at_utc, d.row_version
        FROM device d LEFT JOIN device_status s ON s.device_id = d.device_id
        """;

    public static bool Exists(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string deviceId) =>
        connection.Scalar<long>("SELECT COUNT(*) FROM device WHERE device_id = $device AND venue_id = $venue;", transaction,
            ("$device", deviceId), ("$venue", venueId)) == 1;

    public static DeviceResponse? Load(SqliteConnection connection, string venueId, string deviceId, ScreenPresence presence, Func<string, string?>? currentETag = null)
    {
        var now = presence.Now;
        return connection.Query($"{Select} WHERE d.device_id = $device AND d.venue_id = $venue;", null, r => Map(r, presence, now, currentETag),
            ("$device", deviceId), ("$venue", venueId)).FirstOrDefault();
    }

    /// <summary>By name, then id; with a page, the rows after its cursor (one more than the page, see <see cref="ListPage"/>), else all.</summary>
    public static List<DeviceResponse> List(SqliteConnection connection, string venueId, ScreenPresence presence, Func<string, string?>? currentETag = null, ListPage? page = null)
    {
        var now = presence.Now;
        return connection.Query($"""
            {Select} WHERE d.venue_id = $venue
              AND ($first = 1 OR d.name COLLATE NOCASE > $name OR (d.name COLLATE NOCASE = $name AND d.device_id > $id))
            ORDER BY d.name COLLATE NOCASE, d.device_id LIMIT $limit;
            """, null, r => Map(r, presence, now, currentETag),
            ("$venue", venueId), ("$first", page?.First ?? true), ("$name", page?.Text(0, "")), ("$id", page?.Text(1, "")), ("$limit", page?.Fetch ?? -1));
    }

    public static long RowVersion(SqliteConnection connection, SqliteTransaction? transaction, string deviceId) =>
        connection.Scalar<long>("SELECT row_version FROM device WHERE device_id = $device;", transaction, ("$device", deviceId));

    private static DeviceResponse Map(SqliteDataReader r, ScreenPresence presence, Instant now, Func<string, string?>? currentETag)
    {
        var status = presence.Status(Sql.ParseUtcOrNull(r.NullableString(16)), now);
        var applied = r.NullableString(18);
        var current = currentETag?.Invoke(r.GetString(0));
        // What the screen reports it has applied, compared with what it would get now — never what was sent.
        var content = applied is null || current is null ? "UNKNOWN" : applied == current.Trim('"') || applied == current ? "UP_TO_DATE" : "UPDATING";
        return new DeviceResponse(r.GetString(0), r.GetString(1), r.NullableString(2), r.GetString(3), r.NullableString(4), r.NullableString(5),
            r.NullableString(6), r.NullableString(7),
            new DeviceSettings(r.GetString(8), r.GetInt64(9) == 1, r.GetInt64(10) == 1, r.GetInt64(11) == 1, r.GetInt64(12) == 1, r.GetString(13),
                r.GetInt64(14), r.NullableString(15)),
            status, r.NullableString(16), r.NullableString(17), applied, current?.Trim('"'), content, r.NullableString(19),
            r.IsDBNull(20) ? null : r.GetInt64(20), r.IsDBNull(21) ? null : r.GetInt64(21), r.IsDBNull(22) ? null : r.GetInt32(22), r.GetString(23));
    }
}
