namespace Signage.Player.Core.Resilience;

/// <summary>Wakes every waiter once when set (a new manifest, a finished download…); waiters also give
/// up after a timeout measured on the injected clock, so tests drive it with a fake one.</summary>
public sealed class AsyncSignal
{
    private TaskCompletionSource _next = NewSource();

    public void Set() => Interlocked.Exchange(ref _next, NewSource()).TrySetResult();

    /// <summary>The next <see cref="Set"/>, taken now: a caller that looks at the world and then waits takes this
    /// first, so a Set in between is not lost (pass it to <see cref="WaitAsync(Task, TimeSpan, TimeProvider, CancellationToken)"/>).</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Returns true when set, false when <paramref name="timeout"/> passed first.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken) =>
        WaitAsync(Next, timeout, clock, cancellationToken);

    /// <summary>Waits for <paramref name="signalled"/> (from <see cref="Next"/>): true when set, false on timeout.</summary>
    public static async Task<bool> WaitAsync(Task signalled, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
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
