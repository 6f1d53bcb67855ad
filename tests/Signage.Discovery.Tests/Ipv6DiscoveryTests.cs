using System.Text.RegularExpressions;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Discovery.Tests.Infrastructure;

namespace Signage.Discovery.Tests;

/// <summary>
/// mDNS over IPv6 (ff02::fb): the two namespaces are joined by a veth that has no IPv4 address at
/// all, only IPv6 (unique-local fd77:… and link-local fe80::…), so a browser can only find and reach
/// the appliance over IPv6 multicast and IPv6 HTTP.
/// </summary>
public sealed partial class Ipv6DiscoveryTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly NetworkNamespaces _net = new(ipv4: false, ipv6: true);
    private readonly TempDirectory _temp = new();
    private readonly List<NamespacedProcess> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes) process.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _net.Dispose();
        _temp.Dispose();
    }

    private NamespacedProcess Host(string ns, params string[] arguments)
    {
        var process = NamespacedProcess.TestHost(ns, arguments);
        _processes.Add(process);
        return process;
    }

    [Fact]
    public async Task On_an_ipv6_only_link_the_browser_finds_the_appliance_by_its_aaaa_records_and_sees_its_goodbye()
    {
        var responder = Host(_net.A, "respond", "--instance", "Six Bells", "--host", "six-bells", "--port", "5080", "--txt", "v=1", "--interface", _net.A);
        Assert.Equal(_net.A, (string?)Assert.Single((await responder.WaitForEventAsync("ready", Wait))["interfaces"]!.AsArray()));
        var browser = Host(_net.B, "browse", "--interface", _net.B);

        var found = await browser.WaitForEventAsync("found", Wait);

        Assert.Equal("Six Bells", (string?)found["instance"]);
        Assert.Equal($"http://[{_net.AddressV6A}]:5080/", (string?)found["url"]);
        var addresses = found["addresses"]!.AsArray().Select(a => (string?)a).ToList();
        Assert.Contains(_net.AddressV6A, addresses);
        Assert.Contains(addresses, a => a!.StartsWith("fe80:", StringComparison.Ordinal)); // the link-local one too
        Assert.All(addresses, a => Assert.Contains(':', a!)); // no IPv4 anywhere on this link

        await responder.StopAsync();
        var lost = await browser.WaitForEventAsync("lost", TimeSpan.FromSeconds(10));
        Assert.Equal("Six Bells", (string?)lost["instance"]);
    }

    [Fact]
    public async Task The_native_appliance_listening_on_ipv6_is_found_and_answers_healthz_at_the_discovered_url()
    {
        var appliance = NamespacedProcess.Start(_net.A, NativeAppliance.Path, ["--urls", "http://[::]:0", "--data-dir", _temp.Combine("data")],
            new Dictionary<string, string> { ["Discovery__Enabled"] = "true", ["Discovery__HostName"] = "v6-box" });
        _processes.Add(appliance);
        var listening = await appliance.WaitForLineAsync(l => ListeningLine().IsMatch(l), Wait);
        var port = ListeningLine().Match(listening).Groups[1].Value;

        var browser = Host(_net.B, "browse", "--interface", _net.B, "--fetch", "healthz");
        var found = await browser.WaitForEventAsync("found", Wait);

        Assert.Equal("v6-box", (string?)found["host"]);
        Assert.Equal($"http://[{_net.AddressV6A}]:{port}/", (string?)found["url"]);
        var fetched = await browser.WaitForEventAsync("fetched", Wait);
        Assert.Equal(200, (int?)fetched["status"]);
    }

    [GeneratedRegex(@"listening on http://\[::\]:(\d+);")]
    private static partial Regex ListeningLine();
}

/// <summary>A dual-stack link (IPv4 and IPv6 on the veth): the browser learns both families' addresses and prefers IPv4 for the URL.</summary>
public sealed class DualStackDiscoveryTests : IDisposable
{
    private readonly NetworkNamespaces _net = new(ipv4: true, ipv6: true);
    private readonly List<NamespacedProcess> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes) process.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _net.Dispose();
    }

    [Fact]
    public async Task The_browser_gets_a_and_aaaa_records_and_builds_the_url_from_ipv4()
    {
        var responder = NamespacedProcess.TestHost(_net.A, "respond", "--instance", "Both Ways", "--host", "both", "--port", "5080", "--interface", _net.A);
        _processes.Add(responder);
        await responder.WaitForEventAsync("ready", TimeSpan.FromSeconds(30));
        var browser = NamespacedProcess.TestHost(_net.B, "browse", "--interface", _net.B);
        _processes.Add(browser);

        // Every answer and announcement carries all of the interface's addresses, A and AAAA together.
        var found = await browser.WaitForEventAsync("found", TimeSpan.FromSeconds(30));
        var addresses = found["addresses"]!.AsArray().Select(a => (string?)a).ToList();

        Assert.Contains(_net.AddressA, addresses);
        Assert.Contains(_net.AddressV6A, addresses);
        Assert.Equal($"http://{_net.AddressA}:5080/", (string?)found["url"]);
    }
}
