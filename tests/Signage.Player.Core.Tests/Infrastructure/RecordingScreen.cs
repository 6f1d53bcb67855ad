using System.Collections.Concurrent;
using Signage.Player.Core.Playback;

namespace Signage.Player.Core.Tests.Infrastructure;

/// <summary>A head for tests: remembers what it was told to show. Videos end when the fake clock has
/// run their length (or never, with <see cref="VideosNeverEnd"/>); <see cref="FailAssets"/> make a render fail.</summary>
public sealed class RecordingScreen(TimeProvider clock) : IPlayerScreen
{
    private Task<ShowOutcome> _videoEnd = Task.FromResult(ShowOutcome.Ok);

    public ConcurrentQueue<(DateTimeOffset At, string What)> Shown { get; } = new();

    public HashSet<string> FailAssets { get; } = [];

    public bool VideosNeverEnd { get; set; }

    public TaskCompletionSource<ShowOutcome>? ManualVideoEnd { get; set; }

    public IReadOnlyList<string> ShownNames => [.. Shown.Select(s => s.What)];

    public Task<ShowOutcome> ShowImageAsync(PlayItem item, CancellationToken cancellationToken) => Show(item);

    public Task<ShowOutcome> StartVideoAsync(PlayItem item, CancellationToken cancellationToken)
    {
        _videoEnd = ManualVideoEnd is { } manual ? manual.Task
            : VideosNeverEnd ? new TaskCompletionSource<ShowOutcome>().Task
            : Task.Delay(TimeSpan.FromMilliseconds(item.DurationMs), clock, cancellationToken).ContinueWith(_ => ShowOutcome.Ok, TaskScheduler.Default);
        return Show(item);
    }

    public Task<ShowOutcome> WaitForVideoEndAsync(CancellationToken cancellationToken) => _videoEnd.WaitAsync(cancellationToken);

    public Task ShowErrorScreenAsync(string reason, CancellationToken cancellationToken)
    {
        Shown.Enqueue((clock.GetUtcNow(), "ERROR_SCREEN"));
        return Task.CompletedTask;
    }

    public Task ShowPairingAsync(PairingScreen pairing, CancellationToken cancellationToken)
    {
        Shown.Enqueue((clock.GetUtcNow(), "PAIRING:" + pairing.Code));
        return Task.CompletedTask;
    }

    private Task<ShowOutcome> Show(PlayItem item)
    {
        if (FailAssets.Contains(item.AssetId))
        {
            return Task.FromResult(ShowOutcome.Failed("decoder refused"));
        }

        Shown.Enqueue((clock.GetUtcNow(), item.AssetId));
        return Task.FromResult(ShowOutcome.Ok);
    }
}
