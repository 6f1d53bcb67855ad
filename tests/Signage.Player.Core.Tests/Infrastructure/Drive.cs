using Microsoft.Extensions.Time.Testing;

namespace Signage.Player.Core.Tests.Infrastructure;

public static class Drive
{
    /// <summary>Moves the fake clock on in steps, letting the player's tasks run between steps, until
    /// <paramref name="condition"/> holds. Fails after <paramref name="limit"/> of fake time.</summary>
    public static async Task UntilAsync(this FakeTimeProvider clock, Func<bool> condition, TimeSpan? step = null, TimeSpan? limit = null)
    {
        var by = step ?? TimeSpan.FromSeconds(1);
        var end = clock.GetUtcNow() + (limit ?? TimeSpan.FromMinutes(10));
        var realDeadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (clock.GetUtcNow() >= end || DateTime.UtcNow > realDeadline)
            {
                throw new TimeoutException($"Condition not met by {clock.GetUtcNow():O}.");
            }

            // Real time for continuations on the thread pool, then fake time for the player's timers.
            await Task.Delay(2);
            clock.Advance(by);
        }
    }

    /// <summary>Lets queued continuations run without moving the fake clock.</summary>
    public static async Task SettleAsync(int rounds = 5)
    {
        for (var i = 0; i < rounds; i++)
        {
            await Task.Delay(2);
        }
    }
}
