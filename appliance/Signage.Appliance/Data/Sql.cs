using System.Globalization;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;

namespace Signage.Appliance.Data;

/// <summary>
/// The little that every feature's plain SQL needs: run a statement with named parameters, read
/// rows with a mapping function, and store instants as sortable UTC text.
/// </summary>
public static class Sql
{
    private static readonly InstantPattern UtcPattern = InstantPattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm':'ss.fff'Z'");

    public static string Utc(Instant instant) => UtcPattern.Format(instant);

    public static Instant ParseUtc(string text) => UtcPattern.Parse(text).GetValueOrThrow();

    public static Instant? ParseUtcOrNull(string? text) => text is null ? null : ParseUtc(text);

    public static SqliteCommand Command(this SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    public static int Execute(this SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string, object?)[] parameters)
    {
        using var command = connection.Command(sql, transaction, parameters);
        return command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(this SqliteConnection connection, string sql, SqliteTransaction? transaction, params (string, object?)[] parameters)
    {
        using var command = connection.Command(sql, transaction, parameters);
        var value = command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public static List<T> Query<T>(this SqliteConnection connection, string sql, SqliteTransaction? transaction, Func<SqliteDataReader, T> map, params (string, object?)[] parameters)
    {
        using var command = connection.Command(sql, transaction, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read()) rows.Add(map(reader));
        return rows;
    }

    public static T? QuerySingle<T>(this SqliteConnection connection, string sql, SqliteTransaction? transaction, Func<SqliteDataReader, T> map, params (string, object?)[] parameters)
        where T : class =>
        connection.Query(sql, transaction, map, parameters).FirstOrDefault();

    public static string? NullableString(this SqliteDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <summary>
    /// A statement compiled once and run many times with positional values (the event writer's hot
    /// path: compiling costs more than running a small INSERT). Set its Transaction before use.
    /// </summary>
    public static SqliteCommand Prepare(this SqliteConnection connection, string sql, params string[] parameterNames)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameterNames) command.Parameters.Add(new SqliteParameter(name, DBNull.Value));
        return command;
    }

    public static int Run(this SqliteCommand command, params object?[] values)
    {
        Bind(command, values);
        return command.ExecuteNonQuery();
    }

    public static T? QueryFirst<T>(this SqliteCommand command, Func<SqliteDataReader, T> map, params object?[] values)
    {
        Bind(command, values);
        using var reader = command.ExecuteReader();
        return reader.Read() ? map(reader) : default;
    }

    private static void Bind(SqliteCommand command, object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
    }
}

/// <summary>
/// A statement compiled once on a connection's own SQLite handle and run with values bound by
/// position: the event writer's per-play inserts, run hundreds of thousands of times a minute.
/// Below Microsoft.Data.Sqlite's per-call work (a reader object, each parameter looked up by name,
/// two UTF-8 copies per text value), which cost more than SQLite's own insert here
/// (docs/PERFORMANCE.md). It runs inside whatever transaction the connection has open; failures
/// throw <see cref="SqliteException"/> with SQLite's error code, like any other statement.
/// </summary>
public sealed class RawStatement : IDisposable
{
    private readonly SQLitePCL.sqlite3 _db;
    private readonly SQLitePCL.sqlite3_stmt _statement;

    // What each parameter holds now. SQLite keeps bindings across runs (sqlite3_reset does not clear
    // them), and most values repeat from one play to the next (screen, venue, playlist, asset, day),
    // so a value equal to the one bound is not bound again: a text bind costs a UTF-8 copy, a
    // malloc and the connection's mutex, more than comparing a short string.
    private readonly string?[] _texts;
    private readonly long?[] _numbers;
    private readonly bool[] _bound;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("Open the connection first.");
        Check(SQLitePCL.raw.sqlite3_prepare_v2(_db, sql, out _statement));
        var count = SQLitePCL.raw.sqlite3_bind_parameter_count(_statement) + 1;
        (_texts, _numbers, _bound) = (new string?[count], new long?[count], new bool[count]);
    }

    /// <summary>Binds the 1-based parameter <paramref name="index"/>.</summary>
    public RawStatement Bind(int index, string? value)
    {
        if (_bound[index] && _numbers[index] is null && string.Equals(_texts[index], value, StringComparison.Ordinal)) return this;
        Check(value is null ? SQLitePCL.raw.sqlite3_bind_null(_statement, index) : SQLitePCL.raw.sqlite3_bind_text(_statement, index, value));
        (_texts[index], _numbers[index], _bound[index]) = (value, null, true);
        return this;
    }

    public RawStatement Bind(int index, long? value)
    {
        if (_bound[index] && _texts[index] is null && _numbers[index] == value) return this;
        Check(value is { } number ? SQLitePCL.raw.sqlite3_bind_int64(_statement, index, number) : SQLitePCL.raw.sqlite3_bind_null(_statement, index));
        (_texts[index], _numbers[index], _bound[index]) = (null, value, true);
        return this;
    }

    /// <summary>Runs the statement once with the values bound; returns the rows it changed.</summary>
    public int Run()
    {
        var result = SQLitePCL.raw.sqlite3_step(_statement);
        SQLitePCL.raw.sqlite3_reset(_statement);
        if (result != SQLitePCL.raw.SQLITE_DONE) Check(result);
        return SQLitePCL.raw.sqlite3_changes(_db);
    }

    public void Dispose() => _statement.Dispose();

    private void Check(int result)
    {
        if (result is not (SQLitePCL.raw.SQLITE_OK or SQLitePCL.raw.SQLITE_DONE or SQLitePCL.raw.SQLITE_ROW))
            throw new SqliteException($"SQLite Error {result}: '{SQLitePCL.raw.sqlite3_errmsg(_db).utf8_to_string()}'.", result, SQLitePCL.raw.sqlite3_extended_errcode(_db));
    }
}

/// <summary>Readable, sortable, prefixed ids: <c>usr_0193…</c> (UUIDv7, so ids sort by creation).</summary>
public static class Ids
{
    public static string New(string prefix) => $"{prefix}_{Guid.CreateVersion7():N}";
}
