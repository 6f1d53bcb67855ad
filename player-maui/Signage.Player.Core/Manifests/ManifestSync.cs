using Microsoft.Extensions.Logging;
using Signage.Contracts;
using Signage.Player.Core.Api;
using Signage.Player.Core.Configuration;
using Signage.Player.Core.Resilience;
using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core.Manifests;

/// <summary>SYNC_MANIFEST (spec 28.6): one conditional GET per call; returns how long to wait before the
/// next. 304 → nothing; 200 → validate and stage; 401 → counted (pairing after the limit); 429/503 →
/// Retry-After; anything else → exponential backoff with jitter.</summary>
public sealed partial class ManifestSync(ApplianceApi api, ManifestStore store, EventRecorder events, PlayerOptions options,
    TimeProvider clock, Backoff backoff, ILogger logger)
{
    /// <summary>A response slower than this was held by the appliance (Prefer: wait), not merely slow.</summary>
    private static readonly TimeSpan HeldThreshold = TimeSpan.FromSeconds(5);

    /// <summary>Between two held requests: the appliance paces us, so only a short breath (and never
    /// more than 4 requests a minute even if it answers every held request with a change).</summary>
    private static readonly TimeSpan HeldRequestSpacing = TimeSpan.FromSeconds(15);

    private readonly Lock _gate = new();
    private DateTimeOffset? _lastSync;
    private bool _failing;

    /// <summary>Raised when a new manifest has been staged.</summary>
    public event Action? Staged;

    public DateTimeOffset? LastSyncUtc
    {
        get
        {
            lock (_gate)
            {
                return _lastSync;
            }
        }
    }

    public async Task<TimeSpan> SyncOnceAsync(CancellationToken cancellationToken)
    {
        var etag = store.NewestEtag;
        TimeSpan? wait = etag is null ? null : options.ManifestWait;
        var started = clock.GetTimestamp();
        var result = await api.GetManifestAsync(etag, wait, cancellationToken).ConfigureAwait(false);
        var elapsed = clock.GetElapsedTime(started);
        // Held: kept by the appliance for a while, or parked and woken with news (Preference-Applied: a publish
        // right after the request was parked). The appliance refunds a parked request that ends with news, so the
        // next held request may follow soon; waiting nextCheckSeconds instead would leave a second publish (say a
        // playlist publish and then the fallback change) unseen for a minute.
        var held = wait is not null && (elapsed >= HeldThreshold || result.WaitApplied);

        switch (result.Outcome)
        {
            case ApiOutcome.NotModified:
                Succeeded();
                return Cadence(held, elapsed);
            case ApiOutcome.Ok when result.Value is { } manifest:
                Succeeded();
                Stage(manifest);
                return Cadence(held, elapsed);
            case ApiOutcome.Ok or ApiOutcome.InvalidBody:
                events.ManifestRejected(null, result.Error ?? "empty body");
                Failed(result);
                return backoff.NextDelay();
            case ApiOutcome.Throttled:
                Failed(result);
                return backoff.NextDelay(result.RetryAfter);
            default:
                Failed(result);
                return backoff.NextDelay();
        }
    }

    private void Stage(ManifestResponse response)
    {
        LoadedManifest manifest;
        try
        {
            manifest = LoadedManifest.From(response);
        }
        catch (InvalidManifestException ex)
        {
            LogRejected(logger, response.ManifestEtag, ex.Message);
            events.ManifestRejected(response.ManifestEtag, ex.Message);
            return;
        }

        if (manifest.Etag == store.Current?.Etag)
        {
            // Back to what we play (a publish undone before we applied it): drop the candidate.
            if (store.Staged is not null)
            {
                store.DiscardStaged();
            }

            return;
        }

        if (manifest.Etag == store.Staged?.Etag)
        {
            return;
        }

        store.Stage(manifest);
        events.ManifestStaged(manifest.Etag);
        LogStaged(logger, manifest.Etag);
        Staged?.Invoke();
    }

    /// <summary>Normal cadence is the manifest's nextCheckSeconds, sooner when it is about to expire,
    /// almost at once after a held request.</summary>
    private TimeSpan Cadence(bool held, TimeSpan elapsed)
    {
        if (held)
        {
            var rest = HeldRequestSpacing - elapsed;
            return rest > TimeSpan.FromSeconds(1) ? rest : TimeSpan.FromSeconds(1);
        }

        var newest = store.Staged ?? store.Current;
        var delay = newest?.NextCheck ?? options.DefaultCheckInterval;
        if (newest is not null)
        {
            var untilExpiry = newest.ValidTo - clock.GetUtcNow();
            // Never faster than twice a minute (spec 27.1's limit), whatever validTo says.
            var floor = delay < TimeSpan.FromSeconds(30) ? delay : TimeSpan.FromSeconds(30);
            if (untilExpiry < delay)
            {
                delay = untilExpiry > floor ? untilExpiry : floor;
            }
        }

        return delay;
    }

    private void Succeeded()
    {
        backoff.Reset();
        lock (_gate)
        {
            _lastSync = clock.GetUtcNow();
            _failing = false;
        }
    }

    private void Failed(ApiResult<ManifestResponse> result)
    {
        events.Counters.ManifestFetchFailed();
        bool first;
        lock (_gate)
        {
            first = !_failing;
            _failing = true;
        }

        // One event per outage, not one per retry: the heartbeat's counter carries the number.
        if (first && result.Outcome != ApiOutcome.Unauthorized)
        {
            events.ManifestFetchFailed(new ManifestFetchFailedPayload(result.StatusCode, result.Error ?? result.Outcome.ToString()));
        }

        LogFetchFailed(logger, result.Outcome, result.StatusCode, result.Error);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Manifest {Etag} staged")]
    private static partial void LogStaged(ILogger logger, string etag);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Manifest {Etag} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string etag, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Manifest fetch failed: {Outcome} {Status} {Error}")]
    private static partial void LogFetchFailed(ILogger logger, ApiOutcome outcome, int? status, string? error);
}
