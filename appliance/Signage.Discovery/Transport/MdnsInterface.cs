using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Signage.Discovery.Transport;

/// <summary>One network interface mDNS runs on, with the addresses it has right now.</summary>
public sealed record MdnsInterface(int Index, string Name, IReadOnlyList<IPAddress> IPv4, IReadOnlyList<IPAddress> IPv6)
{
    public IEnumerable<IPAddress> Addresses => IPv4.Concat(IPv6);

    /// <summary>Same interface with the same addresses (records are re-announced when this changes).</summary>
    public bool SameAs(MdnsInterface other) =>
        Index == other.Index && IPv4.SequenceEqual(other.IPv4) && IPv6.SequenceEqual(other.IPv6);

    /// <summary>
    /// The interfaces to use: up, multicast-capable, with at least one IPv4 or IPv6 address (mDNS runs
    /// on 224.0.0.251 and ff02::fb, each where the interface has that family), loopback only when
    /// allowed, and only the named ones when names are given.
    /// </summary>
    public static IReadOnlyList<MdnsInterface> Suitable(DiscoveryOptions options)
    {
        var chosen = new List<MdnsInterface>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            var loopback = nic.NetworkInterfaceType == NetworkInterfaceType.Loopback;
            if (loopback && !options.AllowLoopback) continue;
            // Linux reports lo (and some virtual links) as "Unknown" rather than "Up".
            if (nic.OperationalStatus != OperationalStatus.Up && !(loopback && nic.OperationalStatus == OperationalStatus.Unknown)) continue;
            if (!nic.SupportsMulticast && !loopback) continue;
            if (options.Interfaces.Count > 0 && !options.Interfaces.Contains(nic.Name, StringComparer.Ordinal)) continue;
            IPInterfaceProperties properties;
            int index;
            try
            {
                properties = nic.GetIPProperties();
                // The same ifindex either way on Linux; an IPv6-only link has no IPv4 properties.
                index = (nic.Supports(NetworkInterfaceComponent.IPv4) ? properties.GetIPv4Properties()?.Index : null)
                    ?? (nic.Supports(NetworkInterfaceComponent.IPv6) ? properties.GetIPv6Properties()?.Index : null)
                    ?? -1;
            }
            catch (NetworkInformationException)
            {
                continue;
            }
            var unicast = properties.UnicastAddresses.Select(a => a.Address).ToList();
            var v4 = unicast.Where(a => a.AddressFamily == AddressFamily.InterNetwork).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
            var v6 = unicast.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6).OrderBy(a => a.ToString(), StringComparer.Ordinal).ToList();
            if ((v4.Count == 0 && v6.Count == 0) || index < 0) continue;
            chosen.Add(new MdnsInterface(index, nic.Name, v4, v6));
        }
        return chosen;
    }
}
