using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Resilience;

namespace Signage.Player.Core.Telemetry;

/// <summary>POST /v1/player/heartbeat (spec 27.8.2). Never queued: each attempt sends a fresh snapshot,
/// so after an outage the appliance gets the latest state, not a backlog of stale ones.</summary>
public sealed class HeartbeatReporter(ApplianceApi api, TelemetryCounters counters, Func<HeartbeatRequest> snapshot, Func<TimeSpan> interval,
    Backoff backoff)
{
    public HeartbeatRequest? LastDelivered { get; private set; }

    public async Task<TimeSpan> SendOnceAsync(CancellationToken cancellationToken)
    {
        HeartbeatRequest? heartbeat = null;
        var result = await api.PostHeartbeatAsync(() => heartbeat = snapshot(), cancellationToken).ConfigureAwait(false);
        if (!result.IsOk)
        {
            // Retry sooner than the cadence while failing, but never sooner than a Retry-After.
            var retryAfter = result.Outcome == ApiOutcome.Throttled ? result.RetryAfter : null;
            var retry = backoff.NextDelay(retryAfter);
            return retryAfter is not null || retry < interval() ? retry : interval();
        }

        backoff.Reset();
        if (heartbeat?.Errors is { } reported)
        {
            counters.Delivered(reported);
        }

        LastDelivered = heartbeat;
        return interval();
    }
}
