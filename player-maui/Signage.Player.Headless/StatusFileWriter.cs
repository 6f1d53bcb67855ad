using System.Text.Json;
using Signage.Player.Core;
using Signage.Player.Core.Resilience;
using Signage.Player.Core.Storage;

namespace Signage.Player.Headless;

/// <summary>Keeps DATA/status.json current: rewritten atomically whenever the player's status changes
/// (at most every 200 ms), and once a second for counters that move on their own.</summary>
internal sealed class StatusFileWriter(string path, PlayerCoordinator player)
{
    private static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(1);
    private readonly AsyncSignal _changed = new();
    private byte[] _written = [];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        player.StatusChanged += _changed.Set;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                WriteIfChanged();
                await _changed.WaitAsync(Refresh, TimeProvider.System, cancellationToken).ConfigureAwait(false);
                await Task.Delay(Coalesce, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            player.StatusChanged -= _changed.Set;
        }
    }

    public void WriteIfChanged()
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(player.Status(), HeadlessJsonContext.Default.PlayerStatus);
        if (json.AsSpan().SequenceEqual(_written))
        {
            return;
        }

        AtomicFile.WriteAllBytes(path, json);
        _written = json;
    }
}
