using Microsoft.Data.Sqlite;

namespace Signage.Appliance.Data;

/// <summary>
/// The appliance's one SQLite database. Connections are pooled; every connection gets the same
/// settings, written here once:
/// <list type="bullet">
/// <item>WAL journal (set once, persistent in the file): readers never block the writer.</item>
/// <item><c>synchronous = FULL</c>: a transaction that has committed survives power loss, which is
/// what a 2xx to a screen or a person promises. Measured cost here: ~2,600 commits/s.</item>
/// <item>Foreign keys on (off by default in SQLite).</item>
/// <item>Busy waits up to 30 s instead of failing at once when another connection writes.</item>
/// </list>
/// Write transactions use <c>BEGIN IMMEDIATE</c> (<see cref="SqliteConnection.BeginTransaction()"/>'s
/// default), so two writers queue instead of deadlocking on a lock upgrade.
/// </summary>
public sealed class Database
{
    /// <summary>
    /// Before SQLite's first use in the process: multi-thread mode (no mutex per connection, taken on
    /// every call; safe because ADO.NET never uses one connection on two threads at once) and no
    /// memory statistics (a global mutex on every malloc and free). Together those locks were ~4 % of
    /// the event writer's time (perf, docs/PERFORMANCE.md). Too late once SQLite has started (a
    /// test process): it then keeps its defaults, which are only slower.
    /// </summary>
    static Database()
    {
        _ = new SqliteConnection(); // its static constructor picks SQLitePCL's native provider
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MULTITHREAD);
        SQLitePCL.raw.sqlite3_config(SQLitePCL.raw.SQLITE_CONFIG_MEMSTATUS, 0);
    }

    public Database(string path)
    {
        Path = path;
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        Configure(connection);
        return connection;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        Configure(connection);
        return connection;
    }

    private static void Configure(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous = FULL;";
        command.ExecuteNonQuery();
    }
}
