namespace Signage.Player.Core.Resilience;

/// <summary>Wakes every waiter once when set (a new manifest, a finished download…); waiters also give
/// up after a timeout measured on the injected clock, so tests drive it with a fake one.</summary>
public sealed class AsyncSignal
{
    private TaskCompletionSource _next = NewSource();

    public void Set() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    /// <summary>Returns true when set, false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        var signalled = Volatile.Read(ref _next).Task;
        if (timeout <= TimeSpan.Zero)
        {
            return signalled.IsCompleted;
        }

        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var delay = Task.Delay(timeout, clock, timer.Token);
        var first = await Task.WhenAny(signalled, delay).ConfigureAwait(false);
        await timer.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return first == signalled;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
