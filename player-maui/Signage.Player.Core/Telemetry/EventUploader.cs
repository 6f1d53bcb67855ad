using System.Net;
using Microsoft.Extensions.Logging;
using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Configuration;
using Signage.Player.Core.Resilience;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Telemetry;

/// <summary>Drains the durable queue to POST /v1/player/events (spec 27.8.3, seed 000 step 2): oldest first,
/// at most 100 a request, removed only after the appliance decided on them: a 2xx, or a 422 EVENTS_REJECTED
/// (none stored, each with its reason). Accepted, duplicate and rejected events all leave the queue
/// (rejected ones are logged). Failures back off.</summary>
public sealed partial class EventUploader(ApplianceApi api, EventQueue queue, PlayerOptions options, TimeProvider clock, Backoff backoff,
    ILogger logger)
{
    private int _batchSize = PlayerProtocol.MaxEventsPerBatch;

    /// <summary>Sends until the queue is empty or a request fails; returns the wait before the next round.</summary>
    public async Task<TimeSpan> FlushOnceAsync(CancellationToken cancellationToken)
    {
        var dropped = queue.DropOlderThan(clock.GetUtcNow() - options.EventMaxAge);
        if (dropped > 0)
        {
            LogDropped(logger, dropped, options.EventMaxAge.TotalDays);
        }

        while (true)
        {
            var batch = queue.Peek(_batchSize);
            if (batch.Count == 0)
            {
                return options.EventFlushInterval;
            }

            var request = new EventBatchRequest([.. batch], UtcText.Format(clock.GetUtcNow()));
            var result = await api.PostEventsAsync(request, cancellationToken).ConfigureAwait(false);
            if (result.IsOk)
            {
                backoff.Reset();
                _batchSize = PlayerProtocol.MaxEventsPerBatch;
                foreach (var rejected in result.Value?.RejectedEvents ?? [])
                {
                    LogRejected(logger, rejected.EventId, rejected.Index, rejected.Reason);
                }

                queue.Remove([.. batch.Select(e => e.Sequence)]);
                continue;
            }

            if (result.ProblemCode == PlayerProblemCodes.EventsRejected)
            {
                // The appliance decided on every event and stored none; each reason is logged, and they leave the
                // queue as rejected events of a 200 do (sent again, they would be refused again).
                backoff.Reset();
                foreach (var rejected in RejectedEvents(result.Problem))
                {
                    LogRejected(logger, rejected.EventId, rejected.Index, rejected.Reason);
                }

                queue.Remove([.. batch.Select(e => e.Sequence)]);
                continue;
            }

            if (result.Status is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity or HttpStatusCode.RequestEntityTooLarge)
            {
                // The appliance refuses the batch as a whole. Halve it to corner the event it cannot take; one
                // event refused alone will never be taken, so it goes (logged) rather than block every later play.
                if (batch.Count > 1)
                {
                    _batchSize = Math.Max(1, batch.Count / 2);
                    continue;
                }

                LogRejected(logger, batch[0].EventId, 0, $"refused alone with {result.StatusCode}");
                queue.Remove([batch[0].Sequence]);
                continue;
            }

            LogFailed(logger, result.Outcome, result.StatusCode, queue.Count);
            return backoff.NextDelay(result.Outcome == ApiOutcome.Throttled ? result.RetryAfter : null);
        }
    }

    private static RejectedEvent[] RejectedEvents(System.Text.Json.JsonElement? problem) =>
        problem is { } p && p.TryGetProperty("rejectedEvents", out var list)
            ? System.Text.Json.JsonSerializer.Deserialize(list, ContractsJsonContext.Default.RejectedEventArray) ?? []
            : [];

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {Count} queued events older than {Days} days")]
    private static partial void LogDropped(ILogger logger, int count, double days);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Appliance rejected event {EventId} (batch index {Index}): {Reason}")]
    private static partial void LogRejected(ILogger logger, string? eventId, int index, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event upload failed ({Outcome} {Status}); {Queued} events stay queued")]
    private static partial void LogFailed(ILogger logger, ApiOutcome outcome, int? status, int queued);
}
