using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Signage.Discovery.Dns;
using Signage.Discovery.Transport;

namespace Signage.Discovery;

/// <summary>An appliance found on the LAN: its instance, SRV target and port, addresses, TXT pairs, and the URL to reach it.</summary>
public sealed record DiscoveredAppliance(
    string InstanceName,
    string FullName,
    string Host,
    int Port,
    IReadOnlyList<IPAddress> Addresses,
    IReadOnlyDictionary<string, string> Txt,
    Uri BaseUrl)
{
    public string? VenueId => Txt.GetValueOrDefault(ServiceAdvertisement.Keys.VenueId);

    public string? ApiVersion => Txt.GetValueOrDefault(ServiceAdvertisement.Keys.ApiVersion);

    public string? TlsFingerprint => Txt.GetValueOrDefault(ServiceAdvertisement.Keys.TlsFingerprint);

    /// <summary>Same host, port, addresses and TXT.</summary>
    public bool SameAs(DiscoveredAppliance other) =>
        DnsName.Equal(Host, other.Host) && Port == other.Port && Addresses.SequenceEqual(other.Addresses)
        && Txt.Count == other.Txt.Count && Txt.All(p => other.Txt.TryGetValue(p.Key, out var v) && v == p.Value);

    /// <summary>
    /// http(s)://address:port/ — HTTPS when the TXT carries a certificate fingerprint; a routable IPv4
    /// address first (what a TV's HTTP stack reaches most surely), then IPv6, then the .local name.
    /// </summary>
    public static Uri UrlFor(string host, int port, IReadOnlyList<IPAddress> addresses, IReadOnlyDictionary<string, string> txt)
    {
        var scheme = txt.ContainsKey(ServiceAdvertisement.Keys.TlsFingerprint) ? "https" : "http";
        var address = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IsLinkLocalV4(a))
            ?? addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
            ?? addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6 && !a.IsIPv6LinkLocal);
        var hostPart = address is null ? host : address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        return new Uri($"{scheme}://{hostPart}:{port}/");
    }

    private static bool IsLinkLocalV4(IPAddress address) => address.GetAddressBytes() is [169, 254, _, _];
}

/// <summary>
/// Finds signage appliances by DNS-SD over mDNS, over IPv4 (224.0.0.251) and IPv6 (ff02::fb) on
/// every suitable interface: asks for the service type's PTR records (again at
/// 1, 2, 4… up to 60 s, with known answers so that responders stay quiet about what we have),
/// collects SRV, TXT and A/AAAA from answers and announcements, refreshes records before they
/// expire, honours cache-flush and goodbyes, and raises <see cref="Found"/>, <see cref="Changed"/>
/// (e.g. a new address) and <see cref="Lost"/>. <see cref="BrowseAsync(TimeSpan, CancellationToken)"/> is the one-shot form.
/// </summary>
public sealed partial class ApplianceBrowser : IAsyncDisposable
{
    private static readonly TimeSpan MaxQueryInterval = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan FlushGrace = TimeSpan.FromSeconds(1);
    private readonly DiscoveryOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly List<CachedRecord> _cache = [];
    private readonly Dictionary<(string, DnsType), DateTimeOffset> _lastAsked = [];
    private Dictionary<string, DiscoveredAppliance> _known = new(StringComparer.OrdinalIgnoreCase);
    private MdnsSocket? _socket;
    private IReadOnlyList<MdnsInterface> _interfaces = [];
    private Task _loops = Task.CompletedTask;

    public ApplianceBrowser(DiscoveryOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new DiscoveryOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>A new appliance is resolved (SRV and at least one address known).</summary>
    public event Action<DiscoveredAppliance>? Found;

    /// <summary>(before, after): an appliance's addresses, port, host or TXT changed.</summary>
    public event Action<DiscoveredAppliance, DiscoveredAppliance>? Changed;

    /// <summary>An appliance said goodbye or its records expired.</summary>
    public event Action<DiscoveredAppliance>? Lost;

    public IReadOnlyList<DiscoveredAppliance> Appliances
    {
        get
        {
            lock (_gate) return [.. _known.Values.OrderBy(a => a.InstanceName, StringComparer.Ordinal)];
        }
    }

    /// <summary>Browses for <paramref name="duration"/> and returns what was found (the CLI's <c>signage discover</c>).</summary>
    public static Task<IReadOnlyList<DiscoveredAppliance>> BrowseAsync(TimeSpan duration, CancellationToken cancellationToken) =>
        BrowseAsync(new DiscoveryOptions(), duration, cancellationToken);

    public static async Task<IReadOnlyList<DiscoveredAppliance>> BrowseAsync(DiscoveryOptions options, TimeSpan duration, CancellationToken cancellationToken)
    {
        await using var browser = new ApplianceBrowser(options);
        await browser.StartAsync().ConfigureAwait(false);
        try
        {
            await Task.Delay(duration, options.Clock, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled early: return what is known so far.
        }
        return browser.Appliances;
    }

    /// <summary>Opens the socket and starts querying; appliances arrive through the events and <see cref="Appliances"/>.</summary>
    public Task StartAsync()
    {
        _socket = new MdnsSocket();
        _interfaces = MdnsInterface.Suitable(_options);
        foreach (var nic in _interfaces) _socket.Join(nic);
        _loops = Task.WhenAll(
            Task.Run(() => ReceiveLoopAsync(_stopping.Token), CancellationToken.None),
            Task.Run(() => QueryLoopAsync(_stopping.Token), CancellationToken.None),
            Task.Run(() => MaintenanceLoopAsync(_stopping.Token), CancellationToken.None));
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested) return;
        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket?.Dispose();
        await _loops.ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task QueryLoopAsync(CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromSeconds(1);
        try
        {
            while (true)
            {
                var now = _options.Clock.GetUtcNow();
                List<DnsRecord> knownAnswers;
                lock (_gate)
                {
                    // Known-answer list (RFC 6762 section 7.1): PTRs still holding more than half their TTL.
                    knownAnswers = [.. _cache.Where(c => c.Record.Type == DnsType.Ptr && DnsName.Equal(c.Record.Name, _options.ServiceType)
                            && c.Remaining(now) > c.Record.Ttl / 2.0)
                        .Select(c => c.Record with { Ttl = (uint)c.Remaining(now) })];
                }
                await QueryAsync([new DnsQuestion(_options.ServiceType, DnsType.Ptr)], knownAnswers, cancellationToken).ConfigureAwait(false);
                await Task.Delay(interval, _options.Clock, cancellationToken).ConfigureAwait(false);
                interval = TimeSpan.FromTicks(Math.Min(interval.Ticks * 2, MaxQueryInterval.Ticks));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Once a second: drop expired records, re-ask for records near their end (80% of TTL), re-read the interfaces now and then.</summary>
    private async Task MaintenanceLoopAsync(CancellationToken cancellationToken)
    {
        var lastInterfaceCheck = _options.Clock.GetUtcNow();
        try
        {
            while (true)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), _options.Clock, cancellationToken).ConfigureAwait(false);
                var now = _options.Clock.GetUtcNow();
                var refresh = Maintain(now);
                if (refresh.Count > 0) await QueryAsync(refresh, [], cancellationToken).ConfigureAwait(false);
                Publish();

                if (now - lastInterfaceCheck >= _options.InterfacePollInterval)
                {
                    lastInterfaceCheck = now;
                    var interfaces = MdnsInterface.Suitable(_options);
                    _socket!.ForgetMemberships(interfaces.Select(i => i.Index));
                    foreach (var nic in interfaces) _socket.Join(nic);
                    _interfaces = interfaces;
                }
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
            DnsMessage message;
            try
            {
                var packet = await _socket!.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                // RFC 6762 section 6: responses come from port 5353; anything else is not mDNS.
                if (packet.From.Port != MdnsSocket.Port) continue;
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
            catch (SocketException e)
            {
                LogReceiveFailed(_logger, e.Message);
                continue;
            }
            if (!message.IsResponse) continue;
            try
            {
                var missing = Absorb(message);
                if (missing.Count > 0) await QueryAsync(missing, [], cancellationToken).ConfigureAwait(false);
                Publish();
            }
            catch (Exception) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping: the socket may be gone under a reply in flight.
                return;
            }
            catch (Exception e)
            {
                LogHandlingFailed(_logger, e);
            }
        }
    }

    /// <summary>Drops expired records; returns the questions that refresh records past 80% of their TTL.</summary>
    internal List<DnsQuestion> Maintain(DateTimeOffset now)
    {
        lock (_gate)
        {
            _cache.RemoveAll(c => c.Remaining(now) <= 0);
            return [.. _cache.Where(c => c.Remaining(now) < c.Record.Ttl * 0.2)
                .Select(c => new DnsQuestion(c.Record.Name, c.Record.Type))
                .Distinct()
                .Where(q => ShouldAsk(q, now))];
        }
    }

    /// <summary>Takes a response's records into the cache; returns the questions still needed to resolve what it named.</summary>
    internal List<DnsQuestion> Absorb(DnsMessage response)
    {
        var now = _options.Clock.GetUtcNow();
        lock (_gate)
        {
            foreach (var record in response.AllRecords)
            {
                if (record.Type is not (DnsType.Ptr or DnsType.Srv or DnsType.Txt or DnsType.A or DnsType.Aaaa)) continue;
                if (record.CacheFlush)
                {
                    // RFC 6762 section 10.2: records of this name and type older than one second are replaced.
                    _cache.RemoveAll(c => c.Record.Type == record.Type && DnsName.Equal(c.Record.Name, record.Name)
                        && now - c.ReceivedAt > FlushGrace && !c.Record.SameAs(record));
                }
                _cache.RemoveAll(c => c.Record.SameAs(record));
                // A goodbye (TTL 0) removes the record at once.
                if (record.Ttl > 0) _cache.Add(new CachedRecord(record, now));
            }

            var missing = new List<DnsQuestion>();
            foreach (var instance in Cached(DnsType.Ptr, _options.ServiceType).Select(r => ((PtrData)r.Data).Target))
            {
                var srv = Cached(DnsType.Srv, instance).FirstOrDefault();
                if (srv is null) missing.Add(new DnsQuestion(instance, DnsType.Srv));
                if (!Cached(DnsType.Txt, instance).Any()) missing.Add(new DnsQuestion(instance, DnsType.Txt));
                if (srv?.Data is SrvData target && !Cached(DnsType.A, target.Target).Concat(Cached(DnsType.Aaaa, target.Target)).Any())
                {
                    // Either family will do: an appliance on an IPv6-only link has no A record.
                    missing.Add(new DnsQuestion(target.Target, DnsType.A));
                    missing.Add(new DnsQuestion(target.Target, DnsType.Aaaa));
                }
            }
            return [.. missing.Where(q => ShouldAsk(q, now))];
        }
    }

    /// <summary>At most one question per name and type every second.</summary>
    private bool ShouldAsk(DnsQuestion question, DateTimeOffset now)
    {
        var key = (question.Name.ToLowerInvariant(), question.Type);
        if (_lastAsked.TryGetValue(key, out var last) && now - last < TimeSpan.FromSeconds(1)) return false;
        _lastAsked[key] = now;
        return true;
    }

    private IEnumerable<DnsRecord> Cached(DnsType type, string name) =>
        _cache.Where(c => c.Record.Type == type && DnsName.Equal(c.Record.Name, name)).OrderByDescending(c => c.ReceivedAt).Select(c => c.Record);

    /// <summary>Rebuilds the resolved view from the cache and raises the events for what changed.</summary>
    internal void Publish()
    {
        var found = new List<DiscoveredAppliance>();
        var changed = new List<(DiscoveredAppliance, DiscoveredAppliance)>();
        var lost = new List<DiscoveredAppliance>();
        lock (_gate)
        {
            var now = new Dictionary<string, DiscoveredAppliance>(StringComparer.OrdinalIgnoreCase);
            foreach (var instance in Cached(DnsType.Ptr, _options.ServiceType).Select(r => ((PtrData)r.Data).Target).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (Cached(DnsType.Srv, instance).FirstOrDefault()?.Data is not SrvData srv) continue;
                var addresses = Cached(DnsType.A, srv.Target).Concat(Cached(DnsType.Aaaa, srv.Target))
                    .Select(r => ((AddressData)r.Data).Address)
                    .Distinct()
                    .OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).ThenBy(a => a.ToString(), StringComparer.Ordinal)
                    .ToList();
                if (addresses.Count == 0) continue;
                var txt = (Cached(DnsType.Txt, instance).FirstOrDefault()?.Data as TxtData)?.ToDictionary() ?? new Dictionary<string, string>();
                var labels = DnsName.Split(instance);
                var host = srv.Target.EndsWith(".local", StringComparison.OrdinalIgnoreCase) ? srv.Target[..^".local".Length] : srv.Target;
                now[instance] = new DiscoveredAppliance(labels[0], instance, host, srv.Port, addresses, txt, DiscoveredAppliance.UrlFor(srv.Target, srv.Port, addresses, txt));
            }
            foreach (var (name, appliance) in now)
            {
                if (!_known.TryGetValue(name, out var before)) found.Add(appliance);
                else if (!before.SameAs(appliance)) changed.Add((before, appliance));
            }
            lost.AddRange(_known.Where(k => !now.ContainsKey(k.Key)).Select(k => k.Value));
            _known = now;
        }
        foreach (var appliance in found)
        {
            LogFound(_logger, appliance.InstanceName, appliance.BaseUrl);
            Found?.Invoke(appliance);
        }
        foreach (var (before, after) in changed)
        {
            LogChanged(_logger, after.InstanceName, after.BaseUrl);
            Changed?.Invoke(before, after);
        }
        foreach (var appliance in lost)
        {
            LogLost(_logger, appliance.InstanceName);
            Lost?.Invoke(appliance);
        }
    }

    private async Task QueryAsync(IReadOnlyList<DnsQuestion> questions, IReadOnlyList<DnsRecord> knownAnswers, CancellationToken cancellationToken)
    {
        var packet = DnsMessage.Query(questions, knownAnswers).Encode();
        foreach (var nic in _interfaces)
        {
            try
            {
                await _socket!.SendAsync(packet, nic, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException e)
            {
                LogSendFailed(_logger, nic.Name, e.Message);
            }
        }
    }

    private sealed record CachedRecord(DnsRecord Record, DateTimeOffset ReceivedAt)
    {
        public double Remaining(DateTimeOffset now) => Record.Ttl - (now - ReceivedAt).TotalSeconds;
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Information, Message = "mDNS: found {Instance} at {Url}")]
    private static partial void LogFound(ILogger logger, string instance, Uri url);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Information, Message = "mDNS: {Instance} is now at {Url}")]
    private static partial void LogChanged(ILogger logger, string instance, Uri url);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Information, Message = "mDNS: {Instance} is gone")]
    private static partial void LogLost(ILogger logger, string instance);

    [LoggerMessage(EventId = 7104, Level = LogLevel.Debug, Message = "mDNS: ignored a malformed packet: {Reason}")]
    private static partial void LogMalformed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7105, Level = LogLevel.Warning, Message = "mDNS: receive failed: {Reason}")]
    private static partial void LogReceiveFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 7106, Level = LogLevel.Warning, Message = "mDNS: a response could not be handled")]
    private static partial void LogHandlingFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7107, Level = LogLevel.Warning, Message = "mDNS: could not send on {Interface}: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string @interface, string reason);
}
