using System.Buffers;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Polly;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Contracts;

namespace Signage.Appliance.Sync;

/// <summary>
/// Sends what the hub has not seen yet, oldest first, in batches of at most Hub:BatchSize records
/// (SyncProtocol.MaxRecordsPerBatch), from two queues:
/// <list type="bullet">
/// <item>the <c>outbox</c> table (device events, statuses, replica marks): a batch's rows are
/// deleted only after the hub answered 2xx for it, and only those rows (by their seq);</item>
/// <item>plays, read straight from <c>proof_of_play</c> in <c>play_seq</c> order after the cursor
/// <c>play_upload.sent_through</c>, rendered as PlayRecord JSON when sent, and the cursor moved past
/// a batch in one UPDATE only after the hub answered 2xx for it (migration 0009: no outbox row per
/// play, nothing to delete per play).</item>
/// </list>
/// A sync cut anywhere (network, kill -9) therefore loses nothing: the unacknowledged batch is sent
/// again and the hub, which stores each record id once, counts it as duplicates.
/// </summary>
public sealed class OutboxSender(Database database, HubClient client, SyncSettings settings, ScreenPresence presence, IClock clock)
{
    /// <summary>What a drain did; HubSeconds = time spent waiting for the hub (the rest is local work).</summary>
    public sealed record Result(long Sent, long Accepted, long Duplicates, double HubSeconds);

    private sealed record Row(long Seq, string RecordId, string Kind, string? EntityId, string OccurredAtUtc, string? DataJson);

    /// <summary>One batch ready to go: the key of its last row, its request body, and what to do once the hub stored it.</summary>
    private sealed record Batch(long Last, int Rows, ArrayBufferWriter<byte> Body, int Records, Action<SqliteConnection> Acknowledge);

    /// <summary>Drains the outbox, then the plays. Each queue sends batch after batch, one request in
    /// flight at a time so the hub receives them in order; while the hub stores one, the next is read
    /// and serialized here (the two costs overlap instead of adding).</summary>
    public async Task<Result> DrainAsync(HubConnection hub, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var backlog = HubConnection.Backlog(connection);
        ArrayBufferWriter<byte>[] buffers = [new(4 * 1024 * 1024), new(4 * 1024 * 1024)];
        var totals = new Totals();
        var waiting = new System.Diagnostics.Stopwatch();
        await DrainAsync(connection, hub, pipeline, buffers, waiting, totals,
            (after, body) => NextFromOutbox(connection, hub, after, body, ref backlog), cancellationToken);
        var cursor = PlayCursor(connection);
        await DrainAsync(connection, hub, pipeline, buffers, waiting, totals,
            (after, body) => NextPlays(connection, Math.Max(after, cursor), body, ref backlog), cancellationToken);
        return new Result(totals.Sent, totals.Accepted, totals.Duplicates, waiting.Elapsed.TotalSeconds);
    }

    private sealed class Totals
    {
        public long Sent, Accepted, Duplicates;
    }

    private delegate Batch? NextBatch(long after, ArrayBufferWriter<byte> body);

    private async Task DrainAsync(SqliteConnection connection, HubConnection hub, ResiliencePipeline pipeline, ArrayBufferWriter<byte>[] buffers,
        System.Diagnostics.Stopwatch waiting, Totals totals, NextBatch next, CancellationToken cancellationToken)
    {
        var batch = next(0, buffers[0]);
        for (var turn = 1; batch is not null; turn++)
        {
            Task<SyncUpResponse>? sending = null;
            if (batch.Records > 0)
            {
                waiting.Start();
                sending = pipeline.ExecuteAsync(static async (state, token) =>
                    await state.client.SendBatchAsync(state.hub.Link, state.body.WrittenMemory, token), (client, hub, body: batch.Body), cancellationToken).AsTask();
            }
            var following = next(batch.Last, buffers[turn % 2]);
            if (sending is not null)
            {
                // A failure throws here: this batch stays queued (and the one read ahead is simply not sent).
                var answer = await sending;
                waiting.Stop();
                totals.Accepted += answer.Accepted;
                totals.Duplicates += answer.Duplicates;
            }
            // Acknowledged (or only replica marks whose entity is gone): forget exactly this batch.
            batch.Acknowledge(connection);
            totals.Sent += batch.Records;
            batch = following;
        }
    }

    /// <summary>The oldest outbox rows after <paramref name="after"/>, serialized into <paramref name="body"/>; null when none are left.</summary>
    private Batch? NextFromOutbox(SqliteConnection connection, HubConnection hub, long after, ArrayBufferWriter<byte> body, ref long backlog)
    {
        var rows = connection.Query("SELECT seq, record_id, kind, entity_id, occurred_at_utc, data_json FROM outbox WHERE seq > $after ORDER BY seq LIMIT $limit;", null,
            r => new Row(r.GetInt64(0), r.GetString(1), r.GetString(2), r.NullableString(3), r.GetString(4), r.NullableString(5)),
            ("$after", after), ("$limit", settings.BatchSize));
        if (rows.Count == 0) return null;
        // The backlog the hub shows for this appliance: what is left after this batch (counted once per
        // drain, then kept up to date here; rows written meanwhile show in the next drain's count).
        backlog = Math.Max(0, backlog - rows.Count);
        body.ResetWrittenCount();
        var seqs = JsonSerializer.Serialize(rows.Select(r => r.Seq).ToArray(), SyncJsonContext.Default.Int64Array);
        return new Batch(rows[^1].Seq, rows.Count, body, WriteOutbox(body, connection, hub, rows, backlog),
            c => c.Execute("DELETE FROM outbox WHERE seq IN (SELECT value FROM json_each($seqs));", null, ("$seqs", seqs)));
    }

    /// <summary>Writes a SyncUpRequest by hand: the records' data is already JSON text in the outbox,
    /// so it is copied in raw instead of being parsed and serialized again.</summary>
    private int WriteOutbox(IBufferWriter<byte> body, SqliteConnection connection, HubConnection hub, List<Row> rows, long backlog)
    {
        var now = clock.GetCurrentInstant();
        using var json = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
        var records = 0;
        json.WriteStartObject();
        json.WriteStartArray("records");
        foreach (var row in rows)
        {
            var data = row.DataJson ?? Replicas.Render(connection, row.Kind, row.EntityId ?? "", hub.VenueId, presence, now);
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

    /// <summary>The plays after <paramref name="after"/> (play_seq), written as PLAY records (Signage.Contracts
    /// PlayRecord, keyed by event id, occurred at the play's start) into <paramref name="body"/>; null when none are left.</summary>
    private Batch? NextPlays(SqliteConnection connection, long after, ArrayBufferWriter<byte> body, ref long backlog)
    {
        using var command = connection.Command("""
            SELECT play_seq, event_id, event_type, device_id, campaign_id, playlist_id, asset_id, content_sha256, device_time_utc, server_received_utc,
                started_at_utc, local_date, duration_ms, result, clock_suspect
            FROM proof_of_play WHERE play_seq > $after ORDER BY play_seq LIMIT $limit;
            """, null, ("$after", after), ("$limit", settings.BatchSize));
        using var reader = command.ExecuteReader();
        body.ResetWrittenCount();
        using var json = new Utf8JsonWriter(body, new JsonWriterOptions { SkipValidation = true });
        json.WriteStartObject();
        json.WriteStartArray("records");
        long last = 0;
        var records = 0;
        while (reader.Read())
        {
            last = reader.GetInt64(0);
            records++;
            var startedAt = reader.GetString(10);
            json.WriteStartObject();
            json.WriteString("recordId", reader.GetString(1));
            json.WriteString("kind", SyncProtocol.RecordKinds.Play);
            json.WriteString("occurredAtUtc", startedAt);
            json.WriteStartObject("data");
            json.WriteString("eventId", reader.GetString(1));
            json.WriteString("eventType", reader.GetString(2));
            json.WriteString("deviceId", reader.GetString(3));
            Text(json, "campaignId", reader, 4);
            json.WriteString("playlistId", reader.GetString(5));
            json.WriteString("assetId", reader.GetString(6));
            Text(json, "contentSha256", reader, 7);
            json.WriteString("deviceTimeUtc", reader.GetString(8));
            json.WriteString("serverReceivedUtc", reader.GetString(9));
            json.WriteString("startedAtUtc", startedAt);
            json.WriteString("localDate", reader.GetString(11));
            if (reader.IsDBNull(12)) json.WriteNull("durationMs");
            else json.WriteNumber("durationMs", reader.GetInt64(12));
            Text(json, "result", reader, 13);
            json.WriteBoolean("clockSuspect", reader.GetInt64(14) == 1);
            json.WriteEndObject();
            json.WriteEndObject();
        }
        if (records == 0) return null;
        backlog = Math.Max(0, backlog - records);
        json.WriteEndArray();
        json.WriteNumber("backlog", backlog);
        json.WriteEndObject();
        json.Flush();
        return new Batch(last, records, body, records,
            c => c.Execute("UPDATE play_upload SET sent_through = MAX(sent_through, $last);", null, ("$last", last)));
    }

    private static void Text(Utf8JsonWriter json, string name, SqliteDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal)) json.WriteNull(name);
        else json.WriteString(name, reader.GetString(ordinal));
    }

    private static long PlayCursor(SqliteConnection connection) => connection.Scalar<long>("SELECT sent_through FROM play_upload;", null);

    /// <summary>While standalone, the outbox and the plays not yet uploaded keep the last
    /// Hub:OutboxRetentionDays of history for a later enrollment: older outbox rows are deleted, and
    /// the play cursor moves to just before the first play received since then (play_seq follows
    /// receipt, so only the old plays are read). Returns the records let go.</summary>
    public int Trim(SqliteConnection connection)
    {
        var cutoff = Sql.Utc(clock.GetCurrentInstant() - Duration.FromDays(settings.OutboxRetentionDays));
        using var transaction = connection.BeginTransaction();
        var trimmed = connection.Execute("DELETE FROM outbox WHERE occurred_at_utc < $cutoff;", transaction, ("$cutoff", cutoff));
        var before = connection.Scalar<long>("SELECT sent_through FROM play_upload;", transaction);
        var after = connection.Scalar<long?>("""
            SELECT COALESCE(
                (SELECT play_seq - 1 FROM proof_of_play WHERE play_seq > $cursor AND server_received_utc >= $cutoff ORDER BY play_seq LIMIT 1),
                (SELECT MAX(play_seq) FROM proof_of_play));
            """, transaction, ("$cursor", before), ("$cutoff", cutoff));
        if (after is { } moved && moved > before)
        {
            trimmed += (int)connection.Scalar<long>("SELECT COUNT(*) FROM proof_of_play WHERE play_seq > $before AND play_seq <= $after;", transaction,
                ("$before", before), ("$after", moved));
            connection.Execute("UPDATE play_upload SET sent_through = $after;", transaction, ("$after", moved));
        }
        transaction.Commit();
        return trimmed;
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(long[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class SyncJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
