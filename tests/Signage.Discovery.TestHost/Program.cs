using System.Text.Json.Nodes;
using Signage.Discovery;

// Usage:
//   respond --instance NAME --host HOST --port PORT [--txt k=v]... [--interface NAME] [--loopback] [--poll-ms N]
//   browse [--interface NAME] [--loopback] [--poll-ms N] [--fetch PATH]
//   garbage [--interface NAME]
//   query [--legacy] [--interface NAME]
// Prints JSON lines ({"event": "ready" | "found" | "changed" | "lost" | "stopped", ...}); stops cleanly
// (goodbyes included) when standard input says "stop" or closes.
var mode = args.Length > 0 ? args[0] : "";
string? instance = null, host = null, nicName = null, fetch = null;
int port = 0, pollMs = 5000;
var loopback = false;
var legacy = false;
var txt = new List<string>();
for (var i = 1; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--instance": instance = args[++i]; break;
        case "--host": host = args[++i]; break;
        case "--port": port = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        case "--txt": txt.Add(args[++i]); break;
        case "--interface": nicName = args[++i]; break;
        case "--loopback": loopback = true; break;
        case "--legacy": legacy = true; break;
        case "--fetch": fetch = args[++i]; break;
        case "--poll-ms": pollMs = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 64;
    }
}

var options = new DiscoveryOptions
{
    Interfaces = nicName is null ? [] : [nicName],
    AllowLoopback = loopback,
    InterfacePollInterval = TimeSpan.FromMilliseconds(pollMs),
};
var output = new object();
// "tick": the system's monotonic milliseconds, comparable across processes (benchmarks/discovery/measure.sh).
void Emit(JsonObject line)
{
    line["tick"] = Environment.TickCount64;
    lock (output) Console.WriteLine(line.ToJsonString());
}
JsonObject Describe(string kind, DiscoveredAppliance a) => new()
{
    ["event"] = kind,
    ["instance"] = a.InstanceName,
    ["host"] = a.Host,
    ["port"] = a.Port,
    ["url"] = a.BaseUrl.ToString(),
    ["addresses"] = new JsonArray([.. a.Addresses.Select(x => (JsonNode)JsonValue.Create(x.ToString()))]),
    ["txt"] = new JsonObject(a.Txt.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
};

Task WaitForStop() => Task.Run(() =>
{
    string? line;
    while ((line = Console.ReadLine()) is not null && line.Trim() != "stop") { }
});

switch (mode)
{
    case "respond":
    {
        var responder = new MdnsResponder(new ServiceAdvertisement(instance!, host!, port, txt), options);
        await responder.StartAsync(CancellationToken.None);
        Emit(new JsonObject
        {
            ["event"] = "ready",
            ["instance"] = responder.InstanceName,
            ["interfaces"] = new JsonArray([.. responder.Interfaces.Select(n => (JsonNode)JsonValue.Create(n.Name))]),
        });
        await WaitForStop();
        Emit(new JsonObject { ["event"] = "stopping" });
        await responder.DisposeAsync();
        Emit(new JsonObject { ["event"] = "stopped" });
        return 0;
    }
    case "browse":
    {
        var browser = new ApplianceBrowser(options);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        browser.Found += a =>
        {
            Emit(Describe("found", a));
            // --fetch PATH: prove the discovered URL reaches the service (from this namespace).
            if (fetch is not null)
                _ = Task.Run(async () =>
                {
                    try
                    {
                        using var response = await http.GetAsync(new Uri(a.BaseUrl, fetch));
                        Emit(new JsonObject { ["event"] = "fetched", ["instance"] = a.InstanceName, ["status"] = (int)response.StatusCode });
                    }
                    catch (HttpRequestException e)
                    {
                        Emit(new JsonObject { ["event"] = "fetched", ["instance"] = a.InstanceName, ["error"] = e.Message });
                    }
                });
        };
        browser.Changed += (_, a) => Emit(Describe("changed", a));
        browser.Lost += a => Emit(Describe("lost", a));
        await browser.StartAsync();
        Emit(new JsonObject { ["event"] = "ready" });
        await WaitForStop();
        await browser.DisposeAsync();
        Emit(new JsonObject { ["event"] = "stopped" });
        return 0;
    }
    case "query":
    {
        // One question for the service type's PTR. --legacy: from an ephemeral port, as a plain DNS
        // resolver would (the answer must come back by unicast, with our id); otherwise from port 5353
        // with the QU bit set. Prints the first response's answers.
        var nic = Signage.Discovery.Transport.MdnsInterface.Suitable(options)[0];
        var question = new Signage.Discovery.Dns.DnsQuestion(options.ServiceType, Signage.Discovery.Dns.DnsType.Ptr, UnicastResponse: !legacy);
        var query = new Signage.Discovery.Dns.DnsMessage(0x4242, false, false, [question], [], [], []).Encode();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Signage.Discovery.Dns.DnsMessage? response = null;
        System.Net.IPEndPoint? from = null;
        if (legacy)
        {
            using var udp = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
            udp.Bind(new System.Net.IPEndPoint(nic.IPv4[0], 0));
            udp.SetSocketOption(System.Net.Sockets.SocketOptionLevel.IP, System.Net.Sockets.SocketOptionName.MulticastInterface, BitConverter.ToInt32(nic.IPv4[0].GetAddressBytes()));
            await udp.SendToAsync(query, Signage.Discovery.Transport.MdnsSocket.GroupEndPoint);
            var buffer = new byte[9000];
            var received = await udp.ReceiveFromAsync(buffer, new System.Net.IPEndPoint(System.Net.IPAddress.Any, 0), timeout.Token);
            response = Signage.Discovery.Dns.DnsMessage.Decode(buffer.AsSpan(0, received.ReceivedBytes));
            from = (System.Net.IPEndPoint)received.RemoteEndPoint;
        }
        else
        {
            // IPv4 only: the test names the IPv4 address the answer must come from.
            using var socket = new Signage.Discovery.Transport.MdnsSocket(ipv6: false);
            socket.Join(nic);
            await socket.SendAsync(query, nic, timeout.Token);
            while (response is null)
            {
                var packet = await socket.ReceiveAsync(timeout.Token);
                var message = Signage.Discovery.Dns.DnsMessage.Decode(packet.Bytes.Span);
                // The answer to this question, not an announcement that happens to pass by.
                if (message.IsResponse && message.Answers.All(question.Matches)) (response, from) = (message, packet.From);
            }
        }
        Emit(new JsonObject
        {
            ["event"] = "response",
            ["id"] = response.Id,
            ["from"] = from!.ToString(),
            ["questions"] = response.Questions.Count,
            ["answers"] = new JsonArray([.. response.Answers.Select(a => (JsonNode)JsonValue.Create($"{a.Type} {a.Name} ttl={a.Ttl} flush={a.CacheFlush}"))]),
            ["additionals"] = new JsonArray([.. response.Additionals.Select(a => (JsonNode)JsonValue.Create($"{a.Type} {a.Name} ttl={a.Ttl} flush={a.CacheFlush}"))]),
        });
        return 0;
    }
    case "garbage":
    {
        // Malformed packets from port 5353 to the group: random bytes, a truncated answer, a
        // compression-pointer loop, section counts far beyond the packet.
        using var socket = new Signage.Discovery.Transport.MdnsSocket();
        var nic = Signage.Discovery.Transport.MdnsInterface.Suitable(options)[0];
        var valid = Signage.Discovery.Dns.DnsMessage.Response([Signage.Discovery.Dns.DnsRecord.Ptr(options.ServiceType, "Evil._signage-appliance._tcp.local", 120)]).Encode();
        List<byte[]> packets =
        [
            [.. Enumerable.Range(0, 64).Select(_ => (byte)Random.Shared.Next(256))],
            valid[..^3],
            [0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 10, 0, 0],
            [0, 0, 0x84, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0],
            [1, 2, 3],
        ];
        foreach (var packet in packets) await socket.SendAsync(packet, nic, CancellationToken.None);
        Emit(new JsonObject { ["event"] = "sent", ["count"] = packets.Count });
        return 0;
    }
    default:
        Console.Error.WriteLine("usage: respond … | browse …");
        return 64;
}
