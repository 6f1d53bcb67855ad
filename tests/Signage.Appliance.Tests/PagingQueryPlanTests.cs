using Microsoft.Data.Sqlite;
using Signage.Appliance.Admin;
using Signage.Appliance.Data;
using Signage.Appliance.Monitoring;
using Signage.Appliance.Player;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Appliance.Tests;

/// <summary>
/// The incident and command lists page along an index in their own order (migration 0012): SQLite's plan for
/// each paging query, first page and deep page, with and without ANALYZE statistics, searches an index and never
/// sorts ("USE TEMP B-TREE FOR ORDER BY" sorted a venue's whole history for every page). On a real SQLite file with
/// a few thousand rows over several venues and screens.
/// </summary>
public sealed class PagingQueryPlanTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Each paging query, with the index it must be read through.</summary>
    public static TheoryData<string, bool> Queries => new()
    {
        { "incidents-api", false }, { "incidents-api", true },
        { "incidents-pages", false }, { "incidents-pages", true },
        { "incidents-one-screen", false }, { "incidents-one-screen", true },
        { "commands", false }, { "commands", true },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public void Each_paging_query_reads_its_index_in_order_without_a_temp_b_tree(string query, bool analyzed)
    {
        using var connection = Seeded(analyzed);
        var (sql, index) = query switch
        {
            "incidents-api" => (IncidentEndpoints.ListSql, "incident_by_venue"),
            "incidents-pages" => (AdminEndpoints.IncidentsSql(oneScreen: false), "incident_by_venue"),
            "incidents-one-screen" => (AdminEndpoints.IncidentsSql(oneScreen: true), "incident_by_device"),
            _ => (CommandEndpoints.ListSql, "device_command_by_issue"),
        };
        // The first page's key ("~" sorts after every time and id), then a deep one, for each side of open/resolved.
        foreach (var (resolved, after, id) in new[] { (0L, "~", "~"), (1L, "2026-01-01T00:10:00.000Z", "inc_000600"), (0L, "2026-01-01T00:10:00.000Z", "cmd_000600") })
        {
            var plan = Plan(connection, sql, ("$venue", "ven_1"), ("$device", "dev_3"), ("$open", 0), ("$resolved", resolved), ("$opened", after),
                ("$issued", after), ("$id", id), ("$limit", 51));
            Assert.Contains($"USING INDEX {index} (", plan, StringComparison.Ordinal);
            Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void One_screens_incidents_read_through_its_index_are_that_screens_open_first_then_newest()
    {
        using var connection = Seeded(analyzed: false);
        var firstPage = AdminEndpoints.Incidents(connection, "ven_1", "dev_3", openOnly: false, limit: 20);
        var expected = connection.Query("""
            SELECT incident_id FROM incident NOT INDEXED WHERE venue_id = 'ven_1' AND device_id = 'dev_3'
            ORDER BY resolved_at_utc IS NOT NULL, opened_at_utc DESC, incident_id DESC LIMIT 20;
            """, null, r => r.GetString(0));
        Assert.Equal(20, firstPage.Count);
        Assert.Equal(expected, firstPage.Select(i => i.IncidentId));
        Assert.All(firstPage, i => Assert.Equal("dev_3", i.DeviceId));
    }

    [Fact]
    public void Migration_12_keeps_every_incident_and_command_and_replaces_the_venue_index()
    {
        var database = new Database(_temp.Combine("m.db"));
        using (var connection = database.Open())
        {
            Execute(connection, "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at_utc TEXT NOT NULL) STRICT;");
            foreach (var migration in Migrator.All.Where(m => m.Version <= 11))
            {
                Execute(connection, migration.Sql);
                Execute(connection, $"INSERT INTO schema_migrations VALUES ({migration.Version}, '{migration.Name}', '2026-01-01T00:00:00.000Z');");
            }
            Fill(connection, 300);
        }

        Assert.Equal(Migrator.All.Count - 11, Migrator.Migrate(database));
        using var migrated = database.Open();
        Assert.Equal(300L, migrated.Scalar<long>("SELECT count(*) FROM incident;", null));
        Assert.Equal(300L, migrated.Scalar<long>("SELECT count(*) FROM device_command;", null));
        Assert.Equal(["device_command_by_issue", "incident_by_device", "incident_by_venue"], migrated.Query("""
            SELECT name FROM sqlite_schema WHERE type = 'index' AND name IN ('incident_by_venue', 'incident_by_device', 'device_command_by_issue') ORDER BY name;
            """, null, r => r.GetString(0)));
        Assert.Equal("ok", migrated.Scalar<string>("PRAGMA integrity_check;", null));
    }

    /// <summary>A migrated database with incidents and commands over two venues and six screens; ANALYZE when asked.</summary>
    private SqliteConnection Seeded(bool analyzed)
    {
        var database = new Database(_temp.Combine($"plan-{analyzed}.db"));
        Migrator.Migrate(database);
        var connection = database.Open();
        Fill(connection, 5000);
        if (analyzed) Execute(connection, "ANALYZE;");
        return connection;
    }

    /// <summary><paramref name="rows"/> incidents (one in 20 still open) and as many commands, a second apart, spread
    /// over two venues and six screens. Only the lists' tables matter here, so the screens themselves are not made
    /// (foreign keys off while filling; the pages' join to the screen's name is a LEFT JOIN).</summary>
    private static void Fill(SqliteConnection connection, int rows)
    {
        Execute(connection, $"""
            PRAGMA foreign_keys = OFF;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {rows - 1})
            INSERT INTO incident (incident_id, venue_id, device_id, type, severity, opened_at_utc, resolved_at_utc)
            SELECT printf('inc_%06d', i), 'ven_' || (i % 2), 'dev_' || (i % 6), printf('KIND_%06d', i), 'WARNING',
                strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds'),
                CASE WHEN i % 20 = 0 THEN NULL ELSE '2026-06-01T00:00:00.000Z' END
            FROM n;
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {rows - 1})
            INSERT INTO device_command (command_id, device_id, venue_id, command_type, status, issued_at_utc, expires_at_utc)
            SELECT printf('cmd_%06d', i), 'dev_' || (i % 6), 'ven_' || (i % 2), 'REBOOT', 'EXPIRED',
                strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds'), '2026-01-02T00:00:00.000Z'
            FROM n;
            PRAGMA foreign_keys = ON;
            """);
    }

    private static string Plan(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value); // a name the query lacks is ignored
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read()) lines.Add(reader.GetString(3));
        return string.Join('\n', lines);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
