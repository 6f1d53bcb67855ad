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

    private static object? Scalar(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
