using Npgsql;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>Migration 0004 (issue 16) on a database made by the previous release's schema (migrations 1 to 3, applied as its
/// migrator did): the hub's start rebuilds play_daily from the stored plays so only COMPLETED PLAY_ENDs are plays.</summary>
public sealed class PlaysByResultMigrationTests
{
    [Fact]
    public async Task Migration_4_rebuilds_play_daily_from_the_stored_plays_so_only_completed_play_ends_are_plays()
    {
        var postgres = await PostgresServer.SharedAsync();
        var connectionString = await postgres.CreateDatabaseAsync("hub_v3");
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "CREATE TABLE schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());");
            foreach (var file in Directory.GetFiles(MigrationsFolder(), "*.sql").Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileNameWithoutExtension(file);
                if (int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture) > 3) continue;
                await ExecuteAsync(connection, await File.ReadAllTextAsync(file));
                await ExecuteAsync(connection, $"INSERT INTO schema_migration (version, name) VALUES ({int.Parse(name[..4], System.Globalization.CultureInfo.InvariantCulture)}, '{name}');");
            }
            // What release 3 held: a venue's plays of every result, and play_daily counting every PLAY_END as a play.
            await ExecuteAsync(connection, """
                INSERT INTO tenant (tenant_id, name, created_at) VALUES ('ten_1', 'Old', now());
                CREATE TABLE play_2026_11 PARTITION OF play FOR VALUES FROM ('2026-11-01') TO ('2026-12-01');
                INSERT INTO play (venue_id, record_id, local_date, tenant_id, appliance_id, event_id, event_type, device_id, campaign_id, playlist_id, asset_id,
                    started_at, duration_ms, result, clock_suspect, received_at) VALUES
                    ('ven_1', 'r1', '2026-11-20', 'ten_1', 'app_1', 'r1', 'PLAY_END', 'dev_1', 'cmp_1', 'pl_1', 'ast_1', '2026-11-20T12:00:00Z', 10000, 'COMPLETED', false, now()),
                    ('ven_1', 'r2', '2026-11-20', 'ten_1', 'app_1', 'r2', 'PLAY_END', 'dev_1', 'cmp_1', 'pl_1', 'ast_1', '2026-11-20T12:00:10Z', 10000, 'COMPLETED', false, now()),
                    ('ven_1', 'r3', '2026-11-20', 'ten_1', 'app_1', 'r3', 'PLAY_END', 'dev_1', 'cmp_1', 'pl_1', 'ast_1', '2026-11-20T12:00:20Z', 4000, 'INTERRUPTED', false, now()),
                    ('ven_1', 'r4', '2026-11-20', 'ten_1', 'app_1', 'r4', 'PLAY_END', 'dev_1', 'cmp_1', 'pl_1', 'ast_1', '2026-11-20T12:00:24Z', 2000, 'ERROR', false, now()),
                    ('ven_1', 'r5', '2026-11-20', 'ten_1', 'app_1', 'r5', 'PLAY_END', 'dev_1', 'cmp_1', 'pl_1', 'ast_1', '2026-11-20T12:00:26Z', 0, 'SKIPPED', false, now()),
                    ('ven_1', 'r6', '2026-11-20', 'ten_1', 'app_1', 'r6', 'PLAY_START', 'dev_1', 'cmp_1', 'pl_1', 'ast_1', '2026-11-20T12:00:26Z', NULL, NULL, false, now()),
                    ('ven_1', 'r7', '2026-11-21', 'ten_1', 'app_1', 'r7', 'PLAY_END', 'dev_2', NULL, 'pl_1', 'ast_2', '2026-11-21T12:00:00Z', 0, 'SKIPPED', false, now());
                INSERT INTO play_daily (tenant_id, venue_id, local_date, campaign_id, asset_id, device_id, plays, total_duration_ms) VALUES
                    ('ten_1', 'ven_1', '2026-11-20', 'cmp_1', 'ast_1', 'dev_1', 5, 26000),
                    ('ten_1', 'ven_1', '2026-11-21', '', 'ast_2', 'dev_2', 1, 0);
                """);
        }

        var dataDirectory = Directory.CreateTempSubdirectory("signage-hub-").FullName;
        try
        {
            await using (await HubProcess.StartAsync(connectionString, dataDirectory)) { } // migrates at start

            await using var migrated = new NpgsqlConnection(connectionString);
            await migrated.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT string_agg(concat_ws(':', local_date, asset_id, plays, total_duration_ms, interrupted, interrupted_duration_ms, failed, skipped), ' '
                    ORDER BY local_date, asset_id)
                FROM play_daily;
                """, migrated);
            // date:asset:plays:duration:interrupted:interruptedMs:failed:skipped
            Assert.Equal("2026-11-20:ast_1:2:20000:1:4000:1:1 2026-11-21:ast_2:0:0:0:0:0:1", await command.ExecuteScalarAsync());
            await using var version = new NpgsqlCommand("SELECT max(version) FROM schema_migration;", migrated);
            Assert.True((int)(await version.ExecuteScalarAsync())! >= 4);
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string MigrationsFolder()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Appliance.sln"))) root = root.Parent;
        return Path.Combine(root?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Appliance.sln)."),
            "cloud-hub", "Signage.CloudHub", "Data", "Migrations");
    }
}
