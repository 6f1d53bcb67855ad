using System.Net;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;

namespace Signage.Discovery.Transport;

/// <summary>A packet as received: the bytes, who sent it (an IPv4 or IPv6 end point), and the interface it came in on.</summary>
public readonly record struct MdnsPacket(ReadOnlyMemory<byte> Bytes, IPEndPoint From, int InterfaceIndex);

/// <summary>
/// mDNS on UDP port 5353 over both IP families (RFC 6762 section 20: IPv4 group 224.0.0.251, IPv6
/// group ff02::fb): one socket per family, each sharing the port with any other mDNS stack on the
/// host (avahi, another appliance process) through SO_REUSEADDR, member of its group on each chosen
/// interface that has an address of that family, sending out of one interface at a time
/// (IP_MULTICAST_IF / IPV6_MULTICAST_IF) and learning the arrival interface of every packet
/// (IP_PKTINFO / IPV6_PKTINFO). The IPv6 socket is best effort: a host with IPv6 turned off runs on
/// IPv4 alone (<see cref="HasIPv6"/>).
/// </summary>
public sealed class MdnsSocket : IDisposable
{
    public const int Port = 5353;
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.251");
    public static readonly IPEndPoint GroupEndPoint = new(Group, Port);
    public static readonly IPAddress GroupV6 = IPAddress.Parse("ff02::fb");
    public static readonly IPEndPoint GroupEndPointV6 = new(GroupV6, Port);
    // RFC 6762 section 17: up to 9000 bytes over multicast.
    private const int MaxPacket = 9000;

    private readonly Family _v4;
    private readonly Family? _v6;
    private readonly CancellationTokenSource _closing = new();

    /// <param name="ipv6">Also open the IPv6 socket (when the host has IPv6); false = IPv4 only.</param>
    public MdnsSocket(bool ipv6 = true)
    {
        _v4 = new Family(AddressFamily.InterNetwork);
        if (!ipv6 || !Socket.OSSupportsIPv6) return;
        try
        {
            _v6 = new Family(AddressFamily.InterNetworkV6);
        }
        catch (SocketException)
        {
            // IPv6 present but unusable here (e.g. disabled for this namespace): IPv4 alone still works.
        }
    }

    /// <summary>True when the IPv6 socket is open (queries and answers also go to ff02::fb).</summary>
    public bool HasIPv6 => _v6 is not null;

    /// <summary>Joins the group of each family the interface has an address of (once per family and
    /// interface; a later call after an address change is harmless).</summary>
    public void Join(MdnsInterface nic)
    {
        if (nic.IPv4.Count > 0) _v4.Join(nic.Index);
        if (nic.IPv6.Count == 0 || _v6 is null) return;
        try
        {
            _v6.Join(nic.Index);
        }
        catch (SocketException)
        {
            // This interface refuses IPv6 multicast (e.g. a loopback without it): IPv4 still serves it;
            // the next interface poll tries again.
        }
    }

    /// <summary>Forgets memberships, so that the next <see cref="Join"/> joins again (an interface that went away and came back).</summary>
    public void ForgetMemberships(IEnumerable<int> stillPresent)
    {
        var present = stillPresent.ToList();
        _v4.ForgetMemberships(present);
        _v6?.ForgetMemberships(present);
    }

    /// <summary>
    /// Sends out of this interface: to <paramref name="to"/> when it names a unicast destination
    /// (over that address's family), else to the group of each family the interface has an address of,
    /// or of <paramref name="family"/> only (an answer goes back over the family its query came by).
    /// </summary>
    public async Task SendAsync(byte[] packet, MdnsInterface nic, CancellationToken cancellationToken, IPEndPoint? to = null, AddressFamily? family = null)
    {
        if (to is not null)
        {
            var socket = to.AddressFamily == AddressFamily.InterNetworkV6 ? _v6 : _v4;
            if (socket is not null) await socket.SendAsync(packet, nic, to, cancellationToken).ConfigureAwait(false);
            return;
        }
        // One family failing (e.g. IPv6 addresses still "tentative" right after a link comes up) does
        // not stop the other; only when nothing could be sent does the caller hear of it.
        var sent = false;
        SocketException? failure = null;
        if ((family is null or AddressFamily.InterNetwork) && nic.IPv4.Count > 0)
        {
            try
            {
                await _v4.SendAsync(packet, nic, GroupEndPoint, cancellationToken).ConfigureAwait(false);
                sent = true;
            }
            catch (SocketException e)
            {
                failure = e;
            }
        }
        if ((family is null or AddressFamily.InterNetworkV6) && nic.IPv6.Count > 0 && _v6 is not null)
        {
            try
            {
                await _v6.SendAsync(packet, nic, GroupEndPointV6, cancellationToken).ConfigureAwait(false);
                sent = true;
            }
            catch (SocketException e)
            {
                failure ??= e;
            }
        }
        if (!sent && failure is not null) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>The next packet from either family. The returned bytes are only valid until the next call.</summary>
    public async Task<MdnsPacket> ReceiveAsync(CancellationToken cancellationToken)
    {
        // Each family keeps one receive outstanding; the first to complete is handed out and re-armed on the next call.
        var v4 = _v4.Pending(_closing.Token);
        var done = _v6 is null ? v4 : await Task.WhenAny(v4, _v6.Pending(_closing.Token)).WaitAsync(cancellationToken).ConfigureAwait(false);
        var family = done == v4 ? _v4 : _v6!;
        return await family.TakeAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose()
    {
        _closing.Cancel();
        _v4.Dispose();
        _v6?.Dispose();
        _closing.Dispose();
    }

    /// <summary>One family's socket, its memberships and its outstanding receive.</summary>
    private sealed class Family : IDisposable
    {
        private readonly Socket _socket;
        private readonly bool _v6;
        private readonly SemaphoreSlim _sendLock = new(1, 1);
        private readonly byte[] _buffer = new byte[MaxPacket];
        private readonly HashSet<int> _joined = [];
        private Task<SocketReceiveMessageFromResult>? _receive;

        public Family(AddressFamily family)
        {
            _v6 = family == AddressFamily.InterNetworkV6;
            _socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
            var level = _v6 ? SocketOptionLevel.IPv6 : SocketOptionLevel.IP;
            try
            {
                _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                // IPv6 only on the IPv6 socket: IPv4 has its own socket on the same port.
                if (_v6) _socket.DualMode = false;
                _socket.SetSocketOption(level, SocketOptionName.PacketInformation, true);
                // RFC 6762 section 11: packets go out with IP TTL / hop limit 255.
                _socket.SetSocketOption(level, SocketOptionName.MulticastTimeToLive, 255);
                // Other mDNS processes on this host must hear us too (and we hear ourselves, which the callers expect).
                _socket.SetSocketOption(level, SocketOptionName.MulticastLoopback, true);
                _socket.Bind(new IPEndPoint(_v6 ? IPAddress.IPv6Any : IPAddress.Any, Port));
            }
            catch
            {
                _socket.Dispose();
                throw;
            }
        }

        public void Join(int index)
        {
            lock (_joined)
            {
                if (_joined.Contains(index)) return;
                try
                {
                    if (_v6) _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.AddMembership, new IPv6MulticastOption(GroupV6, index));
                    else _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group, index));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
                {
                    // Already a member on this interface.
                }
                _joined.Add(index);
            }
        }

        public void ForgetMemberships(IReadOnlyCollection<int> stillPresent)
        {
            lock (_joined) _joined.IntersectWith(stillPresent);
        }

        public async Task SendAsync(byte[] packet, MdnsInterface nic, IPEndPoint to, CancellationToken cancellationToken)
        {
            await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_v6)
                {
                    // IPV6_MULTICAST_IF takes the interface index.
                    _socket.SetSocketOption(SocketOptionLevel.IPv6, SocketOptionName.MulticastInterface, nic.Index);
                }
                else
                {
                    // IP_MULTICAST_IF by the interface's address (an int in network order, as the option expects).
                    _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, BitConverter.ToInt32(nic.IPv4[0].GetAddressBytes()));
                }
                await _socket.SendToAsync(packet, SocketFlags.None, to, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sendLock.Release();
            }
        }

        public Task<SocketReceiveMessageFromResult> Pending(CancellationToken closing) =>
            _receive ??= _socket.ReceiveMessageFromAsync(_buffer, SocketFlags.None, new IPEndPoint(_v6 ? IPAddress.IPv6Any : IPAddress.Any, 0), closing).AsTask();

        /// <summary>The completed receive's packet; the next <see cref="Pending"/> starts a new one.</summary>
        public async Task<MdnsPacket> TakeAsync(CancellationToken cancellationToken)
        {
            var receive = _receive!;
            _receive = null;
            var result = await receive.WaitAsync(cancellationToken).ConfigureAwait(false);
            return new MdnsPacket(_buffer.AsMemory(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint, result.PacketInformation.Interface);
        }

        public void Dispose()
        {
            _socket.Dispose();
            _sendLock.Dispose();
        }
    }
}
