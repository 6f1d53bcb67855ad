using Signage.Player.Core.Cache;
using Signage.Player.Core.Commands;
using Signage.Player.Core.Telemetry;
using SQLite;

namespace Signage.Player.Core.Storage;

/// <summary>The player's one SQLite file (sqlite-net). Every call runs under one lock, so the loops that
/// share it never interleave a transaction.</summary>
public sealed class PlayerDatabase : IDisposable
{
    private readonly SQLiteConnection _connection;
    private readonly Lock _gate = new();

    public PlayerDatabase(string path)
    {
        _connection = new SQLiteConnection(new SQLiteConnectionString(path,
            SQLiteOpenFlags.ReadWrite | SQLiteOpenFlags.Create | SQLiteOpenFlags.FullMutex, storeDateTimeAsTicks: true));
        // WAL: readers never block the writer. synchronous=FULL: a recorded play is on disk before
        // Record returns, so a power cut right after a PLAY_END does not lose it.
        _connection.ExecuteScalar<string>("PRAGMA journal_mode=WAL");
        _connection.Execute("PRAGMA synchronous=FULL");
        _connection.BusyTimeout = TimeSpan.FromSeconds(10);
        _connection.CreateTable<StateValueRow>();
        _connection.CreateTable<QueuedEventRow>();
        _connection.CreateTable<CachedAssetRow>();
        _connection.CreateTable<ProcessedCommandRow>();
        _connection.CreateTable<OpenPlayRow>();
    }

    public T Read<T>(Func<SQLiteConnection, T> query)
    {
        lock (_gate)
        {
            return query(_connection);
        }
    }

    /// <summary>Runs <paramref name="change"/> in one transaction.</summary>
    public T Write<T>(Func<SQLiteConnection, T> change)
    {
        lock (_gate)
        {
            T result = default!;
            _connection.RunInTransaction(() => result = change(_connection));
            return result;
        }
    }

    public void Write(Action<SQLiteConnection> change) => Write(connection =>
    {
        change(connection);
        return 0;
    });

    public long GetValue(string key) => Read(c => c.Find<StateValueRow>(key)?.Value ?? 0);

    public void Dispose()
    {
        lock (_gate)
        {
            _connection.Close();
            _connection.Dispose();
        }
    }
}
