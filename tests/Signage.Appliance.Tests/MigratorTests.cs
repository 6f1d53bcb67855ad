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
        var database = new Database(_temp.Combine("e.db"));
        using (var connection = database.Open())
        {
            // A database as release 6 left it, with two days of plays.
            Execute(connection, "PRAGMA journal_mode = WAL; CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_utc TEXT NOT NULL) STRICT;");
            foreach (var migration in Migrator.All.Where(m => m.Version <= 6))
            {
                Execute(connection, migration.Sql);
                Execute(connection, $"INSERT INTO schema_migrations VALUES ({migration.Version}, '{migration.Name}', '2026-01-01T00:00:00.000Z');");
            }
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
