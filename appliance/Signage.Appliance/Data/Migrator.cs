using System.Globalization;
using System.Reflection;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Hosting;

namespace Signage.Appliance.Data;

/// <summary>
/// Applies the numbered SQL migrations embedded in the binary (Data/Migrations/NNNN_name.sql),
/// each exactly once, all pending ones in one transaction: a crash mid-way leaves the database as
/// it was. <c>schema_migrations</c> records what ran and when.
/// </summary>
public static class Migrator
{
    private const string ResourcePrefix = "migrations/";

    public sealed record Migration(int Version, string Name, string Sql);

    /// <summary>The embedded migrations in version order.</summary>
    public static IReadOnlyList<Migration> All { get; } = Load();

    public static int LatestVersion => All[^1].Version;

    /// <summary>Brings the database up to <see cref="LatestVersion"/>; returns how many migrations ran.</summary>
    /// <exception cref="StartupException">The file is not a database, or a newer appliance wrote it.</exception>
    public static int Migrate(Database database)
    {
        try
        {
            using var connection = database.Open();
            Execute(connection, null, "PRAGMA journal_mode = WAL;");
            using var transaction = connection.BeginTransaction();
            Execute(connection, transaction, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version         INTEGER PRIMARY KEY,
                    name            TEXT NOT NULL,
                    applied_at_utc  TEXT NOT NULL
                ) STRICT;
                """);
            var current = CurrentVersion(connection, transaction);
            if (current > LatestVersion)
            {
                throw new StartupException(
                    $"Database '{database.Path}' has schema version {current}, newer than this appliance knows ({LatestVersion}): " +
                    "it was written by a newer release. Install that release again, or restore a backup made by this one.");
            }
            var pending = All.Where(m => m.Version > current).ToList();
            foreach (var migration in pending)
            {
                Execute(connection, transaction, migration.Sql);
                using var record = connection.CreateCommand();
                record.Transaction = transaction;
                record.CommandText = "INSERT INTO schema_migrations (version, name, applied_at_utc) VALUES ($version, $name, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));";
                record.Parameters.AddWithValue("$version", migration.Version);
                record.Parameters.AddWithValue("$name", migration.Name);
                record.ExecuteNonQuery();
            }
            transaction.Commit();
            return pending.Count;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 26 /* SQLITE_NOTADB */ or 11 /* SQLITE_CORRUPT */)
        {
            throw new StartupException($"'{database.Path}' is not a usable SQLite database ({e.Message.TrimEnd('.')}). Move it aside or restore a backup.", e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 8 /* SQLITE_READONLY */ or 14 /* SQLITE_CANTOPEN */ or 23 /* SQLITE_AUTH */)
        {
            throw new StartupException($"Database '{database.Path}' cannot be opened for writing ({e.Message.TrimEnd('.')}).", e);
        }
    }

    public static int CurrentVersion(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static List<Migration> Load()
    {
        var assembly = Assembly.GetExecutingAssembly();
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..^".sql".Length];
            var version = int.Parse(name[..name.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            migrations.Add(new Migration(version, name, reader.ReadToEnd()));
        }
        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        return migrations;
    }
}
