using System.Text.Json;
using System.Text.RegularExpressions;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.Cli.Tests;

/// <summary>
/// `signage status` reports the hub sync as the appliance knows it (GET /v1/venues/{venueId}/hub):
/// standalone, then enrolled through `signage enroll` with a real hub process on a throwaway
/// PostgreSQL, then with that hub gone (the backlog grows, the error is shown).
/// </summary>
public sealed class StatusHubSyncTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private ApplianceApi _appliance = null!;

    public async Task InitializeAsync() => _appliance = await ApplianceApi.StartAsync(_temp.Combine("data"), new Dictionary<string, string>
    {
        // Sync every second and give up on a dead hub quickly, so the test sees both states soon.
        ["RateLimits__Enabled"] = "false",
        ["Hub__SyncIntervalSeconds"] = "1",
        ["Hub__MaxRetries"] = "0",
        ["Hub__BreakSeconds"] = "1",
        ["Hub__RequestTimeoutSeconds"] = "5",
    });

    public async Task DisposeAsync()
    {
        await _appliance.DisposeAsync();
        _temp.Dispose();
    }

    private Dictionary<string, string> Credentials => new()
    {
        ["SIGNAGE_APPLIANCE"] = _appliance.Process.BaseAddress.ToString(),
        ["SIGNAGE_EMAIL"] = ApplianceApi.AdminEmail,
        ["SIGNAGE_PASSWORD"] = ApplianceApi.AdminPassword,
    };

    private async Task<HubConnectionResponse> HubOfStatusJsonAsync()
    {
        var result = await NativeCli.RunAsync(["status", "--json"], Credentials);
        Assert.True(result.ExitCode == 0, result.All);
        using var report = JsonDocument.Parse(result.Output);
        return report.RootElement.GetProperty("hub").Deserialize(ContractsJsonContext.Default.HubConnectionResponse)!;
    }

    /// <summary>Polls the appliance's API (each CLI run signs in, and sign-ins are rate-limited), then asks the CLI once.</summary>
    private async Task<HubConnectionResponse> WaitForStatusAsync(Func<HubConnectionResponse, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var direct = await _appliance.AsAdmin(HttpMethod.Get, $"/v1/venues/{_appliance.VenueId}/hub");
            var api = JsonSerializer.Deserialize(await direct.Content.ReadAsStringAsync(), ContractsJsonContext.Default.HubConnectionResponse)!;
            var hub = condition(api) ? await HubOfStatusJsonAsync() : api;
            if (condition(hub)) return hub;
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; last: {JsonSerializer.Serialize(hub, ContractsJsonContext.Default.HubConnectionResponse)}");
            await Task.Delay(300);
        }
    }

    [Fact]
    public async Task A_standalone_appliance_reports_not_enrolled_with_its_backlog()
    {
        await _appliance.PairScreenAsync("Bar left"); // a screen is a record the hub would get once enrolled

        var hub = await HubOfStatusJsonAsync();
        Assert.False(hub.Enrolled);
        Assert.Null(hub.HubUrl);
        Assert.Null(hub.LastSuccessfulSyncUtc);
        var direct = await _appliance.AsAdmin(HttpMethod.Get, $"/v1/venues/{_appliance.VenueId}/hub");
        var expected = JsonSerializer.Deserialize(await direct.Content.ReadAsStringAsync(), ContractsJsonContext.Default.HubConnectionResponse)!;
        Assert.Equal(expected.Backlog, hub.Backlog);

        var text = await NativeCli.RunAsync(["status"], Credentials);
        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"Hub: not enrolled (standalone), {expected.Backlog} record", text.Output);
    }

    [Fact]
    public async Task An_enrolled_appliance_reports_its_last_sync_and_then_the_hubs_outage_with_the_growing_backlog()
    {
        await using var hub = await HubApi.StartAsync();
        var tenant = await hub.CreateTenantAsync("Status Taverns");
        var hubVenue = await hub.CreateVenueAsync(tenant, "Status Central");
        var code = await hub.CreateEnrollmentCodeAsync(tenant, hubVenue.VenueId);
        var hubUrl = hub.BaseAddress.ToString().TrimEnd('/');
        var enroll = await NativeCli.RunAsync(["enroll", "--hub", hubUrl, "--code", code.Code], Credentials);
        Assert.True(enroll.ExitCode == 0, enroll.All);

        var synced = await WaitForStatusAsync(h => h.LastSuccessfulSyncUtc is not null && h.Backlog == 0, "a first successful sync");
        Assert.True(synced.Enrolled);
        Assert.Equal(hubVenue.VenueId, synced.HubVenueId);
        Assert.Null(synced.LastError);
        // It syncs every second here, so the time in the text is a later one than the JSON's.
        var healthy = await NativeCli.RunAsync(["status"], Credentials);
        Assert.Matches($@"Hub {Regex.Escape(synced.HubUrl!)}: last successful sync 20\S+Z, 0 records waiting, no error", healthy.Output);

        await hub.Process.KillAsync();
        await _appliance.PairScreenAsync("Bar right"); // a record to send that cannot go up now

        var failing = await WaitForStatusAsync(h => h.LastError is not null && h.Backlog > 0, "the outage to be reported");
        Assert.NotNull(failing.LastSuccessfulSyncUtc); // the last success is still known while the hub is gone
        var text = await NativeCli.RunAsync(["status"], Credentials);
        Assert.Equal(0, text.ExitCode);
        var line = Assert.Single(text.Output.Split('\n'), l => l.StartsWith("Hub ", StringComparison.Ordinal));
        Assert.Contains($"last successful sync {failing.LastSuccessfulSyncUtc}", line);
        Assert.Matches(@", [1-9]\d* records? waiting, last error at \S+: .+", line);
    }
}
