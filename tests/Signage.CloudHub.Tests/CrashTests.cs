using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>Its own hub, because it kills it.</summary>
public sealed class CrashTests(HubFixture fixture) : HubTests(fixture)
{
    [Fact]
    public async Task A_hub_killed_in_the_middle_of_batches_keeps_whole_batches_only_and_a_resend_completes_the_counts_exactly()
    {
        var tenant = await Hub.CreateTenantAsync("Crashers");
        var venue = await Hub.CreateVenueAsync(tenant, "Crash");
        var appliance = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId)).Code, "app_crash",
            new EnrollVenue("local", "Crash", "Europe/London"));
        var batches = Enumerable.Range(0, 20)
            .Select(b => Enumerable.Range(0, 2000).Select(i => TestRecords.Play($"c{b}_{i}", $"2026-10-{1 + (b + i) % 28:D2}", durationMs: 1000)).ToArray())
            .ToArray();

        // Send every batch at once and kill the hub while they are in flight.
        var sends = batches.Select(async batch =>
        {
            try
            {
                using var response = await Hub.RawAsync(HttpMethod.Post, "/v1/sync/up", appliance.Credential, new SyncUpRequest(batch, 0));
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
            catch (TaskCanceledException)
            {
                return false;
            }
        }).ToList();
        await Task.Delay(300);
        await Hub.Process.KillAsync();
        var acknowledged = (await Task.WhenAll(sends)).Count(ok => ok);
        await Hub.RestartAsync();

        // What the hub acknowledged is there; what it did not is either wholly there or wholly absent.
        var token = (await HubApi.LoginAsync(Hub.Client, tenant.AdminEmail, tenant.AdminPassword)).AccessToken;
        var before = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-10-01&to=2026-10-31&groupBy=day", token, null);
        Assert.True(before.Total.Plays >= acknowledged * 2000L);
        Assert.Equal(0, before.Total.Plays % 2000);

        // The appliance resends everything it has no acknowledgement for (here: everything): exact counts.
        var resent = 0;
        foreach (var batch in batches)
        {
            var result = await Hub.SendAsync<SyncUpResponse>(HttpMethod.Post, "/v1/sync/up", appliance.Credential, new SyncUpRequest(batch, 0));
            resent += result.Accepted;
        }
        var after = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-10-01&to=2026-10-31&groupBy=day", token, null);
        Assert.Equal(new ReportTotal(40_000, 40_000_000, 0, 0, 0, 0), after.Total);
        Assert.Equal(40_000 - before.Total.Plays, resent);
    }
}
