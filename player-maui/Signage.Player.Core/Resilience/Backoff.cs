namespace Signage.Player.Core.Resilience;

/// <summary>Exponential backoff with jitter (spec 28.6 "failure: exponential backoff"). Jitter keeps a
/// venue's screens from retrying in lock-step after the appliance comes back. A server's Retry-After
/// (429/503) wins over the computed delay: we never come back sooner than asked.</summary>
public sealed class Backoff(TimeSpan initial, TimeSpan maximum, Random random)
{
    private int _failures;

    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Counts a failure and returns how long to wait before the next try.</summary>
    public TimeSpan NextDelay(TimeSpan? retryAfter = null)
    {
        var failures = Interlocked.Increment(ref _failures);
        if (retryAfter is { } asked && asked > TimeSpan.Zero)
        {
            // Up to 10% on top so screens told the same Retry-After do not all return together.
            return asked + (asked * (Random() * 0.1));
        }

        var exponent = Math.Min(failures - 1, 30);
        var ceiling = TimeSpan.FromTicks((long)Math.Min(maximum.Ticks, initial.Ticks * Math.Pow(2, exponent)));
        // "Equal jitter": between half and all of the ceiling, so the delay still grows with each failure.
        return ceiling * (0.5 + (Random() * 0.5));
    }

    public void Reset() => Interlocked.Exchange(ref _failures, 0);

    private double Random()
    {
        lock (random)
        {
            return random.NextDouble();
        }
    }
}
