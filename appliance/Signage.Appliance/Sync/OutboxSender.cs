using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Polly;
using Signage.Appliance.Data;
using Signage.Contracts;

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
    /// <summary>What a drain did; HubSeconds = time spent waiting for the hub (the rest is local work).</summary>
    public sealed record Result(long Sent, long Accepted, long Duplicates, double HubSeconds);

    private sealed record Row(long Seq, string RecordId, string Kind, string? EntityId, string OccurredAtUtc, string? DataJson);

    /// <summary>One batch ready to go: its rows (deleted after the hub's 2xx) and its request body.</summary>
    private sealed record Batch(List<Row> Rows, ArrayBufferWriter<byte> Body, int Records);

    /// <summary>
    /// Sends batch after batch, one request in flight at a time so the hub receives them in order; while
    /// the hub stores one, the next is read and serialized here (the two costs overlap instead of adding).
    /// </summary>
    public async Task<Result> DrainAsync(HubConnection hub, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var backlog = HubConnection.Backlog(connection);
        ArrayBufferWriter<byte>[] buffers = [new(4 * 1024 * 1024), new(4 * 1024 * 1024)];
        long sent = 0, accepted = 0, duplicates = 0;
        var waiting = new System.Diagnostics.Stopwatch();
        var batch = Next(connection, hub, after: 0, buffers[0], ref backlog);
        for (var turn = 1; batch is not null; turn++)
        {
            Task<SyncUpResponse>? sending = null;
            if (batch.Records > 0)
            {
                waiting.Start();
                sending = pipeline.ExecuteAsync(static async (state, token) =>
                    await state.client.SendBatchAsync(state.hub.Link, state.body.WrittenMemory, token), (client, hub, body: batch.Body), cancellationToken).AsTask();
            }
            var next = Next(connection, hub, after: batch.Rows[^1].Seq, buffers[turn % 2], ref backlog);
            if (sending is not null)
            {
                // A failure throws here: this batch stays in the outbox (and the one read ahead is simply not sent).
                var answer = await sending;
                waiting.Stop();
                accepted += answer.Accepted;
                duplicates += answer.Duplicates;
            }
            // Acknowledged (or only replica marks whose entity is gone): forget exactly these rows.
            connection.Execute("DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each($seqs));", null,
                ("$seqs", JsonSerializer.Serialize(batch.Rows.Select(r => r.Seq).ToArray(), SyncJsonContext.Default.Int64Array)));
            sent += batch.Records;
            batch = next;
        }
        return new Result(sent, accepted, duplicates, waiting.Elapsed.TotalSeconds);
    }

    /// <summary>The oldest rows after <paramref name="after"/>, serialized into <paramref name="body"/>; null when none are left.</summary>
    private Batch? Next(SqliteConnection connection, HubConnection hub, long after, ArrayBufferWriter<byte> body, ref long backlog)
    {
        var rows = connection.Query("SELECT seq, record_id, kind, entity_id, occurred_at_utc, data_json FROM outbox WHERE seq > $after ORDER BY seq LIMIT $limit;", null,
            r => new Row(r.GetInt64(0), r.GetString(1), r.GetString(2), r.NullableString(3), r.GetString(4), r.NullableString(5)),
            ("$after", after), ("$limit", settings.BatchSize));
        if (rows.Count == 0) return null;
        // The backlog the hub shows for this appliance: what is left after this batch (counted once per
        // drain, then kept up to date here; rows written meanwhile show in the next drain's count).
        backlog = Math.Max(0, backlog - rows.Count);
        body.ResetWrittenCount();
        return new Batch(rows, body, Write(body, connection, hub, rows, backlog));
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
