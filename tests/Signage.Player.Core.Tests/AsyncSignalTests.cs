using Signage.Player.Core.Resilience;

namespace Signage.Player.Core.Tests;

public sealed class AsyncSignalTests
{
    [Fact]
    public async Task A_set_between_taking_next_and_waiting_is_not_lost()
    {
        var signal = new AsyncSignal();
        var next = signal.Next;
        signal.Set(); // e.g. a download finishing while the error screen goes up

        Assert.True(await AsyncSignal.WaitAsync(next, TimeSpan.FromSeconds(5), TimeProvider.System, CancellationToken.None));
        // Waiting afresh only sees later sets.
        Assert.False(await signal.WaitAsync(TimeSpan.FromMilliseconds(20), TimeProvider.System, CancellationToken.None));
    }
}
