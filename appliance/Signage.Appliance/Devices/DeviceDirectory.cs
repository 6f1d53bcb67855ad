using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Data;
using Signage.Contracts;

namespace Signage.Appliance.Devices;

/// <summary>What the hot paths need to know about a screen.</summary>
public sealed record DeviceEntry(string DeviceId, string TenantId, string VenueId, string Name, string? GroupId, string? Timezone,
    long TokenVersion, long RowVersion, DeviceSettings Settings);

/// <summary>
/// Every paired screen, in memory: authenticating a device token and serving its cached manifest
/// then need no SQL. Loaded at start; every change to a device goes through this appliance, which
/// refreshes the entry right after committing it.
/// </summary>
public sealed class DeviceDirectory(Database database)
{
    private const string Columns = """
        device_id, tenant_id, venue_id, name, group_id, timezone, token_version, row_version, run_mode, launch_on_boot, auto_relaunch,
        keep_awake, watchdog_return_to_foreground, orientation, cache_budget_bytes
        """;

    private readonly ConcurrentDictionary<string, DeviceEntry> _devices = new(StringComparer.Ordinal);

    public DeviceEntry? Find(string deviceId) => _devices.GetValueOrDefault(deviceId);

    public void LoadAll()
    {
        using var connection = database.Open();
        foreach (var entry in connection.Query($"SELECT {Columns} FROM device;", null, Map)) _devices[entry.DeviceId] = entry;
    }

    /// <summary>Re-reads one device after a committed change (or forgets it when it is gone).</summary>
    public DeviceEntry? Refresh(string deviceId)
    {
        using var connection = database.Open();
        return Refresh(connection, deviceId);
    }

    public DeviceEntry? Refresh(SqliteConnection connection, string deviceId)
    {
        var entry = connection.QuerySingle($"SELECT {Columns} FROM device WHERE device_id = $device;", null, Map, ("$device", deviceId));
        if (entry is null) _devices.TryRemove(deviceId, out _);
        else _devices[deviceId] = entry;
        return entry;
    }

    private static DeviceEntry Map(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.NullableString(4),
        r.NullableString(5), r.GetInt64(6), r.GetInt64(7),
        new DeviceSettings(r.GetString(8), r.GetInt64(9) == 1, r.GetInt64(10) == 1, r.GetInt64(11) == 1, r.GetInt64(12) == 1, r.GetString(13),
            r.GetInt64(14), r.NullableString(5)));
}
