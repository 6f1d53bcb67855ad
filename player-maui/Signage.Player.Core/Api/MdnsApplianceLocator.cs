using Microsoft.Extensions.Logging;
using Signage.Discovery;

namespace Signage.Player.Core.Api;

/// <summary>
/// Finds the venue's appliance by mDNS / DNS-SD (Signage.Discovery) instead of a typed address: a
/// browser keeps running, so when the appliance moves to a new address the next request goes
/// there. Sticks to the appliance it chose first while that one is on the network; chooses only
/// appliances speaking API v1 and, when <paramref name="venueId"/> is given, serving that venue.
/// On Android the head must hold a Wi-Fi multicast lock while this runs, or the TV drops
/// multicast packets (docs/ARCHITECTURE.md, "Discovery").
/// </summary>
/// <param name="firstWait">How long the first <see cref="LocateAsync"/> waits for an answer before returning null.</param>
public sealed class MdnsApplianceLocator(DiscoveryOptions? options = null, string? venueId = null, TimeSpan? firstWait = null, ILogger? logger = null)
    : IApplianceLocator, IAsyncDisposable
{
    private readonly ApplianceBrowser _browser = new(options, logger);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private readonly TimeSpan _firstWait = firstWait ?? TimeSpan.FromSeconds(5);
    private readonly TaskCompletionSource _anyFound = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _chosen;
    private bool _started;

    public async ValueTask<Uri?> LocateAsync(CancellationToken cancellationToken)
    {
        await EnsureStartedAsync(cancellationToken).ConfigureAwait(false);
        if (Choose() is { } known) return known.BaseUrl;
        try
        {
            await _anyFound.Task.WaitAsync(_firstWait, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        return Choose()?.BaseUrl;
    }

    /// <summary>The chosen appliance, if any is on the network now.</summary>
    public DiscoveredAppliance? Current => Choose();

    private DiscoveredAppliance? Choose()
    {
        var candidates = _browser.Appliances.Where(Suits).ToList();
        var chosen = candidates.FirstOrDefault(a => a.FullName == _chosen) ?? candidates.FirstOrDefault();
        _chosen = chosen?.FullName ?? _chosen;
        return chosen;
    }

    private bool Suits(DiscoveredAppliance appliance) =>
        appliance.ApiVersion == "1" && (venueId is null || appliance.VenueId == venueId);

    private async Task EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_started) return;
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_started) return;
            _browser.Found += OnSeen;
            _browser.Changed += (_, after) => OnSeen(after);
            await _browser.StartAsync().ConfigureAwait(false);
            _started = true;
        }
        finally
        {
            _startLock.Release();
        }
    }

    private void OnSeen(DiscoveredAppliance appliance)
    {
        if (Suits(appliance)) _anyFound.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync().ConfigureAwait(false);
        _startLock.Dispose();
    }
}
