using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Monitoring;
using Signage.Appliance.Player;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests;

/// <summary>
/// The one meaning of "online" (issue 16): <c>Monitoring:OfflineAfterSeconds</c> with the injected
/// clock decides the device record's status, the monitor's incidents and the status sent to the hub,
/// on a real migrated SQLite file.
/// </summary>
public sealed class ScreenPresenceTests : IDisposable
{
    private static readonly Instant Paired = Instant.FromUtc(2026, 11, 23, 12, 0);
    private const string AlwaysOpen = """[{"day":1,"openMinutes":0,"closeMinutes":1440},{"day":2,"openMinutes":0,"closeMinutes":1440},{"day":3,"openMinutes":0,"closeMinutes":1440},{"day":4,"openMinutes":0,"closeMinutes":1440},{"day":5,"openMinutes":0,"closeMinutes":1440},{"day":6,"openMinutes":0,"closeMinutes":1440},{"day":7,"openMinutes":0,"closeMinutes":1440}]""";

    private readonly TempDirectory _temp = new();
    private readonly Database _database;
    private readonly FakeClock _clock = new(Paired);
    private readonly ScreenPresence _presence;
    private readonly VenueMonitor _monitor;

    public ScreenPresenceTests()
    {
        _database = new Database(_temp.Combine("appliance.db"));
        Migrator.Migrate(_database);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Monitoring:OfflineAfterSeconds"] = "60",
            ["Monitoring:PlaybackStuckFactor"] = "1",
            ["Monitoring:PlaybackStuckSlackSeconds"] = "5",
        }).Build();
        _presence = new ScreenPresence(configuration, _clock);
        _monitor = new VenueMonitor(_database, _clock, configuration, new DeviceDirectory(_database),
            new ManifestService(_database, new ManifestEpochs(_database, NullLogger<ManifestEpochs>.Instance), _clock,
                new LastManifests(new Hosting.ApplianceSettings("http://127.0.0.1:0", _temp.Path), NullLogger<LastManifests>.Instance), NullLogger<ManifestService>.Instance), _presence);
        using var connection = _database.Open();
        connection.Execute("""
            INSERT INTO tenant (tenant_id, name, created_at_utc) VALUES ('ten_1', 'T', '2026-11-01T00:00:00.000Z');
            INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc) VALUES ('ven_1', 'ten_1', 'V', 'Europe/London', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
            INSERT INTO device (device_id, tenant_id, venue_id, name, hardware_id, created_at_utc, updated_at_utc)
            VALUES ('dev_1', 'ten_1', 'ven_1', 'Bar screen', 'hw1', $paired, $paired);
            DELETE FROM outbox;
            """, null, ("$paired", Sql.Utc(Paired)));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    [Theory]
    [InlineData(0, "ONLINE")]
    [InlineData(59_999, "ONLINE")]
    [InlineData(60_000, "ONLINE")]   // the threshold itself still counts as online
    [InlineData(60_001, "OFFLINE")]
    [InlineData(3_600_000, "OFFLINE")]
    public void A_heartbeat_counts_as_online_up_to_the_threshold_and_not_a_millisecond_longer(long ageMs, string expected)
    {
        var now = Instant.FromUtc(2026, 11, 23, 12, 0);
        Assert.Equal(expected, ScreenPresence.Decide(now - Duration.FromMilliseconds(ageMs), now, Duration.FromSeconds(60)));
    }

    [Fact]
    public void A_screen_that_never_sent_a_heartbeat_is_offline() =>
        Assert.Equal("OFFLINE", ScreenPresence.Decide(null, Paired, Duration.FromSeconds(60)));

    [Theory]
    [InlineData(null, 180)]
    [InlineData("45", 45)]
    [InlineData("0", 180)]
    [InlineData("soon", 180)]
    public void The_threshold_is_Monitoring_OfflineAfterSeconds_with_180_by_default(string? setting, int seconds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Monitoring:OfflineAfterSeconds"] = setting }).Build();
        Assert.Equal(Duration.FromSeconds(seconds), new ScreenPresence(configuration, _clock).OfflineAfter);
    }

    [Fact]
    public void The_device_record_the_incident_and_the_hub_flip_to_offline_together_just_after_the_threshold_and_back_with_the_next_heartbeat()
    {
        SetOpeningHours(AlwaysOpen);
        Heartbeat(Paired);

        _clock.Reset(Paired + Duration.FromSeconds(60));
        _monitor.RunOnce();
        Assert.Equal("ONLINE", DeviceStatus());
        Assert.False(IncidentOpen(VenueMonitor.OfflineDuringHours));
        Assert.Empty(HubStatuses());

        _clock.Reset(Paired + Duration.FromSeconds(61));
        _monitor.RunOnce();
        Assert.Equal("OFFLINE", DeviceStatus());
        Assert.True(IncidentOpen(VenueMonitor.OfflineDuringHours));
        var offline = Assert.Single(HubStatuses());
        Assert.Equal(("OFFLINE", Sql.Utc(Paired)), (offline.Status, offline.LastSeenAtUtc));

        _monitor.RunOnce(); // told once, not at every pass
        Assert.Single(HubStatuses());

        // Back after 70 s: shorter than the triggers' fixed 3-minute gap, so the monitor tells the hub.
        Heartbeat(_clock.GetCurrentInstant() + Duration.FromSeconds(9));
        _clock.Advance(Duration.FromSeconds(10));
        _monitor.RunOnce();
        Assert.Equal("ONLINE", DeviceStatus());
        Assert.False(IncidentOpen(VenueMonitor.OfflineDuringHours));
        Assert.Equal("ONLINE", Assert.Single(HubStatuses()).Status);
    }

    [Fact]
    public void A_paired_screen_that_never_sent_a_heartbeat_is_offline_at_once_and_gets_OFFLINE_DURING_HOURS_once_silent_that_long_in_opening_hours()
    {
        SetOpeningHours(AlwaysOpen);
        _monitor.RunOnce();
        Assert.Equal("OFFLINE", DeviceStatus());
        var told = Assert.Single(HubStatuses());
        Assert.Equal(("OFFLINE", (string?)null), (told.Status, told.LastSeenAtUtc));
        // Just paired: it has had no time to send a heartbeat yet; no alarm.
        Assert.False(IncidentOpen(VenueMonitor.OfflineDuringHours));

        _clock.Reset(Paired + Duration.FromSeconds(61));
        _monitor.RunOnce();
        Assert.True(IncidentOpen(VenueMonitor.OfflineDuringHours));
        Assert.Equal("", Details(VenueMonitor.OfflineDuringHours)["lastSeenAtUtc"]);
    }

    [Fact]
    public void An_offline_screen_outside_opening_hours_is_offline_without_an_incident()
    {
        SetOpeningHours("[]");
        Heartbeat(Paired);
        _clock.Reset(Paired + Duration.FromMinutes(10));
        _monitor.RunOnce();
        Assert.Equal("OFFLINE", DeviceStatus());
        Assert.False(IncidentOpen(VenueMonitor.OfflineDuringHours));
        Assert.Equal("OFFLINE", Assert.Single(HubStatuses()).Status);
    }

    [Fact]
    public void A_player_that_stopped_mid_item_is_not_PLAYBACK_STUCK_while_it_still_counts_as_online()
    {
        // A 10-second item, factor 1, slack 5 s: stuck once heartbeats name the same showing for more than 15 s.
        Heartbeat(Paired, "PLAYING", "ast_1", "k1");
        _clock.Reset(Paired + Duration.FromSeconds(50)); // silent since, but still within the 60 s
        _monitor.RunOnce();
        Assert.Equal("ONLINE", DeviceStatus());
        Assert.False(IncidentOpen(VenueMonitor.PlaybackStuck));
    }

    [Fact]
    public void Heartbeats_that_keep_naming_one_showing_beyond_its_length_open_PLAYBACK_STUCK()
    {
        Heartbeat(Paired, "PLAYING", "ast_1", "k1");
        Heartbeat(Paired + Duration.FromSeconds(16), "PLAYING", "ast_1", "k1");
        _clock.Reset(Paired + Duration.FromSeconds(17));
        _monitor.RunOnce();
        Assert.True(IncidentOpen(VenueMonitor.PlaybackStuck));
    }

    [Fact]
    public void A_monitor_pass_that_finds_nothing_new_writes_nothing_so_screens_never_wait_behind_it()
    {
        SetOpeningHours(AlwaysOpen);
        Heartbeat(Paired);
        _clock.Reset(Paired + Duration.FromSeconds(61));
        _monitor.RunOnce();
        Assert.True(IncidentOpen(VenueMonitor.OfflineDuringHours));

        // data_version changes when another connection commits: a pass that finds the same incidents commits nothing.
        using var watcher = _database.Open();
        var before = watcher.Scalar<long>("PRAGMA data_version;", null);
        _clock.Advance(Duration.FromSeconds(15));
        _monitor.RunOnce();
        _monitor.RunOnce();
        Assert.Equal(before, watcher.Scalar<long>("PRAGMA data_version;", null));
        Assert.True(IncidentOpen(VenueMonitor.OfflineDuringHours));

        // A finding whose details changed is still written, and one that stopped holding is resolved.
        Heartbeat(_clock.GetCurrentInstant(), "PLAYING", "ast_1", "k1");
        Heartbeat(_clock.GetCurrentInstant() + Duration.FromSeconds(16), "PLAYING", "ast_1", "k1");
        _clock.Advance(Duration.FromSeconds(17));
        _monitor.RunOnce();
        Assert.False(IncidentOpen(VenueMonitor.OfflineDuringHours));
        Assert.True(IncidentOpen(VenueMonitor.PlaybackStuck));
        var since = Details(VenueMonitor.PlaybackStuck)["showingSinceUtc"];
        Heartbeat(_clock.GetCurrentInstant(), "PLAYING", "ast_1", "k2");
        Heartbeat(_clock.GetCurrentInstant() + Duration.FromSeconds(16), "PLAYING", "ast_1", "k2");
        _clock.Advance(Duration.FromSeconds(17));
        _monitor.RunOnce();
        Assert.NotEqual(since, Details(VenueMonitor.PlaybackStuck)["showingSinceUtc"]);
    }

    // ---- helpers ----

    private void SetOpeningHours(string json)
    {
        using var connection = _database.Open();
        connection.Execute("UPDATE venue SET opening_hours_json = $hours;", null, ("$hours", json));
    }

    /// <summary>What the heartbeat endpoint stores, with the showing it names (key) since its first heartbeat.</summary>
    private void Heartbeat(Instant at, string state = "LOAD_LOCAL", string? asset = null, string? itemKey = null)
    {
        using var connection = _database.Open();
        connection.Execute("""
            INSERT INTO device_status (device_id, last_seen_at_utc, state, current_asset_id, heartbeat_json, current_item_key, current_item_since_utc)
            VALUES ('dev_1', $at, $state, $asset, '{}', $key, $at)
            ON CONFLICT (device_id) DO UPDATE SET last_seen_at_utc = excluded.last_seen_at_utc, state = excluded.state, current_asset_id = excluded.current_asset_id,
                current_item_since_utc = CASE WHEN current_item_key IS excluded.current_item_key THEN current_item_since_utc ELSE excluded.current_item_since_utc END,
                current_item_key = excluded.current_item_key;
            DELETE FROM outbox;
            """, null, ("$at", Sql.Utc(at)), ("$state", state), ("$asset", asset), ("$key", itemKey));
    }

    private string DeviceStatus()
    {
        using var connection = _database.Open();
        return DeviceStore.Load(connection, "ven_1", "dev_1", _presence)!.Status;
    }

    private List<DeviceStatusRecord> HubStatuses()
    {
        using var connection = _database.Open();
        return connection.Query("SELECT data_json FROM outbox WHERE kind = 'DEVICE_STATUS' ORDER BY seq;", null,
            r => JsonSerializer.Deserialize(r.GetString(0), ContractsJsonContext.Default.DeviceStatusRecord)!);
    }

    private bool IncidentOpen(string type)
    {
        using var connection = _database.Open();
        return connection.Scalar<long>("SELECT COUNT(*) FROM incident WHERE device_id = 'dev_1' AND type = $type AND resolved_at_utc IS NULL;", null, ("$type", type)) == 1;
    }

    private Dictionary<string, string> Details(string type)
    {
        using var connection = _database.Open();
        return JsonSerializer.Deserialize<Dictionary<string, string>>(connection.Scalar<string>(
            "SELECT details_json FROM incident WHERE device_id = 'dev_1' AND type = $type AND resolved_at_utc IS NULL;", null, ("$type", type))!)!;
    }
}
