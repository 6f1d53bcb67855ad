namespace Signage.Player.Core.Api;

/// <summary>Finds the venue's appliance: a configured URL (<see cref="ConfiguredApplianceLocator"/>) or mDNS (<see cref="MdnsApplianceLocator"/>).</summary>
public interface IApplianceLocator
{
    /// <summary>The appliance's base address, or null when none is known yet.</summary>
    ValueTask<Uri?> LocateAsync(CancellationToken cancellationToken);
}

public sealed class ConfiguredApplianceLocator(Uri baseAddress) : IApplianceLocator
{
    public ValueTask<Uri?> LocateAsync(CancellationToken cancellationToken) => ValueTask.FromResult<Uri?>(baseAddress);
}
