using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Signage.Contracts;
using Signage.Media.Tests.Builders;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

public sealed class LibraryAndSyncDownTests(HubFixture fixture) : HubTests(fixture)
{
    [Fact]
    public async Task Draft_edits_need_the_current_etag_and_publish_and_rollback_make_new_versions()
    {
        var tenant = await Hub.CreateTenantAsync("Editors");
        var a = await Hub.UploadAsync(tenant, "A", PngBuilder.Build(100, 100));
        var b = await Hub.UploadAsync(tenant, "B", JpegBuilder.Build(200, 100));
        using var created = await Hub.RawAsync(HttpMethod.Post, "/v1/library/playlists", tenant.AdminToken, new CreateLibraryPlaylistRequest("Brand loop"));
        var playlist = JsonSerializer.Deserialize<LibraryPlaylistResponse>(await created.Content.ReadAsStringAsync(), HubApi.Json)!;
        var etag = created.Headers.ETag!.Tag;
        var path = $"/v1/library/playlists/{playlist.PlaylistId}";

        using var missing = await Hub.RawAsync(HttpMethod.Put, path + "/items", tenant.AdminToken, new SetLibraryPlaylistItemsRequest([new LibraryPlaylistItemRequest(a.AssetId)]));
        Assert.Equal((HttpStatusCode)428, missing.StatusCode);
        using var v2 = await Hub.RawAsync(HttpMethod.Put, path + "/items", tenant.AdminToken, new SetLibraryPlaylistItemsRequest([new LibraryPlaylistItemRequest(a.AssetId)]),
            r => r.Headers.IfMatch.Add(new EntityTagHeaderValue(etag)));
        Assert.Equal(HttpStatusCode.OK, v2.StatusCode);
        using var stale = await Hub.RawAsync(HttpMethod.Put, path + "/items", tenant.AdminToken, new SetLibraryPlaylistItemsRequest([new LibraryPlaylistItemRequest(b.AssetId)]),
            r => r.Headers.IfMatch.Add(new EntityTagHeaderValue(etag)));
        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.StatusCode);

        var published = await PostWithETagAsync(path + "/publish", tenant, v2.Headers.ETag!.Tag, null);
        Assert.Equal(published.DraftVersion, published.PublishedVersion);
        var firstPublished = published.PublishedVersion!.Value;
        using var v3 = await Hub.RawAsync(HttpMethod.Put, path + "/items", tenant.AdminToken, new SetLibraryPlaylistItemsRequest([new LibraryPlaylistItemRequest(b.AssetId, 8000)]),
            r => r.Headers.IfMatch.Add(new EntityTagHeaderValue(EtagOf(published))));
        var afterB = await PostWithETagAsync(path + "/publish", tenant, v3.Headers.ETag!.Tag, null);
        var rolledBack = await PostWithETagAsync(path + "/rollback", tenant, EtagOf(afterB), new RollbackRequest(firstPublished));
        Assert.True(rolledBack.PublishedVersion > afterB.PublishedVersion);
        Assert.Equal([a.AssetId], rolledBack.Items.Select(i => i.AssetId));
    }

    private static string EtagOf(LibraryPlaylistResponse playlist) => $"\"library-playlist-{playlist.PlaylistId}-{playlist.DraftVersion}\"";

    private async Task<LibraryPlaylistResponse> PostWithETagAsync(string path, TestTenant tenant, string etag, object? body)
    {
        using var response = await Hub.RawAsync(HttpMethod.Post, path, tenant.AdminToken, body, r => r.Headers.IfMatch.Add(new EntityTagHeaderValue(etag)));
        await HubApi.EnsureAsync(response);
        return JsonSerializer.Deserialize<LibraryPlaylistResponse>(await response.Content.ReadAsStringAsync(), HubApi.Json)!;
    }

    [Fact]
    public async Task The_change_feed_brings_the_venue_its_users_with_password_hashes_the_library_and_published_playlists_in_order()
    {
        var tenant = await Hub.CreateTenantAsync("Feeders");
        var venue = await Hub.CreateVenueAsync(tenant, "Fed");
        var other = await Hub.CreateVenueAsync(tenant, "Elsewhere");
        var staff = await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest("staff@fed.test", "Sam", "staff-password", null, [new VenueRoleGrant(venue.VenueId, Roles.VenueEditor)]));
        var outsider = await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest("out@fed.test", "Olly", "outsider-password", null, [new VenueRoleGrant(other.VenueId, Roles.VenueManager)]));
        var asset = await Hub.UploadAsync(tenant, "Poster", PngBuilder.Build(320, 240));
        var appliance = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId)).Code, "app_fed", new EnrollVenue("l", "Fed", "Europe/London"));

        var changes = await Hub.AllChangesAsync(appliance.Credential);
        Assert.Equal(changes.Select(c => c.Sequence).Order(), changes.Select(c => c.Sequence));
        var users = changes.Where(c => c.Kind == SyncProtocol.ChangeKinds.User && c.Operation == SyncProtocol.Operations.Upsert)
            .Select(c => c.Data!.Value.Deserialize(ContractsJsonContext.Default.HubUser)!).ToList();
        var sam = Assert.Single(users, u => u.UserId == staff.UserId);
        Assert.Equal(Roles.VenueEditor, sam.VenueRole);
        // The hash is the one the appliance verifies offline with the same hasher.
        Assert.Equal(Microsoft.AspNetCore.Identity.PasswordVerificationResult.Success,
            new Microsoft.AspNetCore.Identity.PasswordHasher<string>().VerifyHashedPassword("", sam.PasswordHash, "staff-password"));
        Assert.Contains(users, u => u.Email == tenant.AdminEmail && u.VenueRole == Roles.VenueManager);
        Assert.DoesNotContain(users, u => u.UserId == outsider.UserId);
        Assert.Contains(changes, c => c.Kind == SyncProtocol.ChangeKinds.Asset && c.EntityId == asset.AssetId);

        // Later changes arrive after the cursor the appliance kept; taking Sam's access away is a DELETE.
        var cursor = changes[^1].Sequence;
        await Hub.SendAsync<UserResponse>(HttpMethod.Put, $"/v1/tenants/{tenant.TenantId}/users/{staff.UserId}/venue-roles", tenant.AdminToken, new SetVenueRolesRequest([]));
        var next = await Hub.SendAsync<SyncChangesResponse>(HttpMethod.Get, $"/v1/sync/changes?cursor={cursor}", appliance.Credential, null);
        Assert.Contains(next.Changes, c => c.Kind == SyncProtocol.ChangeKinds.User && c.EntityId == staff.UserId && c.Operation == SyncProtocol.Operations.Delete);
        Assert.All(next.Changes, c => Assert.True(c.Sequence > cursor));
        var again = await Hub.SendAsync<SyncChangesResponse>(HttpMethod.Get, $"/v1/sync/changes?cursor={next.NextCursor}", appliance.Credential, null);
        Assert.Empty(again.Changes);
        Assert.Equal(next.NextCursor, again.NextCursor);
    }
}
