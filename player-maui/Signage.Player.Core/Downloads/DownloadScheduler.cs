using Microsoft.Extensions.Logging;
using Signage.Player.Core.Cache;
using Signage.Player.Core.Manifests;
using Signage.Player.Core.Resilience;
using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core.Downloads;

/// <summary>DOWNLOAD_ASSETS: a fixed number of workers take the most urgent missing file (see
/// <see cref="DownloadPlanner"/>), each file failing on its own backoff, and all of them pausing while
/// the cache cannot make room (spec 11.2).</summary>
public sealed partial class DownloadScheduler(AssetDownloader downloader, AssetCache cache, ManifestStore manifests, EventRecorder events,
    TimeProvider clock, Random random, int concurrency, ILogger logger)
{
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromMinutes(30);

    private sealed record Retry(Backoff Backoff, DateTimeOffset NotBefore);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Retry> _retries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly AsyncSignal _wake = new();
    private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;

    /// <summary>Raised with the SHA-256 of each file that has just become playable.</summary>
    public event Action<string>? AssetReady;

    /// <summary>True while the cache has no room for the next file.</summary>
    public bool Paused
    {
        get
        {
            lock (_gate)
            {
                return _pausedUntil > clock.GetUtcNow();
            }
        }
    }

    public int Pending => Plan().Count;

    public int InFlight
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>Something changed (a manifest, the cache, a corrupt file found): look again now, and
    /// give a paused queue another chance.</summary>
    public void Wake()
    {
        lock (_gate)
        {
            _pausedUntil = DateTimeOffset.MinValue;
        }

        _wake.Set();
    }

    public Task RunAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(Enumerable.Range(0, Math.Max(1, concurrency)).Select(_ => WorkerAsync(cancellationToken)));

    /// <summary>Takes and downloads one file. Returns null when it did, otherwise how long there is nothing to do.</summary>
    public async Task<TimeSpan?> RunNextAsync(CancellationToken cancellationToken)
    {
        var next = TakeNext(out var idle);
        if (next is null)
        {
            return idle;
        }

        try
        {
            await DownloadAsync(next, cancellationToken).ConfigureAwait(false);
            return null;
        }
        finally
        {
            lock (_gate)
            {
                _inFlight.Remove(next.Sha256);
            }
        }
    }

    public IReadOnlyList<DownloadRequest> Plan() => DownloadPlanner.Plan(manifests.Staged, manifests.Current, clock.GetUtcNow(), cache.Contains);

    private async Task WorkerAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan? idle;
            try
            {
                idle = await RunNextAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A download worker must outlive any one file's surprise (full disk, permissions).
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogWorkerFailed(logger, ex);
                idle = FirstRetry;
            }

            if (idle is { } wait)
            {
                await _wake.WaitAsync(wait, clock, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private DownloadRequest? TakeNext(out TimeSpan idle)
    {
        var plan = Plan();
        var now = clock.GetUtcNow();
        idle = Recheck;
        lock (_gate)
        {
            if (_pausedUntil > now)
            {
                idle = _pausedUntil - now;
                return null;
            }

            foreach (var request in plan)
            {
                if (_inFlight.Contains(request.Sha256))
                {
                    continue;
                }

                if (_retries.TryGetValue(request.Sha256, out var retry) && retry.NotBefore > now)
                {
                    idle = retry.NotBefore - now < idle ? retry.NotBefore - now : idle;
                    continue;
                }

                _inFlight.Add(request.Sha256);
                return request;
            }
        }

        return null;
    }

    private async Task DownloadAsync(DownloadRequest request, CancellationToken cancellationToken)
    {
        if (!cache.MakeRoom(request.SizeBytes - downloader.PartialBytes(request.Sha256)))
        {
            lock (_gate)
            {
                _pausedUntil = clock.GetUtcNow() + Recheck;
            }

            LogPaused(logger, request.AssetId, request.SizeBytes, cache.UsedBytes, cache.BudgetBytes);
            return;
        }

        cache.KeepWhenOffScreen(request.Sha256);
        var result = await downloader.DownloadAsync(request, cancellationToken).ConfigureAwait(false);
        if (result.Succeeded)
        {
            cache.Add(request.Sha256, request.AssetId, request.SizeBytes);
            lock (_gate)
            {
                _retries.Remove(request.Sha256);
            }

            LogDownloaded(logger, request.AssetId, request.SizeBytes);
            AssetReady?.Invoke(request.Sha256);
            return;
        }

        int failures;
        lock (_gate)
        {
            var backoff = _retries.TryGetValue(request.Sha256, out var retry) ? retry.Backoff : new Backoff(FirstRetry, LongestRetry, random);
            var delay = backoff.NextDelay(result.RetryAfter);
            _retries[request.Sha256] = new Retry(backoff, clock.GetUtcNow() + delay);
            failures = backoff.Failures;
        }

        LogFailed(logger, request.AssetId, result.HttpStatus, result.Reason);
        events.DownloadFailed(new DownloadFailedPayload(request.AssetId, request.Url, result.HttpStatus, failures, result.Reason ?? "UNKNOWN"));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded {AssetId} ({Bytes} bytes)")]
    private static partial void LogDownloaded(ILogger logger, string assetId, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of {AssetId} failed: {Status} {Reason}")]
    private static partial void LogFailed(ILogger logger, string assetId, int? status, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Downloads paused: {AssetId} ({Bytes} bytes) does not fit ({Used} of {Budget} bytes used, nothing evictable)")]
    private static partial void LogPaused(ILogger logger, string assetId, long bytes, long used, long budget);

    [LoggerMessage(Level = LogLevel.Error, Message = "Download worker failed; retrying")]
    private static partial void LogWorkerFailed(ILogger logger, Exception exception);
}
