using Signage.Player.Core.Resilience;

namespace Signage.Player.Core.Tests;

public sealed class BackoffTests
{
    [Fact]
    public void Delays_grow_exponentially_within_the_jitter_band_and_stop_at_the_maximum()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), new Random(1));
        var ceilings = new[] { 2, 4, 8, 16, 32, 60, 60 };
        foreach (var ceiling in ceilings)
        {
            var delay = backoff.NextDelay().TotalSeconds;
            Assert.InRange(delay, ceiling * 0.5, ceiling);
        }
    }

    [Fact]
    public void Jitter_spreads_screens_that_failed_together()
    {
        var delays = Enumerable.Range(0, 20).Select(seed =>
        {
            var backoff = new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), new Random(seed));
            backoff.NextDelay();
            backoff.NextDelay();
            return backoff.NextDelay();
        }).Distinct().Count();
        Assert.True(delays > 10);
    }

    [Fact]
    public void Retry_after_is_never_undercut()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), new Random(3));
        var delay = backoff.NextDelay(TimeSpan.FromSeconds(120));
        Assert.InRange(delay.TotalSeconds, 120, 132);
    }

    [Fact]
    public void Reset_starts_again_from_the_initial_delay()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), new Random(3));
        for (var i = 0; i < 6; i++)
        {
            backoff.NextDelay();
        }

        backoff.Reset();
        Assert.InRange(backoff.NextDelay().TotalSeconds, 1, 2);
    }
}
