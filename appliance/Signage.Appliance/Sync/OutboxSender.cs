using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Polly;
using Signage.Appliance.Data;

namespace Signage.Appliance.Sync;

/// <summary>
/// Drains the outbox to the hub oldest first, in batches of at most Hub:BatchSize records
/// (SyncProtocol.MaxRecordsPerBatch). A batch's rows are deleted only after the hub answered 2xx
/// for it, and only those rows (by their seq), so a sync cut anywhere (network, kill -9) loses
/// nothing: the unacknowledged batch is sent again and the hub, which stores each record id once,
/// counts it as duplicates.
/// </summary>
public sealed class OutboxSender(Database database, HubClient client, SyncSettings settings, IClock clock)
{
    public sealed record Result(long Sent, long Accepted, long Duplicates);

    private sealed record Row(long Seq, string RecordId, string Kind, string? EntityId, string OccurredAtUtc, string? DataJson);

    public async Task<Result> DrainAsync(HubConnection hub, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var backlog = HubConnection.Backlog(connection);
        var body = new ArrayBufferWriter<byte>(4 * 1024 * 1024);
        long sent = 0, accepted = 0, duplicates = 0;
        while (true)
        {
            var rows = connection.Query("SELECT seq, record_id, kind, entity_id, occurred_at_utc, data_json FROM outbox ORDER BY seq LIMIT $limit;", null,
                r => new Row(r.GetInt64(0), r.GetString(1), r.GetString(2), r.NullableString(3), r.GetString(4), r.NullableString(5)),
                ("$limit", settings.BatchSize));
            if (rows.Count == 0) break;
            // The backlog the hub shows for this appliance: what is left after this batch (counted once, then
            // kept up to date here; rows written meanwhile show in the next round's count).
            backlog = Math.Max(0, backlog - rows.Count);

            body.ResetWrittenCount();
            var records = Write(body, connection, hub, rows, backlog);
            if (records > 0)
            {
                var answer = await pipeline.ExecuteAsync(static async (state, token) =>
                    await state.client.SendBatchAsync(state.hub.Link, state.body.WrittenMemory, token), (client, hub, body), cancellationToken);
                accepted += answer.Accepted;
                duplicates += answer.Duplicates;
            }
            // Acknowledged (or a replica mark whose entity is gone): forget exactly these rows.
            connection.Execute("DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each($seqs));", null,
                ("$seqs", JsonSerializer.Serialize(rows.Select(r => r.Seq).ToArray(), SyncJsonContext.Default.Int64Array)));
            sent += records;
        }
        return new Result(sent, accepted, duplicates);
    }

    /// <summary>Writes a SyncUpRequest by hand: the records' data is already JSON text in the outbox,
    /// so it is copied in raw instead of being parsed and serialized again (the 1.2 M-play drain).</summary>
    private int Write(IBufferWriter<byte> body, SqliteConnection connection, HubConnection hub, List<Row> rows, long backlog)
    {
        var now = clock.GetCurrentInstant();
        using var json = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
        var records = 0;
        json.WriteStartObject();
        json.WriteStartArray("records");
        foreach (var row in rows)
        {
            var data = row.DataJson ?? Replicas.Render(connection, row.Kind, row.EntityId ?? "", hub.VenueId, now);
            if (data is null) continue;
            json.WriteStartObject();
            json.WriteString("recordId", row.RecordId);
            json.WriteString("kind", row.Kind);
            json.WriteString("occurredAtUtc", row.OccurredAtUtc);
            json.WritePropertyName("data");
            json.WriteRawValue(data, skipInputValidation: true);
            json.WriteEndObject();
            records++;
        }
        json.WriteEndArray();
        json.WriteNumber("backlog", backlog);
        json.WriteEndObject();
        return records;
    }

    /// <summary>While standalone, the outbox keeps the last Hub:OutboxRetentionDays of history for a later enrollment.</summary>
    public int Trim(SqliteConnection connection) =>
        connection.Execute("DELETE FROM outbox WHERE occurred_at_utc < $cutoff;", null,
            ("$cutoff", Sql.Utc(clock.GetCurrentInstant() - Duration.FromDays(settings.OutboxRetentionDays))));
}

[System.Text.Json.Serialization.JsonSerializable(typeof(long[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class SyncJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
