using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Sync;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Appliance.Tests.Sync;

/// <summary>
/// Migration 0009 on a database as release 8 left it: plays queued in the outbox by the old trigger,
/// some already sent (their rows deleted), some waiting. After the upgrade every waiting play still
/// reaches the hub exactly once, no sent play goes up again, and the other outbox records are untouched.
/// </summary>
public sealed class PlayUploadMigrationTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly Database _database;
    private readonly HubDouble _hub = new();

    public PlayUploadMigrationTests() => _database = new Database(_temp.Combine("appliance.db"));

    public Task InitializeAsync() => _hub.StartAsync();

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }

    private static string Id(int i) => $"00000000-0000-4000-8000-{i:D12}";

    private static void Execute(SqliteConnection connection, string sql, params (string, object?)[] parameters) => connection.Execute(sql, null, parameters);

    [Fact]
    public async Task Plays_waiting_in_the_old_outbox_reach_the_hub_exactly_once_after_the_upgrade_and_sent_ones_do_not_go_again()
    {
        using (var connection = _database.Open())
        {
            Execute(connection, "PRAGMA journal_mode = WAL; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_utc TEXT NOT NULL) STRICT;");
            foreach (var migration in Migrator.All.Where(m => m.Version <= 8))
            {
                Execute(connection, migration.Sql);
                Execute(connection, $"INSERT INTO schema_migrations VALUES ({migration.Version}, '{migration.Name}', '2026-01-01T00:00:00.000Z');");
            }
            Execute(connection, """
                INSERT INTO tenant (tenant_id, name, created_at_utc) VALUES ('ten_1', 'T', '2026-11-01T00:00:00.000Z');
                INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc) VALUES ('ven_1', 'ten_1', 'V', 'Europe/London', '2026-11-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z');
                """);
            for (var i = 1; i <= 10; i++)
            {
                Execute(connection, """
                    INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, playlist_id, asset_id, device_time_utc, server_received_utc, started_at_utc, local_date, duration_ms, result)
                    VALUES ($id, 'PLAY_END', 'dev_1', 'ven_1', 'pls_1', 'ast_1', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20', 10000, 'COMPLETED');
                    """, ("$id", Id(i)));
            }
            Execute(connection, """
                INSERT INTO device_event (event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, payload_json)
                VALUES ('e7a9c7f0-0000-4000-8000-000000000100', 'dev_1', 'ven_1', 1, 'CACHE_LOW', 'WARNING', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:01.000Z', '{}');
                """);
            // The hub acknowledged plays 1-4 (the old sender deleted their rows); retention removed play 5's raw row
            // while its outbox record still waited (it goes up from the outbox, which holds its data).
            Execute(connection, "DELETE FROM outbox WHERE kind = 'PLAY' AND record_id IN ($a, $b, $c, $d);", ("$a", Id(1)), ("$b", Id(2)), ("$c", Id(3)), ("$d", Id(4)));
            Execute(connection, "DELETE FROM proof_of_play WHERE event_id = $id;", ("$id", Id(5)));
            Assert.Equal(7L, connection.Scalar<long>("SELECT COUNT(*) FROM outbox;", null)); // plays 5-10 + the device event
        }

        Assert.Equal(Migrator.All.Count - 8, Migrator.Migrate(_database));

        using (var connection = _database.Open())
        {
            Assert.Equal(5L, connection.Scalar<long>("SELECT sent_through FROM play_upload;", null)); // just below play 6
            Assert.Equal([Id(5)], connection.Query("SELECT record_id FROM outbox WHERE kind = 'PLAY';", null, r => r.GetString(0)));
            Assert.Equal(7L, HubConnection.Backlog(connection));
            // Rows keep their order and their number: play 6 is still play_seq 6.
            Assert.Equal(6L, connection.Scalar<long>("SELECT play_seq FROM proof_of_play WHERE event_id = $id;", null, ("$id", Id(6))));
            Assert.Empty(connection.Query("SELECT name FROM sqlite_master WHERE name IN ('outbox_play', 'proof_of_play_by_venue_date', 'proof_of_play_0009');", null, r => r.GetString(0)));
            Execute(connection, """
                INSERT INTO hub_connection (singleton, hub_url, credential, appliance_id, hub_tenant_id, hub_venue_id, venue_id, enrolled_at_utc)
                VALUES (1, $url, 'secret-credential', 'app_1', 'hten_1', 'hven_1', 'ven_1', '2026-11-23T00:00:00.000Z');
                """, ("$url", _hub.Url));
        }

        var clock = new FakeClock(Instant.FromUtc(2026, 11, 23, 12, 0));
        var settings = new SyncSettings(TimeSpan.FromSeconds(1), 3, TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(30), 30);
        var sender = new OutboxSender(_database, new HubClient(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }), settings,
            new ScreenPresence(new ConfigurationBuilder().Build(), clock), clock);
        HubConnection hub;
        using (var connection = _database.Open()) hub = HubConnection.Load(connection)!;
        var result = await sender.DrainAsync(hub, SyncService.BuildPipeline(settings, NullLogger.Instance), default);
        // A second round finds nothing left.
        var again = await sender.DrainAsync(hub, SyncService.BuildPipeline(settings, NullLogger.Instance), default);

        Assert.Equal((7L, 7L, 0L), (result.Sent, result.Accepted, result.Duplicates));
        Assert.Equal(0L, again.Sent);
        Assert.Equal(7, _hub.Received);
        Assert.Equal([Id(5), "e7a9c7f0-0000-4000-8000-000000000100", Id(6), Id(7), Id(8), Id(9), Id(10)], _hub.Order);
        using (var connection = _database.Open()) Assert.Equal(0L, HubConnection.Backlog(connection));
    }

    [Fact]
    public void With_nothing_waiting_in_the_old_outbox_the_cursor_starts_after_the_newest_play()
    {
        using (var connection = _database.Open())
        {
            Execute(connection, "PRAGMA journal_mode = WAL; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_utc TEXT NOT NULL) STRICT;");
            foreach (var migration in Migrator.All.Where(m => m.Version <= 8))
            {
                Execute(connection, migration.Sql);
                Execute(connection, $"INSERT INTO schema_migrations VALUES ({migration.Version}, '{migration.Name}', '2026-01-01T00:00:00.000Z');");
            }
            for (var i = 1; i <= 3; i++)
            {
                Execute(connection, """
                    INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, playlist_id, asset_id, device_time_utc, server_received_utc, started_at_utc, local_date, duration_ms, result)
                    VALUES ($id, 'PLAY_END', 'dev_1', 'ven_1', 'pls_1', 'ast_1', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20', 10000, 'COMPLETED');
                    """, ("$id", Id(i)));
            }
            Execute(connection, "DELETE FROM outbox;"); // all sent
        }
        Migrator.Migrate(_database);
        using var migrated = _database.Open();
        Assert.Equal(3L, migrated.Scalar<long>("SELECT sent_through FROM play_upload;", null));
        Assert.Equal(0L, HubConnection.Backlog(migrated));
    }
}
