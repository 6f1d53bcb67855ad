using System.Net;
using System.Text.Json;
using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

public sealed class EnrollmentTests(HubFixture fixture) : HubTests(fixture)
{
    [Fact]
    public async Task A_code_is_traded_once_for_a_credential_that_authenticates_sync_calls()
    {
        var tenant = await Hub.CreateTenantAsync("Enrollers");
        var venue = await Hub.CreateVenueAsync(tenant, "The Swan");
        var code = await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId);
        Assert.Matches("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", code.Code);

        var enrolled = await Hub.EnrollAsync(code.Code.ToLowerInvariant(), "app_swan", new EnrollVenue("local_venue_1", "Swan (local)", "Europe/London"));
        Assert.Equal((tenant.TenantId, venue.VenueId, "The Swan"), (enrolled.TenantId, enrolled.HubVenueId, enrolled.VenueName));
        var changes = await Hub.SendAsync<SyncChangesResponse>(HttpMethod.Get, "/v1/sync/changes?cursor=0", enrolled.Credential, null);
        Assert.Contains(changes.Changes, c => c.Kind == SyncProtocol.ChangeKinds.Venue && c.EntityId == venue.VenueId);

        using var again = await Hub.RawAsync(HttpMethod.Post, "/v1/enrollment/redeem", null,
            new EnrollRequest(code.Code, "app_other", "test", new EnrollVenue("v2", "Other", "Europe/London")));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Contains("ENROLLMENT_CODE_USED", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_expired_code_is_refused_with_410()
    {
        var tenant = await Hub.CreateTenantAsync("Latecomers");
        var venue = await Hub.CreateVenueAsync(tenant, "The Clock");
        var code = await Hub.SendAsync<EnrollmentCodeResponse>(HttpMethod.Post,
            $"/v1/tenants/{tenant.TenantId}/venues/{venue.VenueId}/enrollment-codes?validForSeconds=1", tenant.AdminToken, null);
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        using var response = await Hub.RawAsync(HttpMethod.Post, "/v1/enrollment/redeem", null,
            new EnrollRequest(code.Code, "app_late", "test", new EnrollVenue("v", "Clock", "Europe/London")));
        Assert.Equal(HttpStatusCode.Gone, response.StatusCode);
        Assert.Contains("ENROLLMENT_CODE_EXPIRED", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_venue_created_without_name_and_timezone_adopts_them_from_the_standalone_appliance()
    {
        var tenant = await Hub.CreateTenantAsync("Adopters");
        var venue = await Hub.SendAsync<HubVenueResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/venues", tenant.AdminToken, new HubVenueRequest("", ""));
        var code = await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId);
        var enrolled = await Hub.EnrollAsync(code.Code, "app_adopted", new EnrollVenue("ven_local_42", "The Lamb", "Europe/Dublin"));
        Assert.Equal("The Lamb", enrolled.VenueName);

        var adopted = await Hub.SendAsync<HubVenueResponse>(HttpMethod.Get, $"/v1/tenants/{tenant.TenantId}/venues/{venue.VenueId}", tenant.AdminToken, null);
        Assert.Equal(("The Lamb", "Europe/Dublin", "ven_local_42"), (adopted.Name, adopted.Timezone, adopted.ApplianceVenueId));
        var changes = await Hub.SendAsync<SyncChangesResponse>(HttpMethod.Get, "/v1/sync/changes?cursor=0", enrolled.Credential, null);
        var latestVenue = changes.Changes.Last(c => c.Kind == SyncProtocol.ChangeKinds.Venue).Data!.Value.Deserialize(ContractsJsonContext.Default.HubVenue)!;
        Assert.Equal("Europe/Dublin", latestVenue.Timezone);
    }

    [Fact]
    public async Task A_management_token_cannot_call_sync_and_a_credential_cannot_manage()
    {
        var tenant = await Hub.CreateTenantAsync("Separated");
        var venue = await Hub.CreateVenueAsync(tenant, "Split");
        var enrolled = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId)).Code, "app_split", new EnrollVenue("v", "Split", "Europe/London"));
        using var userOnSync = await Hub.RawAsync(HttpMethod.Get, "/v1/sync/changes?cursor=0", tenant.AdminToken);
        Assert.Equal(HttpStatusCode.Forbidden, userOnSync.StatusCode);
        using var applianceOnManagement = await Hub.RawAsync(HttpMethod.Get, $"/v1/tenants/{tenant.TenantId}/venues", enrolled.Credential);
        Assert.Equal(HttpStatusCode.Forbidden, applianceOnManagement.StatusCode);
        using var forged = await Hub.RawAsync(HttpMethod.Get, "/v1/sync/changes?cursor=0", "not-a-real-credential");
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
    }
}

/// <summary>Its own hub: the per-address limit would otherwise count the other tests' redemptions.</summary>
public sealed class EnrollmentRateLimitTests(HubFixture fixture) : HubTests(fixture)
{
    [Fact]
    public async Task Guessing_codes_is_rate_limited()
    {
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await Hub.RawAsync(HttpMethod.Post, "/v1/enrollment/redeem", null,
                new EnrollRequest($"AAAA-BBBB-{i:D4}", "app_guess", "test", new EnrollVenue("v", "Guess", "Europe/London")));
            statuses.Add(response.StatusCode);
        }
        Assert.Equal(HttpStatusCode.NotFound, statuses[0]);
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
    }
}
