using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Signage.Discovery.Dns;
using Signage.Discovery.Transport;

namespace Signage.Discovery;

/// <summary>
/// Advertises one DNS-SD service instance over mDNS (RFC 6762/6763):
/// probes for the instance name and takes "Name (2)", "Name (3)"… when another host owns it;
/// announces twice, one second apart; answers queries (with known-answer suppression) on every
/// suitable interface, over IPv4 (224.0.0.251) and IPv6 (ff02::fb), with that interface's own
/// addresses (A and AAAA); re-announces when an interface or its
/// addresses change; says goodbye (TTL 0) when stopped.
/// Simplifications, on purpose: answers always go out by multicast (a unicast reply to port 5353
/// could land in avahi's socket on the querier's host), probes ask for multicast answers for the same
/// reason, and simultaneous-probe tie-breaking (RFC 6762 section 8.2) is not done.
/// </summary>
public sealed partial class MdnsResponder : IAsyncDisposable
{
    public const uint HostRecordTtl = 120;   // SRV, A, AAAA (RFC 6762 section 10)
    public const uint OtherRecordTtl = 4500; // PTR, TXT
    private const string ServicesEnumeration = "_services._dns-sd._udp.local";
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan AnnounceInterval = TimeSpan.FromSeconds(1);

    private readonly ServiceAdvertisement _advertisement;
    private readonly DiscoveryOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private MdnsSocket? _socket;
    private IReadOnlyList<MdnsInterface> _interfaces = [];
    private Task _receiveLoop = Task.CompletedTask;
    private Task _watchLoop = Task.CompletedTask;
    private volatile bool _probing;
    private volatile bool _conflictSeen;
    private volatile bool _announced;

    public MdnsResponder(ServiceAdvertisement advertisement, DiscoveryOptions options, ILogger? logger = null)
    {
        advertisement.Validate();
        _advertisement = advertisement;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        InstanceName = DnsName.TruncateLabel(advertisement.InstanceName, reserveBytes: 5);
    }

    /// <summary>The instance label in use: the advertised name, or its "(n)" variant after a conflict.</summary>
    public string InstanceName { get; private set; }

    public string InstanceFullName => DnsName.Prepend(InstanceName, _options.ServiceType);

    public string HostFullName => _advertisement.HostName + ".local";

    /// <summary>The interfaces answered on (re-read every <see cref="DiscoveryOptions.InterfacePollInterval"/>).</summary>
    public IReadOnlyList<MdnsInterface> Interfaces => _interfaces;

    /// <summary>Opens the socket, probes, announces the first time; returns once the instance is on the network.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _socket = new MdnsSocket();
        _interfaces = MdnsInterface.Suitable(_options);
        if (_interfaces.Count == 0) LogNoInterface(_logger);
        foreach (var nic in _interfaces) _socket.Join(nic);
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(_stopping.Token), CancellationToken.None);
        await ProbeAsync(cancellationToken).ConfigureAwait(false);
        await AnnounceAsync(_interfaces, cancellationToken).ConfigureAwait(false);
        _watchLoop = Task.Run(() => WatchInterfacesAsync(_stopping.Token), CancellationToken.None);
    }

    /// <summary>Goodbyes (every record with TTL 0) on every interface, then the socket closes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_socket is null || _stopping.IsCancellationRequested) return;
        if (_announced)
        {
            foreach (var nic in _interfaces)
                await SendAsync(DnsMessage.Response([.. Records(nic).Select(r => r with { Ttl = 0 })]), nic, cancellationToken).ConfigureAwait(false);
            LogGoodbye(_logger, InstanceFullName);
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await Task.WhenAll(_receiveLoop, _watchLoop).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _stopping.Dispose();
    }

    /// <summary>The records this responder owns, with the addresses of <paramref name="nic"/>.</summary>
    internal List<DnsRecord> Records(MdnsInterface nic)
    {
        var instance = InstanceFullName;
        var records = new List<DnsRecord>
        {
            DnsRecord.Ptr(_options.ServiceType, instance, OtherRecordTtl),
            DnsRecord.Ptr(ServicesEnumeration, _options.ServiceType, OtherRecordTtl),
            DnsRecord.Srv(instance, (ushort)_advertisement.Port, HostFullName, HostRecordTtl),
            DnsRecord.Txt(instance, _advertisement.Txt, OtherRecordTtl),
        };
        records.AddRange(nic.Addresses.Select(a => DnsRecord.Address(HostFullName, a, HostRecordTtl)));
        return records;
    }

    /// <summary>
    /// RFC 6762 section 8.1: three queries for the instance name, 250 ms apart, with the records we
    /// intend to own in the authority section. Any answer from another host for that name is a
    /// conflict: take the next name and probe again.
    /// </summary>
    private async Task ProbeAsync(CancellationToken cancellationToken)
    {
        var clock = _options.Clock;
        await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 250)), clock, cancellationToken).ConfigureAwait(false);
        _probing = true;
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                _conflictSeen = false;
                for (var probe = 0; probe < 3 && !_conflictSeen; probe++)
                {
                    foreach (var nic in _interfaces)
                    {
                        var proposed = Records(nic).Where(r => DnsName.Equal(r.Name, InstanceFullName)).ToList();
                        var query = DnsMessage.Query([new DnsQuestion(InstanceFullName, DnsType.Any)], authorities: proposed);
                        await SendAsync(query, nic, cancellationToken).ConfigureAwait(false);
                    }
                    await Task.Delay(ProbeInterval, clock, cancellationToken).ConfigureAwait(false);
                }
                if (!_conflictSeen) return;
                var taken = InstanceName;
                InstanceName = NextName(InstanceName);
                LogConflict(_logger, taken, InstanceName);
                // After many conflicts in a row, slow down (RFC 6762 section 8.1: 15 conflicts → wait).
                if (attempt >= 15) await Task.Delay(TimeSpan.FromSeconds(5), clock, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _probing = false;
        }
    }

    /// <summary>"Bar" → "Bar (2)" → "Bar (3)" (RFC 6763 section 9's suggestion).</summary>
    internal static string NextName(string name)
    {
        var match = NumberedName().Match(name);
        return match.Success
            ? $"{match.Groups[1].Value} ({int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) + 1})"
            : $"{name} (2)";
    }

    [GeneratedRegex(@"^(.*) \((\d{1,6})\)$")]
    private static partial Regex NumberedName();

    private async Task AnnounceAsync(IReadOnlyList<MdnsInterface> interfaces, CancellationToken cancellationToken)
    {
        await AnnounceOnceAsync(interfaces, cancellationToken).ConfigureAwait(false);
        _announced = true;
        LogAnnounced(_logger, InstanceFullName, HostFullName, _advertisement.Port, string.Join(", ", interfaces.Select(i => i.Name)));
        // The second announcement one second later (RFC 6762 section 8.3), without holding up the caller.
        _ = Task.Run(async () =>
        {
            try
            {
                await Task.Delay(AnnounceInterval, _options.Clock, _stopping.Token).ConfigureAwait(false);
                await AnnounceOnceAsync(interfaces, _stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                // Stopped within the second: the goodbye has gone or goes instead.
            }
        }, CancellationToken.None);
    }

    private async Task AnnounceOnceAsync(IReadOnlyList<MdnsInterface> interfaces, CancellationToken cancellationToken)
    {
        foreach (var nic in interfaces) await SendAsync(DnsMessage.Response(Records(nic)), nic, cancellationToken).ConfigureAwait(false);
    }

    private async Task WatchInterfacesAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.InterfacePollInterval, _options.Clock, cancellationToken).ConfigureAwait(false);
                var now = MdnsInterface.Suitable(_options);
                var changed = now.Where(n => !_interfaces.Any(o => o.SameAs(n))).ToList();
                if (changed.Count == 0 && now.Count == _interfaces.Count) continue;
                _socket!.ForgetMemberships(now.Select(n => n.Index));
                foreach (var nic in now) _socket.Join(nic);
                _interfaces = now;
                LogInterfacesChanged(_logger, string.Join(", ", now.Select(n => $"{n.Name} [{string.Join(' ', n.Addresses)}]")));
                // The records carry the cache-flush bit, so browsers replace the old addresses with these.
                if (changed.Count > 0) await AnnounceAsync(changed, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            MdnsPacket packet;
            DnsMessage message;
            try
            {
                packet = await _socket!.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                message = DnsMessage.Decode(packet.Bytes.Span);
            }
            catch (DnsFormatException e)
            {
                LogMalformed(_logger, e.Message);
                continue;
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (System.Net.Sockets.SocketException e)
            {
                LogReceiveFailed(_logger, e.Message);
                continue;
            }

            try
            {
                if (message.IsResponse) CheckConflict(message);
                else if (!_probing && _announced) await AnswerAsync(message, packet, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: the socket may be gone under a reply in flight.
                return;
            }
            catch (Exception e)
            {
                // One bad exchange must not stop the responder.
                LogHandlingFailed(_logger, e);
            }
        }
    }

    /// <summary>A response from someone else with a record for our instance name that is not ours.</summary>
    private void CheckConflict(DnsMessage response)
    {
        var instance = InstanceFullName;
        var ours = _interfaces.Count > 0 ? Records(_interfaces[0]) : [];
        foreach (var record in response.AllRecords)
        {
            if (!DnsName.Equal(record.Name, instance) || record.Ttl == 0) continue;
            if (ours.Any(o => o.SameAs(record))) continue;
            if (_probing) _conflictSeen = true;
            else LogConflictAfterAnnounce(_logger, instance);
            return;
        }
    }

    private async Task AnswerAsync(DnsMessage query, MdnsPacket packet, CancellationToken cancellationToken)
    {
        var nic = _interfaces.FirstOrDefault(n => n.Index == packet.InterfaceIndex);
        if (nic is null) return;
        var (answers, additionals) = Answer(query, nic);
        if (answers.Count == 0) return;

        if (packet.From.Port != MdnsSocket.Port)
        {
            // A legacy resolver (a one-shot query from an ephemeral port, RFC 6762 section 6.7): a plain
            // unicast DNS answer with its id and question, no cache-flush bits, TTLs of at most 10 s.
            static DnsRecord Legacy(DnsRecord r) => r with { CacheFlush = false, Ttl = Math.Min(r.Ttl, 10) };
            var reply = new DnsMessage(query.Id, true, true, query.Questions, [.. answers.Select(Legacy)], [], [.. additionals.Select(Legacy)]);
            await SendAsync(reply, nic, cancellationToken, packet.From).ConfigureAwait(false);
            return;
        }

        // Shared records (the PTRs) may be answered by many hosts at once: wait 20–120 ms (RFC 6762 section 6).
        if (answers.Any(a => !a.CacheFlush))
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(20, 120)), _options.Clock, cancellationToken).ConfigureAwait(false);
        // To the group of the family the query came by (a dual-stack querier asks over both and hears both).
        await SendAsync(DnsMessage.Response(answers, additionals), nic, cancellationToken, family: packet.From.AddressFamily).ConfigureAwait(false);
    }

    /// <summary>
    /// What to answer to <paramref name="query"/> arriving on <paramref name="nic"/>: the matching records
    /// the querier does not already hold (known-answer suppression, RFC 6762 section 7.1: listed with at
    /// least half our TTL), and DNS-SD's additional records (RFC 6763 section 12: with a PTR go the SRV,
    /// TXT and addresses; with an SRV the addresses).
    /// </summary>
    internal (List<DnsRecord> Answers, List<DnsRecord> Additionals) Answer(DnsMessage query, MdnsInterface nic)
    {
        var records = Records(nic);
        var answers = new List<DnsRecord>();
        foreach (var question in query.Questions)
        {
            foreach (var record in records.Where(question.Matches))
            {
                if (query.Answers.Any(known => known.SameAs(record) && known.Ttl >= record.Ttl / 2)) continue;
                if (!answers.Contains(record)) answers.Add(record);
            }
        }
        var instance = InstanceFullName;
        var additionals = new List<DnsRecord>();
        if (answers.Count == 0) return (answers, additionals);
        var wantsInstance = answers.Any(a => a.Data is PtrData ptr && DnsName.Equal(ptr.Target, instance));
        var wantsHost = wantsInstance || answers.Any(a => a.Type == DnsType.Srv);
        foreach (var record in records)
        {
            var useful = (wantsInstance && DnsName.Equal(record.Name, instance)) || (wantsHost && DnsName.Equal(record.Name, HostFullName));
            if (useful && !answers.Contains(record)) additionals.Add(record);
        }
        return (answers, additionals);
    }

    private async Task SendAsync(DnsMessage message, MdnsInterface nic, CancellationToken cancellationToken, IPEndPoint? to = null,
        System.Net.Sockets.AddressFamily? family = null)
    {
        try
        {
            await _socket!.SendAsync(message.Encode(), nic, cancellationToken, to, family).ConfigureAwait(false);
        }
        catch (System.Net.Sockets.SocketException e)
        {
            // An interface that just went down: the next interface poll drops it.
            LogSendFailed(_logger, nic.Name, e.Message);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "mDNS: advertising {Instance} at {Host}:{Port} on {Interfaces}")]
    private static partial void LogAnnounced(ILogger logger, string instance, string host, int port, string interfaces);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "mDNS: the name {Taken} is in use on the network; trying {Next}")]
    private static partial void LogConflict(ILogger logger, string taken, string next);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Information, Message = "mDNS: goodbye sent for {Instance}")]
    private static partial void LogGoodbye(ILogger logger, string instance);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "mDNS: interfaces now {Interfaces}")]
    private static partial void LogInterfacesChanged(ILogger logger, string interfaces);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Debug, Message = "mDNS: ignored a malformed packet: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7006, Level = LogLevel.Warning, Message = "mDNS: receive failed: {Reason}")]
    private static partial void LogReceiveFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7007, Level = LogLevel.Warning, Message = "mDNS: a query could not be handled")]
    private static partial void LogHandlingFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7008, Level = LogLevel.Warning, Message = "mDNS: could not send on {Interface}: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string @interface, string reason);

    [LoggerMessage(EventId = 7009, Level = LogLevel.Warning, Message = "mDNS: no suitable network interface (up, multicast, with an IPv4 or IPv6 address); nothing will be advertised until one appears")]
    private static partial void LogNoInterface(ILogger logger);

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "mDNS: another host answers for {Instance} with different records")]
    private static partial void LogConflictAfterAnnounce(ILogger logger, string instance);
}
