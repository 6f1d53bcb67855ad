using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NodaTime;
using Npgsql;
using NpgsqlTypes;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.CloudHub.Sync;

/// <summary>
/// POST /v1/sync/up: an appliance's outbox batch. The whole batch is checked first (any bad record →
/// 422, nothing stored), then stored in one transaction, and answered only after the commit, so the
/// appliance may delete what it sent. Each record id is stored once per venue: a resent batch is all
/// duplicates, and batches of one appliance may safely arrive concurrently. Plays go in by binary
/// COPY (see <see cref="StorePlaysAsync"/>); the daily aggregates change in the same transaction.
/// </summary>
public static class SyncUpEndpoints
{
    /// <summary>5,000 records of a few hundred bytes each, with room to spare.</summary>
    public const long MaxBatchBytes = 32L * 1024 * 1024;

    public static IEndpointRouteBuilder MapSyncUp(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/sync/up", Receive).RequireAppliance()
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxBatchBytes));
        return app;
    }

    private static async Task<IResult> Receive(HttpRequest http, ApplianceCaller appliance, HubDatabase database, PlayPartitions partitions, IClock clock,
        CancellationToken cancellationToken)
    {
        if (!http.HasJsonContentType())
            return ProblemResponses.Problem(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "Send the batch as application/json.");
        IncomingBatch request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(http.Body, HubJsonContext.Default.IncomingBatch, cancellationToken)
                ?? throw new JsonException("The batch is null.");
        }
        catch (JsonException e)
        {
            return ProblemResponses.Problem(StatusCodes.Status400BadRequest, ProblemCodes.MalformedJson, $"The batch is not a valid SyncUpRequest: {e.Message}");
        }
        if (request.Records.Count > SyncProtocol.MaxRecordsPerBatch)
            return ProblemResponses.Problem(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge,
                $"A batch has at most {SyncProtocol.MaxRecordsPerBatch} records; this one has {request.Records.Count}.");
        if (request.Backlog < 0) return ProblemResponses.Invalid(new() { ["backlog"] = ["backlog cannot be negative."] });
        if (Batch.Read(request.Records) is not { } batch) return InvalidRecord(request.Records);

        await partitions.EnsureAsync(batch.Plays.Select(p => p.LocalDate), cancellationToken);
        var now = clock.GetCurrentInstant().ToDateTimeUtc();
        var accepted = await database.InTransactionAsync(async (connection, transaction) =>
        {
            var stored = await StorePlaysAsync(connection, transaction, appliance, batch.Plays, now, cancellationToken);
            stored += await StoreDeviceEventsAsync(connection, transaction, appliance, batch.DeviceEvents, now);
            stored += await StoreDeviceStatusesAsync(connection, transaction, appliance, batch.Statuses);
            stored += await StoreReplicasAsync(connection, transaction, appliance, batch.Replicas);
            await connection.ExecuteAsync("UPDATE appliance SET last_contact_at = @now, backlog = @backlog WHERE appliance_id = @id;", transaction,
                ("now", now), ("backlog", request.Backlog), ("id", appliance.ApplianceId));
            return stored;
        }, cancellationToken);
        return TypedResults.Ok(new SyncUpResponse(accepted, request.Records.Count - accepted));
    }

    private const string PlayColumns = """
        venue_id, record_id, local_date, tenant_id, appliance_id, event_id, event_type, device_id, campaign_id, playlist_id,
        asset_id, content_sha256, started_at, duration_ms, result, clock_suspect, received_at
        """;

    /// <summary>
    /// Stores each play once. The common batch is all new (a resend follows only a lost answer), so it
    /// is COPY'd straight into <c>play</c>, and its daily totals, summed here, are upserted once per key.
    /// A play the hub already has makes that COPY fail with a unique violation: it is rolled back to the
    /// savepoint and the batch goes the careful way, COPY into a staging table and INSERT … ON CONFLICT
    /// DO NOTHING whose inserted rows, and only those, feed the aggregates. Plays are written in record-id
    /// order, so two requests carrying the same plays wait for each other instead of deadlocking.
    /// </summary>
    private static async Task<int> StorePlaysAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ApplianceCaller appliance, List<PlayRow> batchPlays,
        DateTime now, CancellationToken cancellationToken)
    {
        if (batchPlays.Count == 0) return 0;
        // In record-id order; the same record twice in one batch is one play (the first copy wins: the sort is stable).
        var sorted = batchPlays.Select((play, index) => (play, index)).ToList();
        sorted.Sort((a, b) => string.CompareOrdinal(a.play.RecordId, b.play.RecordId) is var byId and not 0 ? byId : a.index.CompareTo(b.index));
        var plays = new List<PlayRow>(sorted.Count);
        foreach (var (play, _) in sorted)
        {
            if (plays.Count == 0 || !string.Equals(plays[^1].RecordId, play.RecordId, StringComparison.Ordinal)) plays.Add(play);
        }
        await transaction.SaveAsync("fast", cancellationToken);
        try
        {
            await CopyPlaysAsync(connection, "play", appliance, plays, now, cancellationToken);
            await AddDailyTotalsAsync(connection, transaction, appliance, plays);
            return plays.Count;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await transaction.RollbackAsync("fast", cancellationToken);
        }
        await connection.ExecuteAsync("CREATE TEMP TABLE IF NOT EXISTS play_stage (LIKE play) ON COMMIT DELETE ROWS;", transaction);
        await CopyPlaysAsync(connection, "play_stage", appliance, plays, now, cancellationToken);
        // Only rows this statement inserted reach the aggregates: a resent play is counted once.
        return (int)(await connection.ScalarAsync<long>($"""
            WITH inserted AS (
                INSERT INTO play ({PlayColumns}) SELECT {PlayColumns} FROM play_stage ORDER BY record_id
                ON CONFLICT DO NOTHING
                RETURNING local_date, campaign_id, asset_id, device_id, event_type, duration_ms, result
            ), daily AS (
                {DailyUpsert("""
                    SELECT @tenant, @venue, local_date, coalesce(campaign_id, ''), asset_id, device_id,
                        count(*) FILTER (WHERE result = 'COMPLETED'), coalesce(sum(duration_ms) FILTER (WHERE result = 'COMPLETED'), 0),
                        count(*) FILTER (WHERE result = 'INTERRUPTED'), coalesce(sum(duration_ms) FILTER (WHERE result = 'INTERRUPTED'), 0),
                        count(*) FILTER (WHERE result = 'ERROR'), count(*) FILTER (WHERE result = 'SKIPPED')
                    FROM inserted WHERE event_type = 'PLAY_END'
                    GROUP BY local_date, coalesce(campaign_id, ''), asset_id, device_id
                    """)}
            )
            SELECT count(*) FROM inserted;
            """, transaction, ("venue", appliance.VenueId), ("tenant", appliance.TenantId)));
    }

    /// <summary>Adds totals to play_daily, keys in one order (concurrent batches of a venue wait, never deadlock). plays and
    /// total_duration_ms count COMPLETED PLAY_ENDs only; the other results have columns of their own (migration 0004).</summary>
    private static string DailyUpsert(string totals) => $"""
        INSERT INTO play_daily AS d (tenant_id, venue_id, local_date, campaign_id, asset_id, device_id, plays, total_duration_ms,
            interrupted, interrupted_duration_ms, failed, skipped)
        {totals}
        ORDER BY 3, 4, 5, 6
        ON CONFLICT (venue_id, local_date, campaign_id, asset_id, device_id)
        DO UPDATE SET plays = d.plays + excluded.plays, total_duration_ms = d.total_duration_ms + excluded.total_duration_ms,
            interrupted = d.interrupted + excluded.interrupted, interrupted_duration_ms = d.interrupted_duration_ms + excluded.interrupted_duration_ms,
            failed = d.failed + excluded.failed, skipped = d.skipped + excluded.skipped
        """;

    /// <summary>The batch's PLAY_END totals by result per (day, campaign, asset, screen), summed in memory: one upsert per key.</summary>
    private static async Task AddDailyTotalsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ApplianceCaller appliance, List<PlayRow> plays)
    {
        var sums = new Dictionary<(DateOnly LocalDate, string Campaign, string AssetId, string DeviceId), PlayTally>();
        foreach (var p in plays)
        {
            if (p.Play.EventType != "PLAY_END") continue;
            ref var sum = ref CollectionsMarshal.GetValueRefOrAddDefault(sums, (p.LocalDate, p.Play.CampaignId ?? "", p.Play.AssetId, p.Play.DeviceId), out _);
            sum = sum.Add(p.Play.Result, p.Play.DurationMs ?? 0);
        }
        if (sums.Count == 0) return;
        var totals = sums.Select(s => (s.Key, Tally: s.Value)).ToList();
        await connection.ExecuteAsync(DailyUpsert("""
            SELECT @tenant, @venue, d, c, a, s, n, ms, i, ims, f, sk
            FROM unnest(@days, @campaigns, @assets, @screens, @plays, @durations, @interrupted, @interruptedMs, @failed, @skipped) AS x(d, c, a, s, n, ms, i, ims, f, sk)
            """),
            transaction, ("tenant", appliance.TenantId), ("venue", appliance.VenueId),
            ("days", totals.Select(t => t.Key.LocalDate).ToArray()), ("campaigns", totals.Select(t => t.Key.Campaign).ToArray()),
            ("assets", totals.Select(t => t.Key.AssetId).ToArray()), ("screens", totals.Select(t => t.Key.DeviceId).ToArray()),
            ("plays", totals.Select(t => t.Tally.Plays).ToArray()), ("durations", totals.Select(t => t.Tally.DurationMs).ToArray()),
            ("interrupted", totals.Select(t => t.Tally.Interrupted).ToArray()), ("interruptedMs", totals.Select(t => t.Tally.InterruptedDurationMs).ToArray()),
            ("failed", totals.Select(t => t.Tally.Failed).ToArray()), ("skipped", totals.Select(t => t.Tally.Skipped).ToArray()));
    }

    private static async Task CopyPlaysAsync(NpgsqlConnection connection, string table, ApplianceCaller appliance, List<PlayRow> plays, DateTime now,
        CancellationToken cancellationToken)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {table} ({PlayColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var p in plays)
        {
            await copy.StartRowAsync(cancellationToken);
            await copy.WriteAsync(appliance.VenueId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(p.RecordId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(p.LocalDate, NpgsqlDbType.Date, cancellationToken);
            await copy.WriteAsync(appliance.TenantId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(appliance.ApplianceId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(p.Play.EventId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(p.Play.EventType, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(p.Play.DeviceId, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, p.Play.CampaignId, cancellationToken);
            await copy.WriteAsync(p.Play.PlaylistId, NpgsqlDbType.Text, cancellationToken);
            await copy.WriteAsync(p.Play.AssetId, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(copy, p.Play.ContentSha256, cancellationToken);
            await copy.WriteAsync(p.StartedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            if (p.Play.DurationMs is { } duration) await copy.WriteAsync(duration, NpgsqlDbType.Bigint, cancellationToken);
            else await copy.WriteNullAsync(cancellationToken);
            await WriteNullableAsync(copy, p.Play.Result, cancellationToken);
            await copy.WriteAsync(p.Play.ClockSuspect, NpgsqlDbType.Boolean, cancellationToken);
            await copy.WriteAsync(now, NpgsqlDbType.TimestampTz, cancellationToken);
        }
        await copy.CompleteAsync(cancellationToken);
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter copy, string? value, CancellationToken cancellationToken)
    {
        if (value is null) await copy.WriteNullAsync(cancellationToken);
        else await copy.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);
    }

    private static async Task<int> StoreDeviceEventsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ApplianceCaller appliance,
        List<(string RecordId, DeviceEventRecord Event, DateTime Time)> events, DateTime now)
    {
        if (events.Count == 0) return 0;
        return await connection.ExecuteAsync("""
            INSERT INTO device_event (venue_id, record_id, tenant_id, appliance_id, event_id, device_id, sequence, event_type, severity, event_time, payload, received_at)
            SELECT @venue, r, @tenant, @appliance, e, d, s, t, sv, tm, p::jsonb, @now
            FROM unnest(@records, @events, @devices, @sequences, @types, @severities, @times, @payloads) AS x(r, e, d, s, t, sv, tm, p)
            ON CONFLICT DO NOTHING;
            """, transaction, ("venue", appliance.VenueId), ("tenant", appliance.TenantId), ("appliance", appliance.ApplianceId), ("now", now),
            ("records", events.Select(e => e.RecordId).ToArray()), ("events", events.Select(e => e.Event.EventId).ToArray()),
            ("devices", events.Select(e => e.Event.DeviceId).ToArray()), ("sequences", events.Select(e => e.Event.Sequence).ToArray()),
            ("types", events.Select(e => e.Event.EventType).ToArray()), ("severities", events.Select(e => e.Event.Severity).ToArray()),
            ("times", events.Select(e => e.Time).ToArray()), ("payloads", events.Select(e => e.Event.Payload.GetRawText()).ToArray()));
    }

    /// <summary>Latest wins: a status older than the stored one is acknowledged but changes nothing (counted
    /// as a duplicate). At an equal time the later arrival wins (the appliance renders replicas when it
    /// sends, so what arrives later is never older); the same record again is a duplicate.</summary>
    private static async Task<int> StoreDeviceStatusesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ApplianceCaller appliance,
        List<(string RecordId, DeviceStatusRecord Status, DateTime OccurredAt, string Json)> statuses)
    {
        if (statuses.Count == 0) return 0;
        // One row per screen per statement (ON CONFLICT DO UPDATE cannot touch a row twice): the batch's latest.
        var latest = statuses.GroupBy(s => s.Status.DeviceId).Select(g => g.MaxBy(s => s.OccurredAt)).ToList();
        var applied = await connection.ExecuteAsync("""
            INSERT INTO device_status AS s (venue_id, device_id, tenant_id, name, status, last_seen_at, data, occurred_at, record_id)
            SELECT @venue, d, @tenant, n, st, ls, j::jsonb, o, r
            FROM unnest(@devices, @names, @statuses, @lastSeen, @json, @occurred, @records) AS x(d, n, st, ls, j, o, r)
            ON CONFLICT (venue_id, device_id) DO UPDATE SET name = excluded.name, status = excluded.status, last_seen_at = excluded.last_seen_at,
                data = excluded.data, occurred_at = excluded.occurred_at, record_id = excluded.record_id
            WHERE excluded.occurred_at > s.occurred_at OR (excluded.occurred_at = s.occurred_at AND excluded.record_id <> s.record_id);
            """, transaction, ("venue", appliance.VenueId), ("tenant", appliance.TenantId),
            ("devices", latest.Select(s => s.Status.DeviceId).ToArray()), ("names", latest.Select(s => s.Status.Name).ToArray()),
            ("statuses", latest.Select(s => s.Status.Status).ToArray()),
            ("lastSeen", latest.Select(s => ParseUtc(s.Status.LastSeenAtUtc)).ToArray()),
            ("json", latest.Select(s => s.Json).ToArray()), ("occurred", latest.Select(s => s.OccurredAt).ToArray()),
            ("records", latest.Select(s => s.RecordId).ToArray()));
        return applied;
    }

    private static async Task<int> StoreReplicasAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, ApplianceCaller appliance,
        List<(string RecordId, string Kind, string EntityId, DateTime OccurredAt, string Json)> replicas)
    {
        if (replicas.Count == 0) return 0;
        var latest = replicas.GroupBy(r => (r.Kind, r.EntityId)).Select(g => g.MaxBy(r => r.OccurredAt)).ToList();
        return await connection.ExecuteAsync("""
            INSERT INTO venue_replica AS v (venue_id, kind, entity_id, tenant_id, data, occurred_at, record_id)
            SELECT @venue, k, e, @tenant, j::jsonb, o, r FROM unnest(@kinds, @entities, @json, @occurred, @records) AS x(k, e, j, o, r)
            ON CONFLICT (venue_id, kind, entity_id) DO UPDATE SET data = excluded.data, occurred_at = excluded.occurred_at, record_id = excluded.record_id
            WHERE excluded.occurred_at > v.occurred_at OR (excluded.occurred_at = v.occurred_at AND excluded.record_id <> v.record_id);
            """, transaction, ("venue", appliance.VenueId), ("tenant", appliance.TenantId),
            ("kinds", latest.Select(r => r.Kind).ToArray()), ("entities", latest.Select(r => r.EntityId).ToArray()),
            ("json", latest.Select(r => r.Json).ToArray()), ("occurred", latest.Select(r => r.OccurredAt).ToArray()),
            ("records", latest.Select(r => r.RecordId).ToArray()));
    }

    private static IResult InvalidRecord(List<IncomingRecord> records)
    {
        var index = Batch.FirstInvalid(records);
        var record = records[index];
        return ProblemResponses.Problem(StatusCodes.Status422UnprocessableEntity, ProblemCodes.ValidationFailed,
            $"Record {index} ({record.Kind} {record.RecordId}) is not valid: {Batch.Why(record)} Nothing from this batch was stored.",
            new Dictionary<string, object?> { ["recordIndex"] = index, ["recordId"] = record.RecordId });
    }

    internal static DateTime? ParseUtc(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value.UtcDateTime : null;

    internal sealed record PlayRow(string RecordId, PlayRecord Play, DateOnly LocalDate, DateTime StartedAt);

    /// <summary>A batch split by kind, every record checked and parsed.</summary>
    internal sealed class Batch
    {
        public List<PlayRow> Plays { get; } = [];
        public List<(string RecordId, DeviceEventRecord Event, DateTime Time)> DeviceEvents { get; } = [];
        public List<(string RecordId, DeviceStatusRecord Status, DateTime OccurredAt, string Json)> Statuses { get; } = [];
        public List<(string RecordId, string Kind, string EntityId, DateTime OccurredAt, string Json)> Replicas { get; } = [];

        public static Batch? Read(List<IncomingRecord> records)
        {
            var batch = new Batch();
            foreach (var record in records)
            {
                if (!batch.TryAdd(record)) return null;
            }
            return batch;
        }

        public static int FirstInvalid(List<IncomingRecord> records) => records.FindIndex(r => !new Batch().TryAdd(r));

        public static string Why(IncomingRecord record)
        {
            if (string.IsNullOrWhiteSpace(record.RecordId) || record.RecordId.Length > 100) return "recordId is required (at most 100 characters).";
            if (!SyncProtocol.RecordKinds.All.Contains(record.Kind)) return $"kind must be one of {string.Join(", ", SyncProtocol.RecordKinds.All)}.";
            if (ParseUtc(record.OccurredAtUtc) is null) return "occurredAtUtc is not an ISO-8601 time.";
            if (record.Kind == SyncProtocol.RecordKinds.Play && PlayOf(record) is { EventType: PlayerProtocol.EventTypes.PlayEnd } end
                && !PlayerProtocol.PlayResults.All.Contains(end.Result))
                return $"a PLAY_END's result must be one of {string.Join(", ", PlayerProtocol.PlayResults.All)}.";
            return $"its data is not a valid {record.Kind} record (missing or malformed fields, dates or times).";
        }

        private bool TryAdd(IncomingRecord record)
        {
            if (string.IsNullOrWhiteSpace(record.RecordId) || record.RecordId.Length > 100) return false;
            if (ParseUtc(record.OccurredAtUtc) is not { } occurredAt) return false;
            try
            {
                switch (record.Kind)
                {
                    case SyncProtocol.RecordKinds.Play:
                        var play = PlayOf(record);
                        if (play is null || string.IsNullOrEmpty(play.EventType) || string.IsNullOrEmpty(play.DeviceId) || string.IsNullOrEmpty(play.AssetId)) return false;
                        if (!DateOnly.TryParseExact(play.LocalDate, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var localDate)
                            || localDate.Year is < 2000 or > 2199) return false;
                        if (ParseUtc(play.StartedAtUtc) is not { } startedAt || play.DurationMs < 0) return false;
                        // A PLAY_END is counted by its result (COMPLETED is a play): one of the four, as the appliance checked.
                        if (play.EventType == PlayerProtocol.EventTypes.PlayEnd && !PlayerProtocol.PlayResults.All.Contains(play.Result)) return false;
                        Plays.Add(new PlayRow(record.RecordId, play, localDate, startedAt));
                        return true;
                    case SyncProtocol.RecordKinds.DeviceEvent:
                        if (record.Data.ValueKind != JsonValueKind.Object) return false;
                        var deviceEvent = record.Data.Deserialize(ContractsJsonContext.Default.DeviceEventRecord);
                        if (deviceEvent is null || string.IsNullOrEmpty(deviceEvent.DeviceId) || ParseUtc(deviceEvent.EventTimeUtc) is not { } time) return false;
                        DeviceEvents.Add((record.RecordId, deviceEvent, time));
                        return true;
                    case SyncProtocol.RecordKinds.DeviceStatus:
                        if (record.Data.ValueKind != JsonValueKind.Object) return false;
                        var status = record.Data.Deserialize(ContractsJsonContext.Default.DeviceStatusRecord);
                        if (status is null || string.IsNullOrEmpty(status.DeviceId)) return false;
                        if (status.LastSeenAtUtc is not null && ParseUtc(status.LastSeenAtUtc) is null) return false;
                        Statuses.Add((record.RecordId, status, occurredAt, record.Data.GetRawText()));
                        return true;
                    case SyncProtocol.RecordKinds.Screen or SyncProtocol.RecordKinds.Playlist or SyncProtocol.RecordKinds.Schedule or SyncProtocol.RecordKinds.Incident:
                        if (ReplicaId(record) is not { } entityId) return false;
                        Replicas.Add((record.RecordId, record.Kind, entityId, occurredAt, record.Data.GetRawText()));
                        return true;
                    default:
                        return false;
                }
            }
            catch (JsonException)
            {
                return false;
            }
        }

        /// <summary>A PLAY record's play: parsed with the batch, else from its data; null when the data is not one.</summary>
        private static PlayRecord? PlayOf(IncomingRecord record)
        {
            if (record.Play is { } play) return play;
            try
            {
                return record.Data.ValueKind == JsonValueKind.Object ? record.Data.Deserialize(ContractsJsonContext.Default.PlayRecord) : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        /// <summary>The replicated entity's id, from the field its contract names it by; a venue has one schedule.</summary>
        private static string? ReplicaId(IncomingRecord record)
        {
            if (record.Data.ValueKind != JsonValueKind.Object) return null;
            var field = record.Kind switch
            {
                SyncProtocol.RecordKinds.Screen => "deviceId",
                SyncProtocol.RecordKinds.Playlist => "playlistId",
                SyncProtocol.RecordKinds.Incident => "incidentId",
                _ => null,
            };
            if (field is null) return "schedule";
            return record.Data.TryGetProperty(field, out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 and <= 100 } text ? text : null;
        }
    }
}
