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

/// <summary>Readable, sortable, prefixed ids: <c>usr_0193…</c> (UUIDv7, so ids sort by creation).</summary>
public static class Ids
{
    public static string New(string prefix) => $"{prefix}_{Guid.CreateVersion7():N}";
}
