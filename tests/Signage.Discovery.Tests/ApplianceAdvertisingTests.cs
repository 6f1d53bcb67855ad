using System.Text.RegularExpressions;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Discovery.Tests.Infrastructure;

namespace Signage.Discovery.Tests;

/// <summary>
/// The published native appliance, started inside namespace "a", advertises itself; a browser in
/// namespace "b" finds it, reaches /healthz at the discovered URL, and sees it leave on SIGTERM.
/// </summary>
public sealed partial class ApplianceAdvertisingTests : IDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly NetworkNamespaces _net = new();
    private readonly TempDirectory _temp = new();
    private readonly List<NamespacedProcess> _processes = [];

    public void Dispose()
    {
        foreach (var process in _processes) process.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _net.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task The_native_appliance_advertises_its_venue_and_port_and_says_goodbye_when_stopped()
    {
        var appliance = NamespacedProcess.Start(_net.A, NativeAppliance.Path, ["--urls", "http://0.0.0.0:0", "--data-dir", _temp.Combine("data")],
            new Dictionary<string, string>
            {
                ["Discovery__Enabled"] = "true",
                ["Discovery__HostName"] = "crown-box",
                ["SIGNAGE_ADMIN_EMAIL"] = "owner@example.com",
                ["SIGNAGE_ADMIN_PASSWORD"] = "correct horse battery",
                ["SIGNAGE_VENUE_NAME"] = "The Crown & Anchor",
                ["SIGNAGE_VENUE_TIMEZONE"] = "Europe/London",
            });
        _processes.Add(appliance);
        var listening = await appliance.WaitForLineAsync(l => ListeningLine().IsMatch(l), Wait);
        var port = int.Parse(ListeningLine().Match(listening).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var created = await appliance.WaitForLineAsync(l => VenueCreatedLine().IsMatch(l), Wait);
        var venueId = VenueCreatedLine().Match(created).Groups[1].Value;

        var browser = NamespacedProcess.TestHost(_net.B, "browse", "--interface", _net.B, "--fetch", "healthz");
        _processes.Add(browser);
        var found = await browser.WaitForEventAsync("found", Wait);

        Assert.Equal("The Crown & Anchor", (string?)found["instance"]);
        Assert.Equal("crown-box", (string?)found["host"]);
        Assert.Equal($"http://{_net.AddressA}:{port}/", (string?)found["url"]);
        Assert.Equal("1", (string?)found["txt"]!["v"]);
        Assert.Equal(venueId, (string?)found["txt"]!["venue"]);
        Assert.Null(found["txt"]!["tls"]);
        var fetched = await browser.WaitForEventAsync("fetched", Wait);
        Assert.Equal(200, (int?)fetched["status"]);

        Assert.Equal(0, await appliance.TerminateAsync());
        var lost = await browser.WaitForEventAsync("lost", TimeSpan.FromSeconds(10));
        Assert.Equal("The Crown & Anchor", (string?)lost["instance"]);
    }

    [Fact]
    public async Task A_headless_player_without_an_address_discovers_the_appliance_and_gets_a_pairing_code()
    {
        var appliance = NamespacedProcess.Start(_net.A, NativeAppliance.Path, ["--urls", "http://0.0.0.0:0", "--data-dir", _temp.Combine("data")],
            new Dictionary<string, string> { ["Discovery__Enabled"] = "true", ["Discovery__HostName"] = "venue-box" });
        _processes.Add(appliance);
        await appliance.WaitForLineAsync(l => l.Contains("mDNS: advertising", StringComparison.Ordinal), Wait);

        var headless = NamespacedProcess.BuiltDll("player-maui", "Signage.Player.Headless", "signage-player-headless.dll");
        var player = NamespacedProcess.Start(_net.B, "dotnet", [headless, "--discover", "--data-dir", _temp.Combine("player")]);
        _processes.Add(player);

        // The code comes from POST /v1/pairing on the appliance: only reachable through the discovered URL.
        await player.WaitForLineAsync(l => l.StartsWith("PAIRING CODE ", StringComparison.Ordinal), Wait);
        Assert.Contains(player.Lines, l => l.Contains($"found Signage appliance venue-box at http://{_net.AddressA}:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Signage_discover_lists_the_appliance_with_the_url_other_commands_take()
    {
        var appliance = NamespacedProcess.Start(_net.A, NativeAppliance.Path, ["--urls", "http://0.0.0.0:0", "--data-dir", _temp.Combine("data")],
            new Dictionary<string, string>
            {
                ["Discovery__Enabled"] = "true",
                ["Discovery__HostName"] = "cellar-box",
                ["SIGNAGE_ADMIN_EMAIL"] = "owner@example.com",
                ["SIGNAGE_ADMIN_PASSWORD"] = "correct horse battery",
                ["SIGNAGE_VENUE_NAME"] = "The Cellar",
                ["SIGNAGE_VENUE_TIMEZONE"] = "Europe/London",
            });
        _processes.Add(appliance);
        var listening = await appliance.WaitForLineAsync(l => ListeningLine().IsMatch(l), Wait);
        var port = ListeningLine().Match(listening).Groups[1].Value;
        await appliance.WaitForLineAsync(l => l.Contains("mDNS: advertising", StringComparison.Ordinal), Wait);

        var discover = NamespacedProcess.Start(_net.B, Signage.Cli.Tests.NativeCli.Path, ["discover", "--interface", _net.B, "--seconds", "3", "--json"]);
        _processes.Add(discover);
        Assert.Equal(0, await discover.WaitForExitAsync(Wait));

        var found = Assert.Single(System.Text.Json.Nodes.JsonNode.Parse(string.Join('\n', discover.Lines))!.AsArray());
        Assert.Equal($"http://{_net.AddressA}:{port}/", (string?)found!["url"]);
        Assert.Equal("1", (string?)found["apiVersion"]);
        Assert.Equal("The Cellar", (string?)found["name"]);
        Assert.StartsWith("ven_", (string?)found["venueId"]);

        // Nothing to find: a precise message and exit code 69 (unavailable), not an empty success.
        Assert.Equal(0, await appliance.TerminateAsync());
        var nothing = NamespacedProcess.Start(_net.B, Signage.Cli.Tests.NativeCli.Path, ["discover", "--interface", _net.B, "--seconds", "2"]);
        _processes.Add(nothing);
        Assert.Equal(69, await nothing.WaitForExitAsync(Wait));
        Assert.Contains(nothing.Lines, l => l.Contains("No appliance answered within 2 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task With_discovery_disabled_the_appliance_stays_silent()
    {
        var appliance = NamespacedProcess.Start(_net.A, NativeAppliance.Path, ["--urls", "http://0.0.0.0:0", "--data-dir", _temp.Combine("data")],
            new Dictionary<string, string> { ["Discovery__Enabled"] = "false" });
        _processes.Add(appliance);
        await appliance.WaitForLineAsync(l => ListeningLine().IsMatch(l), Wait);
        var browser = NamespacedProcess.TestHost(_net.B, "browse", "--interface", _net.B);
        _processes.Add(browser);
        await browser.WaitForEventAsync("ready", Wait);

        // The browser queries at 0, 1 and 2 s; an advertising appliance answers within 120 ms.
        await Task.Delay(TimeSpan.FromSeconds(4));

        Assert.DoesNotContain(browser.Lines, l => l.Contains("\"found\"", StringComparison.Ordinal));
        Assert.DoesNotContain(appliance.Lines, l => l.Contains("mDNS", StringComparison.Ordinal));
    }

    [GeneratedRegex(@"listening on http://[^:]+:(\d+);")]
    private static partial Regex ListeningLine();

    // Serilog quotes string values: venue "The Crown & Anchor" ("ven_…", "Europe/London").
    [GeneratedRegex(@"venue .* \(""?([^"",\s]+)""?, ""?Europe/London""?\)")]
    private static partial Regex VenueCreatedLine();
}
