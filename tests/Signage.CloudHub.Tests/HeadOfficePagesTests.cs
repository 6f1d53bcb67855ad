using System.Net;
using Signage.Contracts;
using Signage.Media.Tests.Builders;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>
/// Every head-office page as every kind of person, through the real hub: allowed → 200 HTML, not
/// allowed → 403 page, not signed in → the sign-in page, another tenant's id → 404 page; never a 500.
/// The rules are the API's own (the pages carry the API's access rules and call its handlers).
/// </summary>
public sealed class HeadOfficePagesTests(HubFixture fixture) : HubTests(fixture)
{
    private const string Password = "people-password-1";

    private sealed record World(TestTenant Tenant, HubVenueResponse Venue, UserResponse Viewer, UserResponse Staff, LibraryPlaylistResponse Playlist);

    private async Task<World> BuildAsync(string name)
    {
        var tenant = await Hub.CreateTenantAsync(name);
        var venue = await Hub.CreateVenueAsync(tenant, name + " venue");
        var viewer = await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest($"viewer-{Guid.NewGuid():N}@{name}.test", "Viewer", Password, [Roles.TenantViewer]));
        var staff = await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest($"staff-{Guid.NewGuid():N}@{name}.test", "Bar manager", Password, null, [new VenueRoleGrant(venue.VenueId, Roles.VenueManager)]));
        var playlist = await Hub.SendAsync<LibraryPlaylistResponse>(HttpMethod.Post, "/v1/library/playlists", tenant.AdminToken, new CreateLibraryPlaylistRequest("Loop"));
        return new World(tenant, venue, viewer, staff, playlist);
    }

    [Fact]
    public async Task Every_page_answers_each_role_as_the_api_would_and_never_fails()
    {
        var a = await BuildAsync("alpha");
        var b = await BuildAsync("bravo");
        var people = new Dictionary<string, (string Email, string Password)?>
        {
            ["anonymous"] = null,
            ["platform"] = (HubProcess.AdminEmail, HubProcess.AdminPassword),
            ["admin"] = (a.Tenant.AdminEmail, a.Tenant.AdminPassword),
            ["viewer"] = (a.Viewer.Email, Password),
            ["staff"] = (a.Staff.Email, Password),
        };
        // Expected status per person: anonymous, platform admin, tenant admin, tenant viewer, venue staff.
        (string Path, int[] Expected)[] table =
        [
            ("/admin/signin", [200, 200, 200, 200, 200]),
            ("/admin", [302, 302, 302, 302, 302]),
            ("/admin/fleet", [302, 403, 200, 200, 403]),
            ("/admin/fleet/cards", [401, 403, 200, 200, 403]),
            ("/admin/reports", [302, 403, 200, 200, 403]),
            ("/admin/reports?from=2026-11-30&to=2026-11-01&groupBy=venue", [302, 403, 200, 200, 403]),
            ("/admin/reports?from=2026-11-01&to=2026-11-30&groupBy=nonsense", [302, 403, 200, 200, 403]),
            ("/admin/venues", [302, 403, 200, 403, 403]),
            ($"/admin/venues/{a.Venue.VenueId}", [302, 403, 200, 403, 403]),
            ($"/admin/venues/{b.Venue.VenueId}", [302, 403, 404, 403, 403]),
            ("/admin/venues/ven_nonexistent", [302, 403, 404, 403, 403]),
            ("/admin/users", [302, 403, 200, 403, 403]),
            ($"/admin/users/{a.Staff.UserId}", [302, 403, 200, 403, 403]),
            ($"/admin/users/{b.Staff.UserId}", [302, 403, 404, 403, 403]),
            ("/admin/library", [302, 403, 200, 200, 200]),
            ($"/admin/library/playlists/{a.Playlist.PlaylistId}", [302, 403, 200, 200, 200]),
            ($"/admin/library/playlists/{b.Playlist.PlaylistId}", [302, 403, 404, 404, 404]),
            ("/admin/tenants", [302, 200, 403, 403, 403]),
        ];
        var failures = new List<string>();
        var order = people.Keys.ToList();
        foreach (var (person, credentials) in people)
        {
            using var client = new PageClient(Hub);
            if (credentials is { } c) await client.SignInAsync(c.Email, c.Password);
            foreach (var (path, expected) in table)
            {
                using var response = await client.GetAsync(path);
                var want = expected[order.IndexOf(person)];
                var body = await response.Content.ReadAsStringAsync();
                if ((int)response.StatusCode != want) failures.Add($"{person} GET {path}: {(int)response.StatusCode}, expected {want}");
                else if (want is 200 or 403 or 404 && !path.EndsWith("/cards", StringComparison.Ordinal) && response.Content.Headers.ContentType?.MediaType != "text/html")
                    failures.Add($"{person} GET {path}: {response.Content.Headers.ContentType}, expected a page");
                else if (want == 302 && person == "anonymous" && path != "/admin" && !response.Headers.Location!.OriginalString.StartsWith("/admin/signin?returnTo=", StringComparison.Ordinal))
                    failures.Add($"{person} GET {path}: redirected to {response.Headers.Location}, expected the sign-in page");
                if (path.StartsWith("/admin/reports?from=2026-11-30", StringComparison.Ordinal) && want == 200 && !body.Contains("class=\"error\"", StringComparison.Ordinal))
                    failures.Add($"{person} GET {path}: a reversed range must be explained on the page");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Forms_act_only_on_the_callers_own_tenant_and_role()
    {
        var a = await BuildAsync("charlie");
        var b = await BuildAsync("delta");
        using var admin = new PageClient(Hub);
        await admin.SignInAsync(a.Tenant.AdminEmail, a.Tenant.AdminPassword);

        using (var foreign = await admin.PostFormAsync("/admin/venues", $"/admin/venues/{b.Venue.VenueId}", new Dictionary<string, string> { ["name"] = "Taken", ["timezone"] = "Europe/London" }))
            Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        using (var code = await admin.PostFormAsync("/admin/venues", $"/admin/venues/{b.Venue.VenueId}/enrollment-codes", new Dictionary<string, string> { ["validForHours"] = "1" }))
            Assert.Equal(HttpStatusCode.NotFound, code.StatusCode);
        using (var roles = await admin.PostFormAsync("/admin/users", $"/admin/users/{b.Staff.UserId}/capabilities", new Dictionary<string, string> { ["capability"] = Capabilities.EditSharedLibrary }))
            Assert.Equal(HttpStatusCode.NotFound, roles.StatusCode);
        var bVenue = await Hub.SendAsync<HubVenueResponse>(HttpMethod.Get, $"/v1/tenants/{b.Tenant.TenantId}/venues/{b.Venue.VenueId}", b.Tenant.AdminToken, null);
        Assert.Equal("delta venue", bVenue.Name);

        // Bad input is shown beside the form, with what was typed, and nothing is stored.
        using (var invalid = await admin.PostFormAsync("/admin/venues", "/admin/venues", new Dictionary<string, string> { ["name"] = "Quay", ["timezone"] = "Mars/Olympus" }))
        {
            Assert.Equal(HttpStatusCode.OK, invalid.StatusCode);
            var page = await invalid.Content.ReadAsStringAsync();
            Assert.Contains("is not an IANA time zone", page);
            Assert.Contains("value=\"Quay\"", page);
        }
        var venues = await Hub.SendAsync<ItemsResponse<HubVenueResponse>>(HttpMethod.Get, $"/v1/tenants/{a.Tenant.TenantId}/venues", a.Tenant.AdminToken, null);
        Assert.DoesNotContain(venues.Items, v => v.Name == "Quay");

        // A viewer's form post is refused by the same rule as the API.
        using var viewer = new PageClient(Hub);
        await viewer.SignInAsync(a.Viewer.Email, Password);
        using (var refused = await viewer.PostFormAsync("/admin/library", "/admin/venues", new Dictionary<string, string> { ["name"] = "Sneaky", ["timezone"] = "Europe/London" }))
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // A form without its antiforgery token is refused before anything runs.
        using (var forged = await admin.GetAsync("/admin/venues"))
        {
            using var http = new HttpClient { BaseAddress = Hub.BaseAddress };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/venues") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "Forged", ["timezone"] = "" }) };
            request.Headers.Add("Cookie", string.Join("; ", admin.Cookies.Select(c => $"{c.Key}={c.Value}")));
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
        venues = await Hub.SendAsync<ItemsResponse<HubVenueResponse>>(HttpMethod.Get, $"/v1/tenants/{a.Tenant.TenantId}/venues", a.Tenant.AdminToken, null);
        Assert.DoesNotContain(venues.Items, v => v.Name is "Forged" or "Sneaky");
    }

    [Fact]
    public async Task A_library_upload_without_javascript_stores_the_asset_with_a_real_thumbnail()
    {
        var a = await BuildAsync("foxtrot");
        using var admin = new PageClient(Hub);
        await admin.SignInAsync(a.Tenant.AdminEmail, a.Tenant.AdminPassword);
        string token;
        using (var page = await admin.GetAsync("/admin/library"))
            token = System.Text.RegularExpressions.Regex.Match(await page.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        using var form = new MultipartFormDataContent
        {
            { new StringContent(token), "__RequestVerificationToken" },
            { new ByteArrayContent(PngBuilder.Build(64, 36)), "file", "logo.png" },
        };
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Hub.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/admin/library") { Content = form };
        request.Headers.Add("Cookie", string.Join("; ", admin.Cookies.Select(c => $"{c.Key}={c.Value}")));
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        var asset = Assert.Single((await Hub.SendAsync<ItemsResponse<HubAsset>>(HttpMethod.Get, "/v1/library/assets", a.Tenant.AdminToken, null)).Items);
        Assert.Equal("logo.png", asset.DisplayName);
        using var thumbnail = await admin.GetAsync($"/v1/library/assets/{asset.AssetId}/thumbnail");
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/jpeg", thumbnail.Content.Headers.ContentType?.MediaType);
        var bytes = await thumbnail.Content.ReadAsByteArrayAsync();
        Assert.True(bytes is [0xFF, 0xD8, ..], "a JPEG made by ffmpeg");

        // Another tenant's asset id is not found, as on the API.
        var other = await BuildAsync("golf");
        using var outsider = new PageClient(Hub);
        await outsider.SignInAsync(other.Tenant.AdminEmail, other.Tenant.AdminPassword);
        using var foreign = await outsider.GetAsync($"/v1/library/assets/{asset.AssetId}/thumbnail");
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
    }

    [Fact]
    public async Task A_shared_playlist_is_built_published_and_rolled_back_from_its_page_without_javascript()
    {
        var a = await BuildAsync("hotel");
        var logo = await Hub.SendAsync<HubAsset>(HttpMethod.Post, "/v1/library/assets?name=Logo", a.Tenant.AdminToken, new ByteArrayContent(PngBuilder.Build(64, 36)));
        var menu = await Hub.SendAsync<HubAsset>(HttpMethod.Post, "/v1/library/assets?name=Menu", a.Tenant.AdminToken, new ByteArrayContent(PngBuilder.Build(48, 27)));
        using var admin = new PageClient(Hub);
        await admin.SignInAsync(a.Tenant.AdminEmail, a.Tenant.AdminPassword);
        var path = $"/admin/library/playlists/{a.Playlist.PlaylistId}";

        async Task<string> Post(string action, Dictionary<string, string> fields)
        {
            var page = await (await admin.GetAsync(path)).Content.ReadAsStringAsync();
            fields["etag"] = System.Net.WebUtility.HtmlDecode(System.Text.RegularExpressions.Regex.Match(page, "name=\"etag\" value=\"([^\"]+)\"").Groups[1].Value);
            using var response = await admin.PostFormAsync(path, path + action, fields);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return System.Net.WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()); // Razor writes "·" as &#xB7;
        }

        await Post("/items", new() { ["action"] = "add", ["add"] = logo.AssetId });
        var html = await Post("/items", new() { ["action"] = "add", ["add"] = menu.AssetId, ["asset"] = logo.AssetId, ["duration"] = "8", ["enabled0"] = "on" });
        Assert.Contains("Draft saved", html);
        Assert.Contains("Publish version 3", html);
        Assert.Contains("Published · version 3", await Post("/publish", []));
        var published = await Hub.SendAsync<LibraryPlaylistResponse>(HttpMethod.Get, $"/v1/library/playlists/{a.Playlist.PlaylistId}", a.Tenant.AdminToken, null);
        Assert.Equal([logo.AssetId, menu.AssetId], published.Items.Select(i => i.AssetId));
        Assert.Equal(8000, published.Items[0].DurationMs);

        // A stale form (an older ETag) is refused in words, and nothing changes.
        using (var stale = await admin.PostFormAsync(path, path + "/items", new Dictionary<string, string> { ["etag"] = "\"library-playlist-" + a.Playlist.PlaylistId + "-1\"", ["action"] = "save" }))
            Assert.Contains("Someone else changed this", await stale.Content.ReadAsStringAsync());

        // Remove the first item and publish (version 4), then roll back to version 3 (published again as version 5).
        await Post("/items", new() { ["action"] = "remove:0", ["asset"] = logo.AssetId, ["duration"] = "8", ["enabled0"] = "on" });
        Assert.Contains("Published · version 4", await Post("/publish", []));
        Assert.Contains("Version 3 is playing again, published as version 5", await Post("/rollback", new() { ["version"] = "3" }));
        var rolledBack = await Hub.SendAsync<LibraryPlaylistResponse>(HttpMethod.Get, $"/v1/library/playlists/{a.Playlist.PlaylistId}", a.Tenant.AdminToken, null);
        Assert.Equal(5, rolledBack.PublishedVersion);
        Assert.Equal([logo.AssetId, menu.AssetId], rolledBack.Items.Select(i => i.AssetId));
    }
}
