using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Problems;
using Signage.Contracts;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.Player;

/// <summary>
/// Heartbeats (spec 27.8.2) and event batches (27.8.3). Events are stored once by their
/// device-made id, in one transaction per batch, so a re-sent batch is harmless and concurrent
/// copies of it are counted once; the answer says what was accepted, ignored and rejected, and why.
/// </summary>
public static class TelemetryEndpoints
{
    /// <summary>Device clocks further than this from the appliance's are "plainly wrong" (spec 30.9).</summary>
    public static readonly Duration ClockTolerance = Duration.FromHours(24);

    private static readonly string[] Severities = ["INFO", "WARNING", "ERROR"];
    private static readonly string[] PlayerStates = ["PLAYING", "ERROR_SCREEN", "PAIRING", "BOOTING", "LOAD_LOCAL", "PLAYABLE_CHECK", "OFFLINE_BACKOFF"];

    public static IEndpointRouteBuilder MapTelemetry(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/player/heartbeat", Heartbeat).RequireDevice();
        app.MapPost("/v1/player/events", Events).RequireDevice();
        return app;
    }

    private static async Task<IResult> Heartbeat(HeartbeatRequest request, HttpContext http, DeviceCaller device, Database database, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, RateLimit.HeartbeatPerDevice, device.DeviceId) is { } refused) return refused;
        if (!PlayerStates.Contains(request.State))
            return ProblemResponses.Invalid(new() { ["state"] = [$"'{request.State}' is not a player state ({string.Join(", ", PlayerStates)})."] });
        var now = clock.GetCurrentInstant();
        long? skew = ParseInstant(request.DeviceTime) is { } deviceTime ? (long)(deviceTime - now).TotalSeconds : null;

        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        connection.Execute("""
            INSERT INTO device_status (device_id, last_seen_at_utc, state, applied_manifest_etag, current_asset_id, cache_used_bytes, cache_total_bytes,
                pending_downloads, heartbeat_json, clock_skew_seconds)
            VALUES ($device, $now, $state, $etag, $asset, $used, $total, $pending, $json, $skew)
            ON CONFLICT (device_id) DO UPDATE SET last_seen_at_utc = excluded.last_seen_at_utc, state = excluded.state,
                applied_manifest_etag = excluded.applied_manifest_etag, current_asset_id = excluded.current_asset_id,
                cache_used_bytes = excluded.cache_used_bytes, cache_total_bytes = excluded.cache_total_bytes,
                pending_downloads = excluded.pending_downloads, heartbeat_json = excluded.heartbeat_json, clock_skew_seconds = excluded.clock_skew_seconds;
            """, transaction,
            ("$device", device.DeviceId), ("$now", Sql.Utc(now)), ("$state", request.State), ("$etag", request.ManifestEtag),
            ("$asset", request.Playback?.CurrentAssetId), ("$used", request.Cache?.UsedBytes), ("$total", request.Cache?.TotalBytes),
            ("$pending", request.Cache?.PendingDownloads), ("$json", JsonSerializer.Serialize(request, ContractsJsonContext.Default.HeartbeatRequest)), ("$skew", skew));
        connection.Execute("UPDATE device SET app_version = $version WHERE device_id = $device AND app_version IS NOT $version;", transaction,
            ("$version", request.AppVersion), ("$device", device.DeviceId));
        transaction.Commit();
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Events(EventBatchRequest request, HttpContext http, DeviceCaller device, Database database, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, RateLimit.EventsPerDevice, device.DeviceId) is { } refused) return refused;
        if (request.Events.Length > MaxEventsPerBatch)
            return ProblemResponses.Problem(StatusCodes.Status422UnprocessableEntity, "BATCH_TOO_LARGE",
                $"A batch holds at most {MaxEventsPerBatch} events; this one has {request.Events.Length}. Split it.");

        var now = clock.GetCurrentInstant();
        var rejected = new List<RejectedEvent>();
        int accepted = 0, duplicates = 0;
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var plays = new ProofOfPlay.PlayRecorder(connection, transaction, device.VenueId, device.DeviceId);
        for (var i = 0; i < request.Events.Length; i++)
        {
            var e = request.Events[i];
            var (play, playProblem) = e.EventType is EventTypes.PlayStart or EventTypes.PlayEnd && Problem(e) is null ? plays.Read(e) : (null, null);
            if ((Problem(e) ?? playProblem) is { } reason)
            {
                rejected.Add(new RejectedEvent(i, e.EventId, reason));
                continue;
            }
            var eventTime = ParseInstant(e.EventTimeUtc)!.Value;
            var suspect = eventTime > now + ClockTolerance || eventTime < now - Duration.FromDays(366);
            var inserted = connection.Execute("""
                INSERT INTO device_event (event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc, clock_suspect, payload_json)
                VALUES ($id, $device, $venue, $sequence, $type, $severity, $time, $now, $suspect, $payload)
                ON CONFLICT (event_id) DO NOTHING;
                """, transaction,
                ("$id", e.EventId.ToLowerInvariant()), ("$device", device.DeviceId), ("$venue", device.VenueId), ("$sequence", e.Sequence), ("$type", e.EventType),
                ("$severity", e.Severity), ("$time", Sql.Utc(suspect ? now : eventTime)), ("$now", Sql.Utc(now)), ("$suspect", suspect ? 1 : 0),
                ("$payload", e.Payload is { } payload ? payload.GetRawText() : "{}"));
            if (inserted == 1)
            {
                accepted++;
                if (play is not null) plays.Record(e, play, device.DeviceId, eventTime, now);
            }
            else duplicates++;
        }
        transaction.Commit();
        return TypedResults.Ok(new EventBatchResponse(accepted, duplicates, rejected.Count, [.. rejected]));
    }

    /// <summary>Why an event cannot be stored, or null.</summary>
    private static string? Problem(PlayerEvent e)
    {
        if (!Guid.TryParse(e.EventId, out _)) return "eventId must be a UUID made by the device.";
        if (e.Sequence < 1) return "sequence must be 1 or more, one higher for each event the device records.";
        if (!EventTypes.All.Contains(e.EventType)) return $"Unknown eventType '{e.EventType}'.";
        if (!Severities.Contains(e.Severity)) return $"severity must be INFO, WARNING or ERROR, not '{e.Severity}'.";
        if (ParseInstant(e.EventTimeUtc) is null) return $"eventTimeUtc '{e.EventTimeUtc}' is not a UTC instant such as 2026-11-23T18:00:00Z.";
        if (e.Payload is { ValueKind: not JsonValueKind.Object }) return "payload must be a JSON object.";
        return null;
    }

    private static Instant? ParseInstant(string? text) =>
        text is not null && InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value : null;

    /// <summary>Sequence numbers the appliance has not seen from a device, between its first and last (for support).</summary>
    public static List<(long From, long To)> MissingSequences(SqliteConnection connection, string deviceId) =>
        connection.Query("""
            SELECT sequence + 1, next - 1 FROM (
                SELECT sequence, LEAD(sequence) OVER (ORDER BY sequence) AS next FROM (SELECT DISTINCT sequence FROM device_event WHERE device_id = $device))
            WHERE next > sequence + 1 ORDER BY sequence;
            """, null, r => (r.GetInt64(0), r.GetInt64(1)), ("$device", deviceId));
}
