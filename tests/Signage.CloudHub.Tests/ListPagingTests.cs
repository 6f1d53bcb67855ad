using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>
/// Cursor paging on every list of the hub's JSON API, the appliance's contract (spec 27.1: <c>?cursor=&amp;limit=</c>,
/// default 50, 1 to 200, <c>{ items, nextCursor }</c>). One table of every list route: each is given more rows than a
/// page (some with equal sort keys, so the id must break the tie), walked two at a time, and must give every row once,
/// in the order one big page gives them; a bad limit or cursor is 400 problem+json. A source scan keeps the table
/// whole: every GET route the hub maps is either in it or named as not a list.
/// </summary>
public sealed partial class ListPagingTests(HubFixture fixture) : HubTests(fixture)
{
    private const int Rows = 5;

    /// <summary>Every list route of the hub's JSON API.</summary>
    public static TheoryData<string> Lists => new() { "tenants", "venues", "users", "assets", "playlists", "fleet", "my-venues" };

    /// <summary>GET routes that answer one thing, not a list (the sync feed pages by its own sequence number, spec 26).</summary>
    private static readonly string[] NotLists =
    [
        "/health", "/v1/me", "/v1/sync/changes", "/v1/sync/blobs/{sha256}", "/v1/library/assets/{assetId}", "/v1/library/assets/{assetId}/thumbnail",
        "/v1/library/playlists/{playlistId}", "/v1/tenants/{tenantId}/users/{userId}", "/v1/tenants/{tenantId}/users/{userId}/capabilities",
        "/v1/tenants/{tenantId}/venues/{venueId}", "/v1/reports/proof-of-play", "/v1/reports/proof-of-play.csv",
    ];

    private static readonly Dictionary<string, string> ListRoutes = new()
    {
        ["tenants"] = "/v1/tenants", ["venues"] = "/v1/tenants/{tenantId}/venues", ["users"] = "/v1/tenants/{tenantId}/users",
        ["assets"] = "/v1/library/assets", ["playlists"] = "/v1/library/playlists", ["fleet"] = "/v1/fleet", ["my-venues"] = "/v1/me/venues",
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Every_list_walks_page_by_page_giving_each_row_once_in_order_and_refuses_a_bad_limit_or_cursor(string list)
    {
        var (path, token, id, seeded) = await SeedAsync(list);

        var whole = await PageAsync(path, token, "limit=200");
        Assert.Null(whole.NextCursor);
        var all = whole.Items.Select(i => i.GetProperty(id).GetString()!).ToList();
        Assert.Superset(seeded.ToHashSet(), all.ToHashSet());
        if (list != "tenants") Assert.Equal(seeded.Order(), all.Order()); // the platform list holds every test's tenants

        var walked = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await PageAsync(path, token, cursor is null ? "limit=2" : $"limit=2&cursor={Uri.EscapeDataString(cursor)}");
            Assert.True(page.Items.Count is 1 or 2, $"{list}: a page of {page.Items.Count}");
            walked.AddRange(page.Items.Select(i => i.GetProperty(id).GetString()!));
            cursor = page.NextCursor;
            Assert.True(++pages <= all.Count, $"{list}: more pages than items");
        }
        while (cursor is not null);
        Assert.Equal(all, walked);

        var good = (await PageAsync(path, token, "limit=1")).NextCursor!;
        foreach (var bad in new[] { "limit=0", "limit=201", "limit=-1", "limit=many", "cursor=garbage", "cursor=",
                     $"cursor={Uri.EscapeDataString(good[..^1] + (good[^1] == 'A' ? 'B' : 'A'))}", $"cursor={Uri.EscapeDataString("x" + good)}" })
        {
            using var response = await Hub.RawAsync(HttpMethod.Get, $"{path}?{bad}", token);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{list} ?{bad}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal(ProblemCodes.BadRequest, problem.RootElement.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task A_list_gives_50_by_default_and_at_most_200_then_a_cursor_to_the_rest()
    {
        var tenant = await Hub.CreateTenantAsync("Many venues");
        await using (var connection = await OpenAsync())
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO venue (venue_id, tenant_id, name, timezone, updated_at)
                SELECT 'ven_' || to_char(i, 'FM0000'), @tenant, 'Venue ' || to_char(i, 'FM0000'), 'Europe/London', now() FROM generate_series(0, 200) i;
                """, connection);
            insert.Parameters.AddWithValue("tenant", tenant.TenantId);
            await insert.ExecuteNonQueryAsync();
        }
        var path = $"/v1/tenants/{tenant.TenantId}/venues";

        var first = await PageAsync(path, tenant.AdminToken, "");
        Assert.Equal(50, first.Items.Count);
        Assert.NotNull(first.NextCursor);
        var most = await PageAsync(path, tenant.AdminToken, "limit=200");
        Assert.Equal(200, most.Items.Count);
        var rest = await PageAsync(path, tenant.AdminToken, $"limit=200&cursor={Uri.EscapeDataString(most.NextCursor!)}");
        Assert.Equal(["Venue 0200"], rest.Items.Select(v => v.GetProperty("name").GetString()));
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task The_head_office_pages_still_show_every_row_of_a_list_longer_than_the_largest_page()
    {
        var tenant = await Hub.CreateTenantAsync("Big estate");
        await using (var connection = await OpenAsync())
        {
            await using var insert = new NpgsqlCommand("""
                INSERT INTO venue (venue_id, tenant_id, name, timezone, updated_at)
                SELECT 'ven_big' || i, @tenant, 'Estate venue ' || to_char(i, 'FM0000'), 'Europe/London', now() FROM generate_series(0, 249) i;
                """, connection);
            insert.Parameters.AddWithValue("tenant", tenant.TenantId);
            await insert.ExecuteNonQueryAsync();
        }
        using var browser = new PageClient(Hub);
        await browser.SignInAsync(tenant.AdminEmail, tenant.AdminPassword);
        using var response = await browser.GetAsync("/admin/venues");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(250, EstateVenue().Matches(html).Select(m => m.Value).Distinct().Count());
    }

    [Fact]
    public void Every_GET_route_of_the_hub_api_is_a_paged_list_above_or_named_as_not_a_list()
    {
        var mapped = new HashSet<string>();
        var source = Path.Combine(RepositoryRoot(), "cloud-hub", "Signage.CloudHub");
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories).Where(f => !f.EndsWith("Pages.cs", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(file);
            var groups = GroupVariable().Matches(text).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
            foreach (Match get in MapGet().Matches(text))
                mapped.Add((groups.TryGetValue(get.Groups[1].Value, out var prefix) ? prefix : "") + get.Groups[2].Value);
        }
        Assert.Equal(ListRoutes.Values.Concat(NotLists).Order(StringComparer.Ordinal), mapped.Order(StringComparer.Ordinal));
    }

    private async Task<(string Path, string? Token, string Id, List<string> Seeded)> SeedAsync(string list)
    {
        var tenant = await Hub.CreateTenantAsync($"Paging {list}");
        var route = ListRoutes[list].Replace("{tenantId}", tenant.TenantId, StringComparison.Ordinal);
        var seeded = new List<string>();
        // Every other name is the same: the id must break the tie.
        string Name(int i) => i % 2 == 0 ? "Acme" : $"Acme {i}";
        switch (list)
        {
            case "tenants":
                for (var i = 0; i < Rows; i++) seeded.Add((await Hub.CreateTenantAsync(Name(i))).TenantId);
                return (route, Hub.PlatformToken, "tenantId", seeded);
            case "venues":
                for (var i = 0; i < Rows; i++) seeded.Add((await Hub.CreateVenueAsync(tenant, Name(i))).VenueId);
                return (route, tenant.AdminToken, "venueId", seeded);
            case "users":
            {
                var me = await Hub.SendAsync<ItemsResponse<UserResponse>>(HttpMethod.Get, route, tenant.AdminToken, null);
                seeded.Add(Assert.Single(me.Items).UserId);
                for (var i = 0; i < Rows; i++)
                    seeded.Add((await Hub.SendAsync<UserResponse>(HttpMethod.Post, route, tenant.AdminToken,
                        new CreateUserRequest(i % 2 == 0 ? $"User{i}@paging.test" : $"user{i}@paging.test", "Same name", "user-password-1"))).UserId);
                return (route, tenant.AdminToken, "userId", seeded);
            }
            case "assets":
            {
                // Written straight into the database, all at one instant: uploads cannot share a created_at, and the id must order them.
                await using var connection = await OpenAsync();
                for (var i = 0; i < Rows; i++)
                {
                    var assetId = $"ast_paging{i}";
                    await using var insert = new NpgsqlCommand("""
                        INSERT INTO asset (asset_id, tenant_id, display_name, media_type, mime_type, sha256, size_bytes, created_at)
                        VALUES (@id, @tenant, 'Poster', 'IMAGE', 'image/png', @sha, 10, @at);
                        """, connection);
                    insert.Parameters.AddWithValue("id", assetId);
                    insert.Parameters.AddWithValue("tenant", tenant.TenantId);
                    insert.Parameters.AddWithValue("sha", new string((char)('a' + i), 64));
                    insert.Parameters.AddWithValue("at", new DateTime(2026, 11, 20, 10, 0, i / 2, 123, DateTimeKind.Utc).AddTicks(4560));
                    await insert.ExecuteNonQueryAsync();
                    seeded.Add(assetId);
                }
                return (route, tenant.AdminToken, "assetId", seeded);
            }
            case "playlists":
                for (var i = 0; i < Rows; i++)
                    seeded.Add((await Hub.SendAsync<LibraryPlaylistResponse>(HttpMethod.Post, route, tenant.AdminToken, new CreateLibraryPlaylistRequest(Name(i)))).PlaylistId);
                return (route, tenant.AdminToken, "playlistId", seeded);
            case "fleet":
                for (var i = 0; i < Rows; i++)
                {
                    var venue = await Hub.CreateVenueAsync(tenant, Name(i));
                    var code = await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId);
                    seeded.Add((await Hub.EnrollAsync(code.Code, $"app_paging_{list}_{i}", new EnrollVenue($"local{i}", Name(i), "Europe/London"))).ApplianceId);
                }
                return (route, tenant.AdminToken, "applianceId", seeded);
            case "my-venues":
            {
                // Someone with roles at every other venue: the list is those, a page full however many the tenant has.
                var venues = new List<HubVenueResponse>();
                for (var i = 0; i < 2 * Rows; i++) venues.Add(await Hub.CreateVenueAsync(tenant, Name(i)));
                var granted = venues.Where((_, i) => i % 2 == 1 || i == 0).ToList();
                await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
                    new CreateUserRequest("editor@paging.test", "Editor", "editor-password-1", null,
                        [.. granted.Select(v => new VenueRoleGrant(v.VenueId, Roles.VenueEditor))]));
                var editor = await HubApi.LoginAsync(Hub.Client, "editor@paging.test", "editor-password-1");
                return (route, editor.AccessToken, "venueId", [.. granted.Select(v => v.VenueId)]);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(list), list, "no seeding for this list");
        }
    }

    private sealed record ItemsPage(IReadOnlyList<JsonElement> Items, string? NextCursor);

    private async Task<ItemsPage> PageAsync(string path, string? token, string query)
    {
        using var response = await Hub.RawAsync(HttpMethod.Get, query.Length == 0 ? path : $"{path}?{query}", token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}?{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.True(root.TryGetProperty("nextCursor", out var next), "the page has a nextCursor field");
        return new ItemsPage([.. root.GetProperty("items").EnumerateArray().Select(i => i.Clone())], next.ValueKind == JsonValueKind.Null ? null : next.GetString());
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(Hub.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Appliance.sln"))) return dir.FullName;
        throw new InvalidOperationException("Appliance.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"var (\w+) = app\.MapGroup\(""([^""]+)""\)")]
    private static partial Regex GroupVariable();

    [GeneratedRegex(@"(\w+)\.MapGet\(""([^""]*)""")]
    private static partial Regex MapGet();

    [GeneratedRegex("Estate venue [0-9]{4}")]
    private static partial Regex EstateVenue();
}
