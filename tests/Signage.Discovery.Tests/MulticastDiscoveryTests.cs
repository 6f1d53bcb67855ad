using System.Text.Json.Nodes;
using Signage.Discovery.Tests.Infrastructure;

namespace Signage.Discovery.Tests;

/// <summary>
/// Real mDNS over real multicast: a responder process in namespace "a", a browser process in
/// namespace "b", the two joined by a veth pair (see <see cref="NetworkNamespaces"/>). Fresh
/// namespaces per test, deleted afterwards.
/// </summary>
public sealed class MulticastDiscoveryTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private readonly NetworkNamespaces _net = new();
    private readonly List<NamespacedProcess> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes) process.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _net.Dispose();
    }

    private NamespacedProcess Host(string ns, params string[] arguments)
    {
        var process = NamespacedProcess.TestHost(ns, arguments);
        _processes.Add(process);
        return process;
    }

    private NamespacedProcess Responder(string instance, string host, int port, params string[] extra) =>
        Host(_net.A, ["respond", "--instance", instance, "--host", host, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--interface", _net.A, .. extra]);

    private NamespacedProcess Browser() => Host(_net.B, "browse", "--interface", _net.B);

    [Fact]
    public async Task A_browser_in_another_namespace_finds_the_appliance_with_its_url_port_and_txt()
    {
        var responder = Responder("Joe's Bar v2.0", "joes-bar", 5080, "--txt", "v=1", "--txt", "venue=ven_123");
        await responder.WaitForEventAsync("ready", Wait);
        var browser = Browser();

        var found = await browser.WaitForEventAsync("found", Wait);

        Assert.Equal("Joe's Bar v2.0", (string?)found["instance"]);
        Assert.Equal("joes-bar", (string?)found["host"]);
        Assert.Equal(5080, (int?)found["port"]);
        Assert.Equal($"http://{_net.AddressA}:5080/", (string?)found["url"]);
        Assert.Contains(_net.AddressA, found["addresses"]!.AsArray().Select(a => (string?)a));
        Assert.Equal("1", (string?)found["txt"]!["v"]);
        Assert.Equal("ven_123", (string?)found["txt"]!["venue"]);
    }

    [Fact]
    public async Task A_browser_started_before_the_appliance_finds_it_and_uses_https_when_the_txt_has_a_certificate_fingerprint()
    {
        var browser = Browser();
        await browser.WaitForEventAsync("ready", Wait);
        var responder = Responder("Corner Cafe", "corner-cafe", 8443, "--txt", "v=1", "--txt", "tls=ab12");
        await responder.WaitForEventAsync("ready", Wait);

        var found = await browser.WaitForEventAsync("found", Wait);

        Assert.Equal($"https://{_net.AddressA}:8443/", (string?)found["url"]);
    }

    [Fact]
    public async Task A_goodbye_removes_the_appliance_from_the_browser()
    {
        var responder = Responder("Harbour Pub", "harbour", 5080);
        await responder.WaitForEventAsync("ready", Wait);
        var browser = Browser();
        await browser.WaitForEventAsync("found", Wait);

        await responder.StopAsync();

        // TTLs are 120 s and more: only the goodbye can make it go this fast.
        var lost = await browser.WaitForEventAsync("lost", TimeSpan.FromSeconds(10));
        Assert.Equal("Harbour Pub", (string?)lost["instance"]);
    }

    [Fact]
    public async Task The_browser_follows_the_appliance_to_its_new_address()
    {
        var responder = Responder("Station Cafe", "station", 5080, "--poll-ms", "300");
        await responder.WaitForEventAsync("ready", Wait);
        var browser = Browser();
        await browser.WaitForEventAsync("found", Wait);
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // the cache-flush rule keeps records younger than 1 s

        var moved = _net.Subnet + ".50";
        _net.ChangeAddressOfA(moved);

        // Under load an earlier "changed" (e.g. a record refreshed before the move) may come first: wait for the move itself.
        var changed = await browser.WaitForEventAsync("changed", Wait, e => (string?)e["url"] == $"http://{moved}:5080/");
        Assert.Equal([moved], changed["addresses"]!.AsArray().Select(a => (string?)a).Where(a => !a!.Contains(':')));
    }

    [Fact]
    public async Task A_second_appliance_with_the_same_name_probes_the_conflict_and_takes_the_next_name()
    {
        var first = Responder("Riverside", "riverside-1", 5080);
        Assert.Equal("Riverside", (string?)(await first.WaitForEventAsync("ready", Wait))["instance"]);
        var second = Host(_net.B, "respond", "--instance", "Riverside", "--host", "riverside-2", "--port", "5081", "--interface", _net.B);

        var ready = await second.WaitForEventAsync("ready", Wait);
        Assert.Equal("Riverside (2)", (string?)ready["instance"]);

        // Both are on the network under their own names, each at its own address.
        var browser = Host(_net.B, "browse", "--interface", _net.B);
        var one = await browser.WaitForEventAsync("found", Wait, e => (string?)e["instance"] == "Riverside");
        var two = await browser.WaitForEventAsync("found", Wait, e => (string?)e["instance"] == "Riverside (2)");
        Assert.Equal($"http://{_net.AddressA}:5080/", (string?)one["url"]);
        Assert.Equal($"http://{_net.AddressB}:5081/", (string?)two["url"]);
    }

    [Fact]
    public async Task A_legacy_one_shot_query_from_an_ephemeral_port_gets_a_unicast_answer_with_its_id_and_short_ttls()
    {
        var responder = Responder("Legacy Lane", "legacy", 5080);
        await responder.WaitForEventAsync("ready", Wait);

        var query = Host(_net.B, "query", "--legacy", "--interface", _net.B);
        var response = await query.WaitForEventAsync("response", Wait);

        Assert.Equal(0x4242, (int?)response["id"]);
        Assert.Equal(1, (int?)response["questions"]);
        Assert.Equal($"{_net.AddressA}:5353", (string?)response["from"]);
        Assert.Equal($"Ptr {DiscoveryOptions.ApplianceServiceType} ttl=10 flush=False", (string?)Assert.Single(response["answers"]!.AsArray()));
        Assert.All(response["additionals"]!.AsArray(), a => Assert.EndsWith("ttl=10 flush=False", (string?)a, StringComparison.Ordinal));
        foreach (var type in new[] { "Srv ", "Txt ", "A " })
            Assert.Contains(response["additionals"]!.AsArray(), a => ((string?)a)!.StartsWith(type, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_query_asking_for_a_unicast_response_is_answered_with_the_instance_records()
    {
        var responder = Responder("Question Quay", "quay", 5080);
        await responder.WaitForEventAsync("ready", Wait);

        var query = Host(_net.B, "query", "--interface", _net.B);
        var response = await query.WaitForEventAsync("response", Wait);

        Assert.Equal($"{_net.AddressA}:5353", (string?)response["from"]);
        Assert.Equal($"Ptr {DiscoveryOptions.ApplianceServiceType} ttl=4500 flush=False", (string?)Assert.Single(response["answers"]!.AsArray()));
        Assert.Contains(response["additionals"]!.AsArray(), a => ((string?)a)!.StartsWith("Srv Question Quay.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_packets_on_the_network_do_not_stop_the_responder_or_the_browser()
    {
        var responder = Responder("Tolerant Tavern", "tolerant", 5080);
        await responder.WaitForEventAsync("ready", Wait);
        var browser = Browser();
        await browser.WaitForEventAsync("ready", Wait);

        var garbage = Host(_net.B, "garbage", "--interface", _net.B);
        await garbage.WaitForEventAsync("sent", Wait);

        var found = await browser.WaitForEventAsync("found", Wait);
        Assert.Equal("Tolerant Tavern", (string?)found["instance"]);
        Assert.False(responder.HasExited);
    }

    [Fact]
    public async Task Loopback_in_one_namespace_carries_multicast_when_allowed()
    {
        var responder = Host(_net.A, "respond", "--instance", "Loopback Lounge", "--host", "lounge", "--port", "5080", "--interface", "lo", "--loopback");
        await responder.WaitForEventAsync("ready", Wait);
        var browser = Host(_net.A, "browse", "--interface", "lo", "--loopback");

        var found = await browser.WaitForEventAsync("found", Wait);

        Assert.Equal("http://127.0.0.1:5080/", (string?)found["url"]);
    }
}
