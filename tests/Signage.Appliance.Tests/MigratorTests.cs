using Signage.Appliance.Data;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Appliance.Tests;

/// <summary>The migrator on real SQLite files, in process.</summary>
public sealed class MigratorTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Embedded_migrations_are_numbered_from_one_without_gaps()
    {
        Assert.NotEmpty(Migrator.All);
        Assert.Equal(Enumerable.Range(1, Migrator.All.Count), Migrator.All.Select(m => m.Version));
    }

    [Fact]
    public void Migrating_twice_applies_each_migration_once()
    {
        var database = new Database(_temp.Combine("a.db"));
        Assert.Equal(Migrator.All.Count, Migrator.Migrate(database));
        Assert.Equal(0, Migrator.Migrate(database));
        using var connection = database.Open();
        Assert.Equal(Migrator.LatestVersion, Migrator.CurrentVersion(connection));
    }

    [Fact]
    public void Concurrent_starts_apply_each_migration_once()
    {
        var path = _temp.Combine("b.db");
        var applied = new int[4];
        Parallel.For(0, applied.Length, i => applied[i] = Migrator.Migrate(new Database(path)));
        Assert.Equal(Migrator.All.Count, applied.Sum());
    }

    [Fact]
    public void Connections_use_wal_full_sync_and_foreign_keys()
    {
        var database = new Database(_temp.Combine("c.db"));
        Migrator.Migrate(database);
        using var connection = database.Open();
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(2L, Scalar(connection, "PRAGMA synchronous;")); // 2 = FULL
        Assert.Equal(1L, Scalar(connection, "PRAGMA foreign_keys;"));
    }

    [Fact]
    public void The_first_migration_gives_the_appliance_an_identity()
    {
        var database = new Database(_temp.Combine("d.db"));
        Migrator.Migrate(database);
        using var connection = database.Open();
        Assert.Matches("^[0-9a-f]{32}$", (string)Scalar(connection, "SELECT appliance_id FROM appliance;")!);
    }

    [Fact]
    public void Migration_7_rolls_existing_daily_aggregates_up_per_dimension()
    {
        // A database as release 6 left it, with two days of plays.
        var database = DatabaseAtVersion("e.db", 6);
        using (var connection = database.Open())
        {
            Execute(connection, """
                INSERT INTO proof_of_play_daily VALUES
                    ('ven_1', '2026-11-20', 'cmp_1', 'ast_1', 'dev_1', 3, 30000),
                    ('ven_1', '2026-11-20', 'cmp_1', 'ast_2', 'dev_1', 2, 20000),
                    ('ven_1', '2026-11-20', '', 'ast_2', 'dev_2', 1, 10000),
                    ('ven_1', '2026-11-21', 'cmp_1', 'ast_1', 'dev_2', 4, 40000);
                """);
        }

        Assert.Equal(Migrator.All.Count - 6, Migrator.Migrate(database));
        using var migrated = database.Open();
        string Rollup(string dimension) => (string)Scalar(migrated, $"""
            SELECT group_concat(local_date || ':' || key || ':' || plays || ':' || total_duration_ms, ' ') FROM
                (SELECT * FROM proof_of_play_rollup WHERE dimension = '{dimension}' ORDER BY local_date, key);
            """)!;
        Assert.Equal("2026-11-20::1:10000 2026-11-20:cmp_1:5:50000 2026-11-21:cmp_1:4:40000", Rollup("campaign"));
        Assert.Equal("2026-11-20:ast_1:3:30000 2026-11-20:ast_2:3:30000 2026-11-21:ast_1:4:40000", Rollup("content"));
        Assert.Equal("2026-11-20:dev_1:5:50000 2026-11-20:dev_2:1:10000 2026-11-21:dev_2:4:40000", Rollup("device"));
        Assert.Equal("2026-11-20:2026-11-20:6:60000 2026-11-21:2026-11-21:4:40000", Rollup("day"));
    }

    [Fact]
    public void Migration_10_keeps_each_play_once_in_proof_of_play_with_its_sequence_and_severity()
    {
        // Release 9 stored a play twice: as a device_event row and as a proof_of_play row.
        var database = DatabaseAtVersion("f.db", 9);
        using (var connection = database.Open())
        {
            Execute(connection, """
                INSERT INTO device_event (event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, payload_json) VALUES
                    ('00000000-0000-4000-8000-000000000001', 'dev_1', 'ven_1', 1, 'APP_STARTED', 'INFO', '2026-11-20T12:00:00.000Z', '2026-11-20T12:00:01.000Z', '{}'),
                    ('00000000-0000-4000-8000-000000000002', 'dev_1', 'ven_1', 2, 'PLAY_END', 'WARNING', '2026-11-20T12:00:10.000Z', '2026-11-20T12:00:11.000Z', '{"result":"ERROR"}'),
                    ('00000000-0000-4000-8000-000000000003', 'dev_1', 'ven_1', 3, 'PLAY_END', 'INFO', '2026-11-20T12:00:20.000Z', '2026-11-20T12:00:21.000Z', '{}');
                -- Play 3's proof_of_play row is gone (retention); play 2's is there.
                INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, playlist_id, asset_id, device_time_utc, server_received_utc, started_at_utc,
                    local_date, duration_ms, result)
                VALUES ('00000000-0000-4000-8000-000000000002', 'PLAY_END', 'dev_1', 'ven_1', 'pls_1', 'ast_1', '2026-11-20T12:00:10.000Z',
                    '2026-11-20T12:00:11.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20', 10000, 'ERROR');
                """);
        }

        Assert.Equal(Migrator.All.Count - 9, Migrator.Migrate(database));
        using var migrated = database.Open();
        Assert.Equal("2:WARNING", Scalar(migrated, "SELECT sequence || ':' || severity FROM proof_of_play;"));
        Assert.Equal("1:APP_STARTED 3:PLAY_END", Scalar(migrated, "SELECT group_concat(sequence || ':' || event_type, ' ') FROM (SELECT * FROM device_event ORDER BY sequence);"));
        // The log shows every event once: the play from proof_of_play, with the payload it was counted from.
        Assert.Equal("1 2 3", Scalar(migrated, "SELECT group_concat(sequence, ' ') FROM (SELECT sequence FROM device_event_log ORDER BY sequence);"));
        Assert.Equal("""{"playlistId":"pls_1","assetId":"ast_1","startedAtUtc":"2026-11-20T12:00:00.000Z","durationMs":10000,"result":"ERROR"}""",
            Scalar(migrated, "SELECT payload_json FROM device_event_log WHERE sequence = 2;"));
    }

    [Fact]
    public void Migration_11_rebuilds_daily_aggregates_and_rollups_so_only_completed_play_ends_are_plays()
    {
        // Release 10 counted every PLAY_END as a play. Screen dev_1 ended one play of each result on the 20th; dev_2's
        // key counts 3 PLAY_ENDs of which retention left one (SKIPPED) in the log: the other two keep counting as billed.
        var database = DatabaseAtVersion("g.db", 10);
        using (var connection = database.Open())
        {
            Execute(connection, """
                INSERT INTO proof_of_play (event_id, event_type, device_id, venue_id, campaign_id, playlist_id, asset_id, device_time_utc, server_received_utc,
                    started_at_utc, local_date, duration_ms, result, sequence) VALUES
                    ('e1', 'PLAY_END', 'dev_1', 'ven_1', 'cmp_1', 'pls_1', 'ast_1', '2026-11-20T12:00:10.000Z', '2026-11-20T12:00:11.000Z', '2026-11-20T12:00:00.000Z', '2026-11-20', 10000, 'COMPLETED', 1),
                    ('e2', 'PLAY_END', 'dev_1', 'ven_1', 'cmp_1', 'pls_1', 'ast_1', '2026-11-20T12:00:14.000Z', '2026-11-20T12:00:15.000Z', '2026-11-20T12:00:10.000Z', '2026-11-20', 4000, 'INTERRUPTED', 2),
                    ('e3', 'PLAY_END', 'dev_1', 'ven_1', 'cmp_1', 'pls_1', 'ast_1', '2026-11-20T12:00:16.000Z', '2026-11-20T12:00:17.000Z', '2026-11-20T12:00:14.000Z', '2026-11-20', 2000, 'ERROR', 3),
                    ('e4', 'PLAY_END', 'dev_1', 'ven_1', 'cmp_1', 'pls_1', 'ast_1', '2026-11-20T12:00:16.000Z', '2026-11-20T12:00:17.000Z', '2026-11-20T12:00:16.000Z', '2026-11-20', 0, 'SKIPPED', 4),
                    ('e5', 'PLAY_START', 'dev_1', 'ven_1', 'cmp_1', 'pls_1', 'ast_1', '2026-11-20T12:00:16.000Z', '2026-11-20T12:00:17.000Z', '2026-11-20T12:00:16.000Z', '2026-11-20', NULL, NULL, 5),
                    ('e6', 'PLAY_END', 'dev_2', 'ven_1', NULL, 'pls_2', 'ast_2', '2026-11-20T13:00:00.000Z', '2026-11-20T13:00:01.000Z', '2026-11-20T13:00:00.000Z', '2026-11-20', 0, 'SKIPPED', 1);
                INSERT INTO proof_of_play_daily VALUES
                    ('ven_1', '2026-11-20', 'cmp_1', 'ast_1', 'dev_1', 4, 16000),
                    ('ven_1', '2026-11-20', '', 'ast_2', 'dev_2', 3, 20000);
                INSERT INTO proof_of_play_rollup VALUES
                    ('ven_1', 'campaign', '2026-11-20', 'cmp_1', 4, 16000), ('ven_1', 'campaign', '2026-11-20', '', 3, 20000),
                    ('ven_1', 'content', '2026-11-20', 'ast_1', 4, 16000), ('ven_1', 'content', '2026-11-20', 'ast_2', 3, 20000),
                    ('ven_1', 'device', '2026-11-20', 'dev_1', 4, 16000), ('ven_1', 'device', '2026-11-20', 'dev_2', 3, 20000),
                    ('ven_1', 'day', '2026-11-20', '2026-11-20', 7, 36000);
                """);
        }

        Assert.Equal(Migrator.All.Count - 10, Migrator.Migrate(database));
        using var migrated = database.Open();
        // plays:duration:interrupted:interruptedMs:failed:skipped
        Assert.Equal("ast_1:1:10000:1:4000:1:1 ast_2:2:20000:0:0:0:1", Scalar(migrated, """
            SELECT group_concat(asset_id || ':' || plays || ':' || total_duration_ms || ':' || interrupted || ':' || interrupted_duration_ms || ':' || failed || ':' || skipped, ' ')
            FROM (SELECT * FROM proof_of_play_daily ORDER BY asset_id);
            """));
        string Rollup(string dimension) => (string)Scalar(migrated, $"""
            SELECT group_concat(key || ':' || plays || ':' || total_duration_ms || ':' || interrupted || ':' || interrupted_duration_ms || ':' || failed || ':' || skipped, ' ')
            FROM (SELECT * FROM proof_of_play_rollup WHERE dimension = '{dimension}' ORDER BY key);
            """)!;
        Assert.Equal(":2:20000:0:0:0:1 cmp_1:1:10000:1:4000:1:1", Rollup("campaign"));
        Assert.Equal("ast_1:1:10000:1:4000:1:1 ast_2:2:20000:0:0:0:1", Rollup("content"));
        Assert.Equal("dev_1:1:10000:1:4000:1:1 dev_2:2:20000:0:0:0:1", Rollup("device"));
        Assert.Equal("2026-11-20:3:30000:1:4000:1:2", Rollup("day"));
    }

    /// <summary>A database as release <paramref name="version"/> left it.</summary>
    private Database DatabaseAtVersion(string file, int version)
    {
        var database = new Database(_temp.Combine(file));
        using var connection = database.Open();
        Execute(connection, "PRAGMA journal_mode = WAL; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_utc TEXT NOT NULL) STRICT;");
        foreach (var migration in Migrator.All.Where(m => m.Version <= version))
        {
            Execute(connection, migration.Sql);
            Execute(connection, $"INSERT INTO schema_migrations VALUES ({migration.Version}, '{migration.Name}', '2026-01-01T00:00:00.000Z');");
        }
        return database;
    }

    private static void Execute(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static object? Scalar(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
