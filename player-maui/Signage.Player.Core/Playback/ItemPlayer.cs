using Signage.Player.Core.Cache;
using Signage.Player.Core.Storage;
using Signage.Player.Core.Telemetry;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Playback;

/// <summary>Plays one item and records its proof of play: PLAY_START once it is on screen, PLAY_END with
/// the whole play (start, duration, result) when it leaves. Images stay for their duration (cut at a
/// schedule change), videos to their end; a head's failure costs one item, never the loop.</summary>
public sealed class ItemPlayer(IPlayerScreen screen, AssetCache cache, EventRecorder events, TimeProvider clock)
{
    /// <summary>A video that has not ended after twice its length plus this is stuck.</summary>
    private static readonly TimeSpan VideoGrace = TimeSpan.FromSeconds(30);

    /// <summary>Returns the PLAY_END result. Cancellation records INTERRUPTED, then throws.</summary>
    public async Task<string> PlayAsync(Pick pick, DateTimeOffset? scheduleChangeAt, CancellationToken cancellationToken)
    {
        var item = pick.Item;
        // Marked before the head opens the file, so eviction cannot take it from under the renderer.
        cache.PutOnScreen(item.Sha256);
        var shown = await ShowAsync(item, cancellationToken).ConfigureAwait(false);
        var startedAt = clock.GetUtcNow();
        if (!shown.Succeeded)
        {
            events.PlaybackFailed(new PlaybackFailedPayload(item.AssetId, "RENDER_FAILED", shown.Error));
            End(pick, startedAt, PlayResults.Error, shown.Error);
            return PlayResults.Error;
        }

        events.PlayStart(new PlayStartPayload(item.PlaylistId, item.AssetId, item.ItemIndex, UtcText.Format(startedAt), pick.Manifest.Etag));
        try
        {
            var (result, reason) = item.Kind == MediaKind.Image
                ? await HoldImageAsync(item, startedAt, scheduleChangeAt, cancellationToken).ConfigureAwait(false)
                : await AwaitVideoEndAsync(item, cancellationToken).ConfigureAwait(false);
            End(pick, startedAt, result, reason);
            return result;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            End(pick, startedAt, PlayResults.Interrupted, "STOPPED");
            throw;
        }
    }

    private async Task<ShowOutcome> ShowAsync(PlayItem item, CancellationToken cancellationToken)
    {
        try
        {
            return item.Kind == MediaKind.Image
                ? await screen.ShowImageAsync(item, cancellationToken).ConfigureAwait(false)
                : await screen.StartVideoAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
#pragma warning disable CA1031 // Whatever a renderer throws, the loop goes on to the next item.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return ShowOutcome.Failed(ex.GetType().Name + ": " + ex.Message);
        }
    }

    private async Task<(string Result, string? Reason)> HoldImageAsync(PlayItem item, DateTimeOffset startedAt, DateTimeOffset? scheduleChangeAt,
        CancellationToken cancellationToken)
    {
        var until = startedAt + TimeSpan.FromMilliseconds(item.DurationMs);
        // A still may be cut at a schedule boundary so the new playlist starts on time; a video never is.
        var cut = scheduleChangeAt is { } change && change < until;
        var wait = (cut ? scheduleChangeAt!.Value : until) - clock.GetUtcNow();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, clock, cancellationToken).ConfigureAwait(false);
        }

        return cut ? (PlayResults.Interrupted, "SCHEDULE_CHANGE") : (PlayResults.Completed, null);
    }

    private async Task<(string Result, string? Reason)> AwaitVideoEndAsync(PlayItem item, CancellationToken cancellationToken)
    {
        var limit = item.DurationMs > 0 ? (TimeSpan.FromMilliseconds(item.DurationMs) * 2) + VideoGrace : TimeSpan.FromHours(1);
        using var watchdog = new CancellationTokenSource(limit, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watchdog.Token);
        ShowOutcome ended;
        try
        {
            ended = await screen.WaitForVideoEndAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ended = ShowOutcome.Failed("VIDEO_STALLED");
        }
#pragma warning disable CA1031 // As above: a renderer's exception is one failed item.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            ended = ShowOutcome.Failed(ex.GetType().Name + ": " + ex.Message);
        }

        if (ended.Succeeded)
        {
            return (PlayResults.Completed, null);
        }

        events.PlaybackFailed(new PlaybackFailedPayload(item.AssetId, "DECODE_ERROR", ended.Error));
        return (PlayResults.Error, ended.Error);
    }

    private void End(Pick pick, DateTimeOffset startedAt, string result, string? reason)
    {
        var item = pick.Item;
        var durationMs = (long)(clock.GetUtcNow() - startedAt).TotalMilliseconds;
        events.PlayEnd(new PlayEndPayload(item.PlaylistId, item.AssetId, item.ItemIndex, UtcText.Format(startedAt), durationMs, result, reason,
            pick.Manifest.Etag));
    }
}
