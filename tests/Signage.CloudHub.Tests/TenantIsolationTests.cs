using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Signage.Contracts;
using Signage.Media.Tests.Builders;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>Spec 25.6: tenant A's admin (and appliance) calls every endpoint with tenant B's ids and
/// gets 404, never B's data; A's lists, reports and fleet never contain B.</summary>
public sealed class TenantIsolationTests(HubFixture fixture) : HubTests(fixture)
{
    private sealed record World(TestTenant Tenant, HubVenueResponse Venue, UserResponse User, HubAsset Asset, LibraryPlaylistResponse Playlist, EnrollResponse Appliance);

    private async Task<World> BuildAsync(string name)
    {
        var tenant = await Hub.CreateTenantAsync(name);
        var venue = await Hub.CreateVenueAsync(tenant, name + " venue");
        var user = await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest($"staff@{name.ToLowerInvariant()}.test", "Staff", "staff-password", null, [new VenueRoleGrant(venue.VenueId, Roles.VenueViewer)]));
        var content = new ByteArrayContent(PngBuilder.Build(64, 64));
        var asset = await Hub.SendAsync<HubAsset>(HttpMethod.Post, "/v1/library/assets?name=Logo", tenant.AdminToken, content);
        var playlist = await Hub.SendAsync<LibraryPlaylistResponse>(HttpMethod.Post, "/v1/library/playlists", tenant.AdminToken, new CreateLibraryPlaylistRequest("Loop"));
        using (var items = await Hub.RawAsync(HttpMethod.Put, $"/v1/library/playlists/{playlist.PlaylistId}/items", tenant.AdminToken,
                   new SetLibraryPlaylistItemsRequest([new LibraryPlaylistItemRequest(asset.AssetId)]), r => r.Headers.IfMatch.Add(new EntityTagHeaderValue("\"library-playlist-" + playlist.PlaylistId + "-1\""))))
            await HubApi.EnsureAsync(items);
        using (var publish = await Hub.RawAsync(HttpMethod.Post, $"/v1/library/playlists/{playlist.PlaylistId}/publish", tenant.AdminToken, null,
                   r => r.Headers.IfMatch.Add(EntityTagHeaderValue.Any)))
            await HubApi.EnsureAsync(publish);
        var appliance = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId)).Code, "app_" + name, new EnrollVenue("local", name, "Europe/London"));
        await Hub.SendAsync<SyncUpResponse>(HttpMethod.Post, "/v1/sync/up", appliance.Credential,
            new SyncUpRequest([TestRecords.Play(name + "_play", "2026-11-20"), TestRecords.Status(name + "_st", "dev_" + name, "OFFLINE", "2026-11-20T10:00:00Z")], 5));
        return new World(tenant, venue, user, asset, playlist, appliance);
    }

    [Fact]
    public async Task Every_endpoint_answers_404_for_another_tenants_ids_and_no_list_shows_them()
    {
        var a = await BuildAsync("Alpha");
        var b = await BuildAsync("Bravo");
        var token = a.Tenant.AdminToken;
        var ifMatchAny = (Action<HttpRequestMessage>)(r => r.Headers.IfMatch.Add(EntityTagHeaderValue.Any));
        var calls = new (HttpMethod Method, string Path, object? Body, Action<HttpRequestMessage>? Configure)[]
        {
            // B's tenant id in the route
            (HttpMethod.Get, $"/v1/tenants/{b.Tenant.TenantId}/venues", null, null),
            (HttpMethod.Post, $"/v1/tenants/{b.Tenant.TenantId}/venues", new HubVenueRequest("Intruder", "Europe/London"), null),
            (HttpMethod.Get, $"/v1/tenants/{b.Tenant.TenantId}/venues/{b.Venue.VenueId}", null, null),
            (HttpMethod.Put, $"/v1/tenants/{b.Tenant.TenantId}/venues/{b.Venue.VenueId}", new HubVenueRequest("Hijacked", "Europe/London"), null),
            (HttpMethod.Get, $"/v1/tenants/{b.Tenant.TenantId}/users", null, null),
            (HttpMethod.Post, $"/v1/tenants/{b.Tenant.TenantId}/users", new CreateUserRequest("spy@alpha.test", "Spy", "spy-password"), null),
            (HttpMethod.Get, $"/v1/tenants/{b.Tenant.TenantId}/users/{b.User.UserId}", null, null),
            (HttpMethod.Put, $"/v1/tenants/{b.Tenant.TenantId}/users/{b.User.UserId}/venue-roles", new SetVenueRolesRequest([]), null),
            (HttpMethod.Get, $"/v1/tenants/{b.Tenant.TenantId}/users/{b.User.UserId}/capabilities", null, null),
            (HttpMethod.Put, $"/v1/tenants/{b.Tenant.TenantId}/users/{b.User.UserId}/capabilities", new SetCapabilitiesRequest([]), null),
            (HttpMethod.Post, $"/v1/tenants/{b.Tenant.TenantId}/venues/{b.Venue.VenueId}/enrollment-codes", null, null),
            // A's own tenant id with B's entity ids
            (HttpMethod.Get, $"/v1/tenants/{a.Tenant.TenantId}/venues/{b.Venue.VenueId}", null, null),
            (HttpMethod.Put, $"/v1/tenants/{a.Tenant.TenantId}/venues/{b.Venue.VenueId}", new HubVenueRequest("Hijacked", "Europe/London"), null),
            (HttpMethod.Get, $"/v1/tenants/{a.Tenant.TenantId}/users/{b.User.UserId}", null, null),
            (HttpMethod.Put, $"/v1/tenants/{a.Tenant.TenantId}/users/{b.User.UserId}/venue-roles", new SetVenueRolesRequest([]), null),
            (HttpMethod.Put, $"/v1/tenants/{a.Tenant.TenantId}/users/{a.User.UserId}/venue-roles", new SetVenueRolesRequest([new VenueRoleGrant(b.Venue.VenueId, Roles.VenueManager)]), null),
            (HttpMethod.Post, $"/v1/tenants/{a.Tenant.TenantId}/users", new CreateUserRequest("x@alpha.test", "X", "x-password-1", null, [new VenueRoleGrant(b.Venue.VenueId, Roles.VenueViewer)]), null),
            (HttpMethod.Get, $"/v1/tenants/{a.Tenant.TenantId}/users/{b.User.UserId}/capabilities", null, null),
            (HttpMethod.Put, $"/v1/tenants/{a.Tenant.TenantId}/users/{b.User.UserId}/capabilities", new SetCapabilitiesRequest([]), null),
            (HttpMethod.Post, $"/v1/tenants/{a.Tenant.TenantId}/venues/{b.Venue.VenueId}/enrollment-codes", null, null),
            // The shared library: the tenant comes from the token, B's ids are unknown
            (HttpMethod.Get, $"/v1/library/assets/{b.Asset.AssetId}", null, null),
            (HttpMethod.Delete, $"/v1/library/assets/{b.Asset.AssetId}", null, null),
            (HttpMethod.Get, $"/v1/library/playlists/{b.Playlist.PlaylistId}", null, null),
            (HttpMethod.Put, $"/v1/library/playlists/{b.Playlist.PlaylistId}/items", new SetLibraryPlaylistItemsRequest([]), ifMatchAny),
            (HttpMethod.Post, $"/v1/library/playlists/{b.Playlist.PlaylistId}/publish", null, ifMatchAny),
            (HttpMethod.Post, $"/v1/library/playlists/{b.Playlist.PlaylistId}/rollback", new RollbackRequest(2), ifMatchAny),
            (HttpMethod.Put, $"/v1/library/playlists/{a.Playlist.PlaylistId}/items", new SetLibraryPlaylistItemsRequest([new LibraryPlaylistItemRequest(b.Asset.AssetId)]), ifMatchAny),
        };
        foreach (var (method, path, body, configure) in calls)
        {
            using var response = await Hub.RawAsync(method, path, token, body, configure);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{method} {path} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
        // A's appliance: B's blob is unknown, and B's data never comes down A's feed.
        using (var blob = await Hub.RawAsync(HttpMethod.Get, $"/v1/sync/blobs/{b.Asset.Sha256}", a.Appliance.Credential))
        {
            // Same PNG bytes in both tenants share one blob on disk, yet A may fetch it only through its own asset.
            Assert.Equal(a.Asset.Sha256 == b.Asset.Sha256 ? HttpStatusCode.OK : HttpStatusCode.NotFound, blob.StatusCode);
        }
        var feed = await Hub.SendAsync<SyncChangesResponse>(HttpMethod.Get, "/v1/sync/changes?cursor=0", a.Appliance.Credential, null);
        var feedText = JsonSerializer.Serialize(feed, HubApi.Json);
        foreach (var id in new[] { b.Tenant.TenantId, b.Venue.VenueId, b.User.UserId, b.Asset.AssetId, b.Playlist.PlaylistId, b.Tenant.AdminEmail })
            Assert.DoesNotContain(id, feedText, StringComparison.Ordinal);

        // Lists, head-office views and /me: A only.
        var lists = string.Join('\n', await Task.WhenAll(new[]
        {
            $"/v1/tenants/{a.Tenant.TenantId}/venues", $"/v1/tenants/{a.Tenant.TenantId}/users", "/v1/library/assets", "/v1/library/playlists",
            "/v1/me", "/v1/me/venues", "/v1/fleet", "/v1/reports/proof-of-play?from=2026-11-01&to=2026-11-30&groupBy=venue",
            "/v1/reports/proof-of-play.csv?from=2026-11-01&to=2026-11-30&groupBy=venue",
        }.Select(async path =>
        {
            using var response = await Hub.RawAsync(HttpMethod.Get, path, token);
            await HubApi.EnsureAsync(response);
            return await response.Content.ReadAsStringAsync();
        })));
        foreach (var id in new[] { b.Tenant.TenantId, b.Venue.VenueId, b.User.UserId, b.Asset.AssetId, b.Playlist.PlaylistId, b.Appliance.ApplianceId })
            Assert.DoesNotContain(id, lists, StringComparison.Ordinal);
        Assert.Contains(a.Venue.VenueId, lists, StringComparison.Ordinal);

        // Nothing of B changed.
        var bVenue = await Hub.SendAsync<HubVenueResponse>(HttpMethod.Get, $"/v1/tenants/{b.Tenant.TenantId}/venues/{b.Venue.VenueId}", b.Tenant.AdminToken, null);
        Assert.Equal("Bravo venue", bVenue.Name);
        var bUser = await Hub.SendAsync<UserResponse>(HttpMethod.Get, $"/v1/tenants/{b.Tenant.TenantId}/users/{b.User.UserId}", b.Tenant.AdminToken, null);
        Assert.Single(bUser.VenueRoles);
        var bAssets = await Hub.SendAsync<ItemsResponse<HubAsset>>(HttpMethod.Get, "/v1/library/assets", b.Tenant.AdminToken, null);
        Assert.Single(bAssets.Items);
    }
}
