using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Problems;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.Player;

/// <summary>
/// Heartbeats (spec 27.8.2) and event batches (27.8.3). Events are stored once by their
/// device-made id, in one transaction per batch, so a re-sent batch is harmless and concurrent
/// copies of it are counted once; the answer says what was accepted, ignored and rejected, and why.
/// A batch of which no event is stored is a 422 with the same per-event reasons, never a 2xx.
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

    private static async Task<IResult> Heartbeat(HeartbeatRequest request, HttpContext http, DeviceCaller device, EventIngestion ingestion, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, RateLimit.HeartbeatPerDevice, device.DeviceId) is { } refused) return refused;
        if (!PlayerStates.Contains(request.State))
            return ProblemResponses.Invalid(new() { ["state"] = [$"'{request.State}' is not a player state ({string.Join(", ", PlayerStates)})."] });
        var now = clock.GetCurrentInstant();
        long? skew = ParseInstant(request.DeviceTime) is { } deviceTime ? (long)(deviceTime - now).TotalSeconds : null;

        // Stored by the event writer's group commit: answered once committed, sharing its fsync.
        var heartbeat = new HeartbeatWrite(request.State, request.ManifestEtag, ItemKey(request.Playback), request.Playback?.CurrentAssetId,
            request.Cache?.UsedBytes, request.Cache?.TotalBytes, request.Cache?.PendingDownloads,
            JsonSerializer.Serialize(request, ContractsJsonContext.Default.HeartbeatRequest), skew, request.AppVersion);
        try
        {
            if (!await ingestion.StoreHeartbeatAsync(device, now, heartbeat, http.RequestAborted))
                return ProblemResponses.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized,
                    "This screen was removed or moved while its heartbeat was on the way; pair it again.");
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException && !http.RequestAborted.IsCancellationRequested)
        {
            return ProblemResponses.Problem(StatusCodes.Status503ServiceUnavailable, ProblemCodes.ServiceUnavailable,
                "The appliance is stopping; the heartbeat was not stored. Send it again later.");
        }
        return TypedResults.NoContent();
    }

    private static async Task<IResult> Events(EventBatchRequest request, HttpContext http, DeviceCaller device, EventIngestion ingestion, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, RateLimit.EventsPerDevice, device.DeviceId) is { } refused) return refused;
        if (request.Events is null or [])
            return ProblemResponses.Invalid(new() { ["events"] = [$"Send one to {MaxEventsPerBatch} events."] });
        if (request.Events.Length > MaxEventsPerBatch)
            return ProblemResponses.Problem(StatusCodes.Status422UnprocessableEntity, "BATCH_TOO_LARGE",
                $"A batch holds at most {MaxEventsPerBatch} events; this one has {request.Events.Length}. Split it.");

        // Everything that needs no database is checked here, on the request's thread; the single
        // writer only looks up and stores.
        var now = clock.GetCurrentInstant();
        var rejected = new List<RejectedEvent>();
        var incoming = new List<IncomingEvent>(request.Events.Length);
        for (var i = 0; i < request.Events.Length; i++)
        {
            var e = request.Events[i];
            var (reason, eventTime) = Check(e);
            if (reason is not null)
            {
                rejected.Add(new RejectedEvent(i, e.EventId, reason));
                continue;
            }
            ProofOfPlay.PlayRecorder.Play? play = null;
            if (e.EventType is EventTypes.PlayStart or EventTypes.PlayEnd)
            {
                (play, var playProblem) = ProofOfPlay.PlayRecorder.Read(e, eventTime);
                if (playProblem is not null)
                {
                    rejected.Add(new RejectedEvent(i, e.EventId, playProblem));
                    continue;
                }
            }
            var suspect = eventTime > now + ClockTolerance || eventTime < now - Duration.FromDays(366);
            var deviceTimeUtc = Sql.Utc(eventTime);
            incoming.Add(new IncomingEvent(i, e.EventId.ToLowerInvariant(), e.Sequence, e.EventType, e.Severity, deviceTimeUtc,
                suspect ? Sql.Utc(now) : deviceTimeUtc, suspect, play is null && e.Payload is { } payload ? payload.GetRawText() : "{}", play));
        }

        // Nothing left to store: answered here, without a turn of the writer.
        if (incoming.Count == 0) return NoneStored(rejected);
        (int Accepted, int Duplicates, List<RejectedEvent> Rejected)? stored;
        try
        {
            stored = await ingestion.StoreAsync(device, now, incoming, http.RequestAborted);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException && !http.RequestAborted.IsCancellationRequested)
        {
            return ProblemResponses.Problem(StatusCodes.Status503ServiceUnavailable, ProblemCodes.ServiceUnavailable,
                "The appliance is stopping; nothing from this batch was stored. Send it again later.");
        }
        if (stored is not { } result)
            return ProblemResponses.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized,
                "This screen was removed or moved while its events were on the way; pair it again.");
        var (accepted, duplicates, refusedByVenue) = result;
        rejected.AddRange(refusedByVenue);
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        if (accepted == 0 && duplicates == 0) return NoneStored(rejected);
        return TypedResults.Ok(new EventBatchResponse(accepted, duplicates, rejected.Count, [.. rejected]));
    }

    /// <summary>No event of the batch is stored: never a 2xx, so a client that reads only the status
    /// cannot drop the batch from its queue believing it delivered. The body has the 200's fields.</summary>
    private static IResult NoneStored(List<RejectedEvent> rejected)
    {
        rejected.Sort((a, b) => a.Index.CompareTo(b.Index));
        var first = rejected[0];
        var detail = rejected.Count == 1
            ? $"The event was not stored: {first.Reason}"
            : $"None of the {rejected.Count} events was stored; rejectedEvents gives each one's reason (event {first.Index}: {first.Reason})";
        return ProblemResponses.Problem(StatusCodes.Status422UnprocessableEntity, PlayerProblemCodes.EventsRejected, detail, new Dictionary<string, object?>
        {
            ["accepted"] = 0,
            ["duplicates"] = 0,
            ["rejected"] = rejected.Count,
            ["rejectedEvents"] = rejected.ToArray(),
        });
    }

    /// <summary>One showing of one item: a new loop over the same single item is a new showing.</summary>
    private static string? ItemKey(PlaybackState? playback) => playback is { CurrentAssetId: { } asset }
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{playback.PlaylistId}|{playback.PublishedVersion}|{playback.CurrentItemIndex}|{playback.LoopCount}|{asset}|{playback.CurrentItemStartedAtUtc}")
        : null;

    /// <summary>Why an event cannot be stored (or null), and its time. eventId and sequence are required although
    /// the spec's example has neither: the id is what makes a re-sent batch harmless (stored once, counted once:
    /// exactly-once over an at-least-once queue), the sequence is what shows a lost event as a gap.</summary>
    private static (string? Reason, Instant EventTime) Check(PlayerEvent e)
    {
        if (!Guid.TryParse(e.EventId, out _)) return ("eventId must be a UUID made by the device.", default);
        if (e.Sequence < 1) return ("sequence must be 1 or more, one higher for each event the device records.", default);
        if (!EventTypes.All.Contains(e.EventType)) return ($"Unknown eventType '{e.EventType}'.", default);
        if (!Severities.Contains(e.Severity)) return ($"severity must be INFO, WARNING or ERROR, not '{e.Severity}'.", default);
        if (ParseInstant(e.EventTimeUtc) is not { } time) return ($"eventTimeUtc '{e.EventTimeUtc}' is not a UTC instant such as 2026-11-23T18:00:00Z.", default);
        if (e.Payload is { ValueKind: not JsonValueKind.Object }) return ("payload must be a JSON object.", default);
        return (null, time);
    }

    private static Instant? ParseInstant(string? text) =>
        text is not null && InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value : null;
}
