using System.Net;
using System.Net.Sockets;

namespace Signage.Discovery.Transport;

/// <summary>A packet as received: the bytes, who sent it, and the interface it came in on.</summary>
public readonly record struct MdnsPacket(ReadOnlyMemory<byte> Bytes, IPEndPoint From, int InterfaceIndex);

/// <summary>
/// The IPv4 mDNS socket: UDP port 5353 shared with any other mDNS stack on the host (avahi,
/// another appliance process) through SO_REUSEADDR, member of 224.0.0.251 on each chosen interface,
/// sending out of one interface at a time (IP_MULTICAST_IF) and learning the arrival interface of
/// every packet (IP_PKTINFO).
/// </summary>
public sealed class MdnsSocket : IDisposable
{
    public const int Port = 5353;
    public static readonly IPAddress Group = IPAddress.Parse("224.0.0.251");
    public static readonly IPEndPoint GroupEndPoint = new(Group, Port);
    // RFC 6762 section 17: up to 9000 bytes over multicast.
    private const int MaxPacket = 9000;

    private readonly Socket _socket;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly byte[] _receiveBuffer = new byte[MaxPacket];
    private readonly HashSet<int> _joined = [];

    public MdnsSocket()
    {
        _socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            _socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            // RFC 6762 section 11: packets go out with IP TTL 255.
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, 255);
            // Other mDNS processes on this host must hear us too (and we hear ourselves, which the callers expect).
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            _socket.Bind(new IPEndPoint(IPAddress.Any, Port));
        }
        catch
        {
            _socket.Dispose();
            throw;
        }
    }

    /// <summary>Joins 224.0.0.251 on this interface (once; a later call after an address change is harmless).</summary>
    public void Join(MdnsInterface nic)
    {
        lock (_joined)
        {
            if (_joined.Contains(nic.Index)) return;
            try
            {
                _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(Group, nic.Index));
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
            {
                // Already a member on this interface.
            }
            _joined.Add(nic.Index);
        }
    }

    /// <summary>Forgets memberships, so that the next <see cref="Join"/> joins again (an interface that went away and came back).</summary>
    public void ForgetMemberships(IEnumerable<int> stillPresent)
    {
        lock (_joined) _joined.IntersectWith(stillPresent);
    }

    /// <summary>Sends out of this interface, to the group unless <paramref name="to"/> names a unicast destination.</summary>
    public async Task SendAsync(byte[] packet, MdnsInterface nic, CancellationToken cancellationToken, IPEndPoint? to = null)
    {
        await _sendLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // IP_MULTICAST_IF by the interface's address (an int in network order, as the option expects).
            var address = BitConverter.ToInt32(nic.IPv4[0].GetAddressBytes());
            _socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, address);
            await _socket.SendToAsync(packet, SocketFlags.None, to ?? GroupEndPoint, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next packet. The returned bytes are only valid until the next call.</summary>
    public async Task<MdnsPacket> ReceiveAsync(CancellationToken cancellationToken)
    {
        var result = await _socket.ReceiveMessageFromAsync(_receiveBuffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken)
            .ConfigureAwait(false);
        return new MdnsPacket(_receiveBuffer.AsMemory(0, result.ReceivedBytes), (IPEndPoint)result.RemoteEndPoint, result.PacketInformation.Interface);
    }

    public void Dispose()
    {
        _socket.Dispose();
        _sendLock.Dispose();
    }
}
