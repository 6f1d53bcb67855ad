using System.Reflection;
using Npgsql;

namespace Signage.CloudHub.Data;

/// <summary>
/// Applies the embedded <c>Data/Migrations/NNNN_name.sql</c> files in order, each once, all in one
/// transaction. A transaction-scoped advisory lock makes replicas that start together take turns:
/// the first applies, the others then find nothing left to do.
/// </summary>
public static class Migrator
{
    /// <summary>Advisory lock key for schema changes (any constant unique to this use).</summary>
    public const long LockKey = 0x5167_4875_6201;

    private static readonly (int Version, string Name, string Sql)[] Migrations = Load();

    public static int LatestVersion => Migrations.Length == 0 ? 0 : Migrations[^1].Version;

    public static async Task<int> MigrateAsync(HubDatabase database, CancellationToken cancellationToken = default) =>
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@key);", transaction, ("key", LockKey));
            await connection.ExecuteAsync("""
                CREATE TABLE IF NOT EXISTS schema_migration (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """, transaction);
            var applied = (await connection.QueryAsync("SELECT version FROM schema_migration;", transaction, r => r.GetInt32(0))).ToHashSet();
            var count = 0;
            foreach (var (version, name, sql) in Migrations.Where(m => !applied.Contains(m.Version)))
            {
                await connection.ExecuteAsync(sql, transaction);
                await connection.ExecuteAsync("INSERT INTO schema_migration (version, name) VALUES (@version, @name);", transaction,
                    ("version", version), ("name", name));
                count++;
            }
            return count;
        }, cancellationToken);

    private static (int, string, string)[] Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        return [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith("migrations/", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n =>
            {
                var file = n["migrations/".Length..^".sql".Length];
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                return (int.Parse(file[..4], System.Globalization.CultureInfo.InvariantCulture), file, reader.ReadToEnd());
            })
            .OrderBy(m => m.Item1)];
    }
}
