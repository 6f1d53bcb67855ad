namespace Signage.Player.Core.Api;

/// <summary>Finds the venue's appliance. Today a configured URL; mDNS discovery plugs in here later.</summary>
public interface IApplianceLocator
{
    /// <summary>The appliance's base address, or null when none is known yet.</summary>
    ValueTask<Uri?> LocateAsync(CancellationToken cancellationToken);
}

public sealed class ConfiguredApplianceLocator(Uri baseAddress) : IApplianceLocator
{
    public ValueTask<Uri?> LocateAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Uri?>(baseAddress);
}
