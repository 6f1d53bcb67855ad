using System.Net;
using System.Net.Http.Json;
using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

public sealed class AuthTests(HubFixture fixture) : HubTests(fixture)
{
    [Fact]
    public async Task A_tenant_admin_created_by_the_platform_admin_signs_in_and_sees_their_roles_and_venues()
    {
        var tenant = await Hub.CreateTenantAsync("Brewers");
        var venue = await Hub.CreateVenueAsync(tenant, "The Anchor");

        var me = await Hub.SendAsync<MeResponse>(HttpMethod.Get, "/v1/me", tenant.AdminToken, null);
        Assert.Equal(tenant.TenantId, me.TenantId);
        Assert.Equal([Roles.TenantAdmin], me.TenantRoles);
        var venues = await Hub.SendAsync<ItemsResponse<VenueAccess>>(HttpMethod.Get, "/v1/me/venues", tenant.AdminToken, null);
        var only = Assert.Single(venues.Items);
        Assert.Equal((venue.VenueId, Roles.VenueManager), (only.VenueId, only.Role));
    }

    [Fact]
    public async Task A_venue_user_sees_only_the_venues_they_were_given_with_their_role()
    {
        var tenant = await Hub.CreateTenantAsync("Pubs");
        var anchor = await Hub.CreateVenueAsync(tenant, "Anchor");
        await Hub.CreateVenueAsync(tenant, "Bell");
        await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest("editor@pubs.test", "Eddie", "editor-password", null, [new VenueRoleGrant(anchor.VenueId, Roles.VenueEditor)]));
        var editor = await HubApi.LoginAsync(Hub.Client, "editor@pubs.test", "editor-password");

        var venues = await Hub.SendAsync<ItemsResponse<VenueAccess>>(HttpMethod.Get, "/v1/me/venues", editor.AccessToken, null);
        var only = Assert.Single(venues.Items);
        Assert.Equal((anchor.VenueId, Roles.VenueEditor), (only.VenueId, only.Role));
        // Not a tenant admin: managing the tenant is forbidden.
        using var response = await Hub.RawAsync(HttpMethod.Get, $"/v1/tenants/{tenant.TenantId}/users", editor.AccessToken);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Wrong_password_is_401_and_the_same_answer_as_an_unknown_email()
    {
        var tenant = await Hub.CreateTenantAsync("Secrets");
        using var wrong = await Hub.Client.PostAsJsonAsync("/v1/auth/login", new LoginRequest(tenant.AdminEmail, "not-the-password"), HubApi.Json);
        using var unknown = await Hub.Client.PostAsJsonAsync("/v1/auth/login", new LoginRequest("nobody@nowhere.test", "whatever-it-is"), HubApi.Json);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, unknown.StatusCode);
        Assert.Contains("INVALID_CREDENTIALS", await wrong.Content.ReadAsStringAsync());
        Assert.Contains("INVALID_CREDENTIALS", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_refresh_token_works_once_and_replaying_it_signs_the_whole_session_out()
    {
        var tenant = await Hub.CreateTenantAsync("Refreshers");
        var first = await HubApi.LoginAsync(Hub.Client, tenant.AdminEmail, tenant.AdminPassword);
        var second = await Hub.SendAsync<TokenResponse>(HttpMethod.Post, "/v1/auth/refresh", null, new RefreshRequest(first.RefreshToken));
        Assert.NotEqual(first.RefreshToken, second.RefreshToken);

        using var replay = await Hub.RawAsync(HttpMethod.Post, "/v1/auth/refresh", null, new RefreshRequest(first.RefreshToken));
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        using var afterReplay = await Hub.RawAsync(HttpMethod.Post, "/v1/auth/refresh", null, new RefreshRequest(second.RefreshToken));
        Assert.Equal(HttpStatusCode.Unauthorized, afterReplay.StatusCode);
    }

    [Fact]
    public async Task Only_the_platform_admin_creates_tenants()
    {
        var tenant = await Hub.CreateTenantAsync("Ambitious");
        using var response = await Hub.RawAsync(HttpMethod.Post, "/v1/tenants", tenant.AdminToken,
            new CreateTenantRequest("Another", "x@another.test", "X", "password-123"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var anonymous = await Hub.RawAsync(HttpMethod.Get, "/v1/tenants", null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }

    [Fact]
    public async Task Invalid_venue_fields_are_422_with_every_problem_and_nothing_is_created()
    {
        var tenant = await Hub.CreateTenantAsync("Careful");
        using var response = await Hub.RawAsync(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/venues", tenant.AdminToken,
            new HubVenueRequest("Bar", "Mars/Olympus", [new OpeningHours(9, 600, 1200)]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("timezone", body);
        Assert.Contains("openingHours", body);
        var venues = await Hub.SendAsync<ItemsResponse<HubVenueResponse>>(HttpMethod.Get, $"/v1/tenants/{tenant.TenantId}/venues", tenant.AdminToken, null);
        Assert.Empty(venues.Items);
    }

    [Fact]
    public async Task Capability_flags_let_a_non_admin_edit_the_shared_library()
    {
        var tenant = await Hub.CreateTenantAsync("Brand");
        var user = await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest("brand@brand.test", "Brenda", "brand-password"));
        var brenda = await HubApi.LoginAsync(Hub.Client, "brand@brand.test", "brand-password");
        using var before = await Hub.RawAsync(HttpMethod.Post, "/v1/library/playlists", brenda.AccessToken, new CreateLibraryPlaylistRequest("Autumn"));
        Assert.Equal(HttpStatusCode.Forbidden, before.StatusCode);

        var set = await Hub.SendAsync<CapabilitiesResponse>(HttpMethod.Put, $"/v1/tenants/{tenant.TenantId}/users/{user.UserId}/capabilities", tenant.AdminToken,
            new SetCapabilitiesRequest([Capabilities.EditSharedLibrary]));
        Assert.Equal([Capabilities.EditSharedLibrary], set.Capabilities);
        using var after = await Hub.RawAsync(HttpMethod.Post, "/v1/library/playlists", brenda.AccessToken, new CreateLibraryPlaylistRequest("Autumn"));
        Assert.Equal(HttpStatusCode.Created, after.StatusCode);
    }
}
