namespace Signage.Discovery;

/// <summary>What both the responder and the browser need to know about the network side.</summary>
public sealed record DiscoveryOptions
{
    /// <summary>
    /// The DNS-SD service type of a signage appliance (RFC 6763 section 7): instances are
    /// <c>&lt;venue name&gt;._signage-appliance._tcp.local</c>.
    /// </summary>
    public const string ApplianceServiceType = "_signage-appliance._tcp.local";

    public string ServiceType { get; init; } = ApplianceServiceType;

    /// <summary>Interface names to use (e.g. <c>eth0</c>); empty = every suitable one (up, multicast, not loopback).</summary>
    public IReadOnlyList<string> Interfaces { get; init; } = [];

    /// <summary>Also use loopback interfaces (tests on a multicast-enabled <c>lo</c>).</summary>
    public bool AllowLoopback { get; init; }

    /// <summary>How often the interfaces and their addresses are looked at again (an address change is re-announced).</summary>
    public TimeSpan InterfacePollInterval { get; init; } = TimeSpan.FromSeconds(5);

    public TimeProvider Clock { get; init; } = TimeProvider.System;
}
