using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// Cursor paging on every list of the /v1 API (spec 27.1: <c>?cursor=&amp;limit=</c>, default 50, max 200,
/// <c>{ items, nextCursor }</c>), against the native binary. One table of every list route: each is given
/// more rows than a page, walked two at a time, and must give every row exactly once, in the order one big
/// page gives them; a bad limit or cursor is 400 problem+json. Rows that only the appliance itself makes
/// (commands' history, incidents, versions, events, other venues) are written into its database file.
/// </summary>
public sealed class ListPagingTests : ApplianceApiTests
{
    private const int Rows = 5;

    protected override IDictionary<string, string>? Environment => new Dictionary<string, string> { ["RateLimits__Enabled"] = "false" };

    private string Venue => $"/v1/venues/{Api.VenueId}";

    /// <summary>Every list route of the API: its name here, and the item's id field.</summary>
    public static TheoryData<string> Lists => new()
    {
        "devices", "device-commands", "device-events", "playlists", "playlist-versions", "groups", "campaigns", "users",
        "incidents", "audit", "assets", "publishes", "schedule-versions", "my-venues",
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Every_list_walks_page_by_page_giving_each_row_once_in_order_and_refuses_a_bad_limit_or_cursor(string list)
    {
        var (path, id, seeded) = await SeedAsync(list);

        var whole = await PageAsync(path, "limit=200");
        Assert.Null(whole.NextCursor);
        Assert.True(whole.Items.Count >= seeded, $"{list}: {whole.Items.Count} items, {seeded} seeded");
        Assert.True(whole.Items.Count > 2, $"{list}: needs more than one page of two");

        var walked = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await PageAsync(path, cursor is null ? "limit=2" : $"limit=2&cursor={Uri.EscapeDataString(cursor)}");
            Assert.True(page.Items.Count is 1 or 2, $"{list}: a page of {page.Items.Count}");
            walked.AddRange(page.Items.Select(i => i.GetProperty(id).ToString()));
            cursor = page.NextCursor;
            Assert.True(++pages <= whole.Items.Count, $"{list}: more pages than items");
        }
        while (cursor is not null);
        Assert.Equal(whole.Items.Select(i => i.GetProperty(id).ToString()), walked);
        Assert.Equal(walked.Count, walked.Distinct().Count());

        var good = (await PageAsync(path, "limit=1")).NextCursor!;
        foreach (var bad in new[] { "limit=0", "limit=201", "limit=-1", "limit=many", "cursor=garbage", "cursor=",
                     $"cursor={Uri.EscapeDataString(good[..^1] + (good[^1] == 'A' ? 'B' : 'A'))}", $"cursor={Uri.EscapeDataString("x" + good)}" })
        {
            var response = await Api.AsAdmin(HttpMethod.Get, $"{path}{(path.Contains('?') ? '&' : '?')}{bad}");
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{list} ?{bad}: {(int)response.StatusCode}");
            await ApplianceApi.ProblemAsync(response);
        }
    }

    [Fact]
    public async Task A_list_gives_50_by_default_and_at_most_200_then_a_cursor_to_the_rest()
    {
        await using (var connection = OpenDatabase())
        {
            for (var i = 0; i < 201; i++)
                Execute(connection, "INSERT INTO device_group (group_id, venue_id, name, created_at_utc, updated_at_utc) VALUES ($id, $venue, $name, $now, $now);",
                    ("$id", $"grp_{i:D4}"), ("$venue", Api.VenueId), ("$name", $"Group {i:D4}"), ("$now", "2026-01-01T00:00:00.000Z"));
        }

        var first = await PageAsync($"{Venue}/groups", "");
        Assert.Equal(50, first.Items.Count);
        Assert.NotNull(first.NextCursor);
        var most = await PageAsync($"{Venue}/groups", "limit=200");
        Assert.Equal(200, most.Items.Count);
        var rest = await PageAsync($"{Venue}/groups", $"limit=200&cursor={Uri.EscapeDataString(most.NextCursor!)}");
        Assert.Equal(["Group 0200"], rest.Items.Select(g => g.GetProperty("name").GetString()));
        Assert.Null(rest.NextCursor);
    }

    [Fact]
    public async Task A_new_row_sorted_before_the_cursor_does_not_shift_the_next_page()
    {
        for (var i = 0; i < 4; i++) await CreateAsync($"{Venue}/groups", $$"""{"name":"Group {{i}}"}""");
        var first = await PageAsync($"{Venue}/groups", "limit=2");
        await CreateAsync($"{Venue}/groups", """{"name":"Group 0a"}""");
        var second = await PageAsync($"{Venue}/groups", $"limit=2&cursor={Uri.EscapeDataString(first.NextCursor!)}");
        Assert.Equal(["Group 2", "Group 3"], second.Items.Select(g => g.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Admin_pages_reach_old_incidents_and_commands_through_older_links()
    {
        var (deviceId, _) = await Api.PairScreenAsync("Bar TV");
        await using (var connection = OpenDatabase())
        {
            for (var i = 0; i < 60; i++)
            {
                Execute(connection, """
                    INSERT INTO incident (incident_id, venue_id, device_id, type, severity, opened_at_utc, resolved_at_utc)
                    VALUES ($id, $venue, $device, $type, 'WARNING', $opened, $opened);
                    """, ("$id", $"inc_{i:D2}"), ("$venue", Api.VenueId), ("$device", deviceId), ("$type", $"KIND_{i:D2}"),
                    ("$opened", $"2026-01-01T10:{i:D2}:00.000Z"));
                if (i < 25)
                    Execute(connection, """
                        INSERT INTO device_command (command_id, device_id, venue_id, command_type, status, issued_at_utc, expires_at_utc, result_message)
                        VALUES ($id, $device, $venue, 'REBOOT', 'SUCCEEDED', $at, $at, $message);
                        """, ("$id", $"cmd_{i:D2}"), ("$device", deviceId), ("$venue", Api.VenueId), ("$at", $"2026-01-01T10:{i:D2}:00.000Z"),
                        ("$message", $"done-{i:D2}"));
            }
        }
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = Api.Process.BaseAddress,
        };
        await AdminPagesTests.SignInAsync(browser, ApplianceApi.AdminEmail, ApplianceApi.AdminPassword);

        var kinds = new List<string>();
        var pages = await WalkAsync(browser, "/admin/incidents", "Older incidents", html => kinds.AddRange(Regex.Matches(html, "KIND_[0-9]+").Select(m => m.Value)));
        Assert.Equal(2, pages); // 50 + 10
        Assert.Equal(Enumerable.Range(0, 60).Reverse().Select(i => $"KIND_{i:D2}"), kinds);

        var results = new List<string>();
        pages = await WalkAsync(browser, $"/admin/screens/{deviceId}", "Older commands", html => results.AddRange(Regex.Matches(html, "done-[0-9]+").Select(m => m.Value)));
        Assert.Equal(2, pages); // 20 + 5
        Assert.Equal(Enumerable.Range(0, 25).Reverse().Select(i => $"done-{i:D2}"), results);

        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync("/admin/incidents?cursor=garbage")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.GetAsync($"/admin/screens/{deviceId}?commands=garbage")).StatusCode);
    }

    /// <summary>Follows a page's "older" link until there is none; the number of pages seen.</summary>
    private static async Task<int> WalkAsync(HttpClient browser, string path, string linkText, Action<string> read)
    {
        var pages = 0;
        for (string? next = path; next is not null; pages++)
        {
            var response = await browser.GetAsync(next);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var html = await response.Content.ReadAsStringAsync();
            read(html);
            var link = Regex.Match(html, $"<a href=\"([^\"]+)\">{linkText}");
            next = link.Success ? WebUtility.HtmlDecode(link.Groups[1].Value) : null;
            Assert.True(pages < 10, "the older links never end");
        }
        return pages;
    }

    private async Task<(string Path, string Id, int Seeded)> SeedAsync(string list)
    {
        switch (list)
        {
            case "devices":
                for (var i = 0; i < Rows; i++) await Api.PairScreenAsync(i % 2 == 0 ? "Bar TV" : $"screen {i}"); // same names: the id breaks the tie
                return ($"{Venue}/devices", "deviceId", Rows);
            case "playlists":
                for (var i = 0; i < Rows; i++) await CreateAsync($"{Venue}/playlists", $$"""{"name":"{{(i % 2 == 0 ? "Happy hour" : $"list.{i}")}}"}""");
                return ($"{Venue}/playlists", "playlistId", Rows);
            case "groups":
                for (var i = 0; i < Rows; i++) await CreateAsync($"{Venue}/groups", $$"""{"name":"{{(i % 2 == 0 ? $"Bar {i}" : $"bar.{i}")}}"}""");
                return ($"{Venue}/groups", "groupId", Rows);
            case "campaigns":
                for (var i = 0; i < Rows; i++) await CreateAsync($"{Venue}/campaigns", $$"""{"brandName":"{{(i < 3 ? "Acme" : "Zed")}}","name":"Spring"}""");
                return ($"{Venue}/campaigns", "campaignId", Rows);
            case "users":
                for (var i = 0; i < Rows; i++) await Api.CreateUserAsync($"user{i}@venue.test", Roles.VenueViewer);
                return ($"/v1/tenants/{Api.TenantId}/users", "userId", Rows + 1);
            case "assets":
                for (var i = 0; i < Rows; i++)
                {
                    await CreateAsync($"{Venue}/assets/uploads", $$"""{"fileName":"poster{{i}}.jpg","sizeBytes":10}""");
                }
                return ($"{Venue}/assets", "assetId", Rows);
            case "audit":
                for (var i = 0; i < Rows; i++) await CreateAsync($"{Venue}/groups", $$"""{"name":"Audited {{i}}"}""");
                await Api.CreateUserAsync("audited@venue.test", Roles.VenueViewer);
                return ($"{Venue}/audit", "auditId", 1);
            case "device-commands":
            {
                var (deviceId, _) = await Api.PairScreenAsync("Bar TV");
                var (otherId, _) = await Api.PairScreenAsync("Door TV");
                await using var connection = OpenDatabase();
                for (var i = 0; i < Rows; i++)
                {
                    // Two commands in the same millisecond: the id orders them.
                    foreach (var device in new[] { deviceId, otherId })
                        Execute(connection, """
                            INSERT INTO device_command (command_id, device_id, venue_id, command_type, status, issued_at_utc, expires_at_utc)
                            VALUES ($id, $device, $venue, 'REBOOT', 'EXPIRED', $at, $at);
                            """, ("$id", $"cmd_{device}_{i}"), ("$device", device), ("$venue", Api.VenueId), ("$at", $"2026-01-0{1 + i / 2}T10:00:00.000Z"));
                }
                return ($"{Venue}/devices/{deviceId}/commands", "commandId", Rows);
            }
            case "device-events":
            {
                var (deviceId, _) = await Api.PairScreenAsync("Bar TV");
                await using var connection = OpenDatabase();
                for (var i = 0; i < Rows; i++)
                    // A reinstall starts the sequence again: equal sequences are ordered by event id.
                    Execute(connection, """
                        INSERT INTO device_event (event_id, device_id, venue_id, sequence, event_type, severity, event_time_utc, received_at_utc)
                        VALUES ($id, $device, $venue, $sequence, 'APP_START', 'INFO', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.000Z');
                        """, ("$id", Guid.NewGuid().ToString()), ("$device", deviceId), ("$venue", Api.VenueId), ("$sequence", (long)(i % 3)));
                return ($"{Venue}/devices/{deviceId}/events", "eventId", Rows);
            }
            case "incidents":
            {
                var (deviceId, _) = await Api.PairScreenAsync("Bar TV");
                await using var connection = OpenDatabase();
                for (var i = 0; i < Rows; i++)
                    // Open ones first; among equal opening times the id orders them.
                    Execute(connection, """
                        INSERT INTO incident (incident_id, venue_id, device_id, type, severity, opened_at_utc, resolved_at_utc)
                        VALUES ($id, $venue, $device, $type, 'WARNING', $opened, $resolved);
                        """, ("$id", $"inc_{i}"), ("$venue", Api.VenueId), ("$device", deviceId), ("$type", $"TYPE_{i}"),
                        ("$opened", $"2026-01-0{1 + i / 2}T10:00:00.000Z"), ("$resolved", i % 2 == 0 ? "2026-02-01T00:00:00.000Z" : null));
                return ($"{Venue}/incidents", "incidentId", Rows);
            }
            case "playlist-versions":
            {
                var playlistId = (await CreateAsync($"{Venue}/playlists", """{"name":"Happy hour"}""")).GetProperty("playlistId").GetString()!;
                await using var connection = OpenDatabase();
                for (var i = 1; i <= Rows; i++)
                    Execute(connection, "INSERT INTO playlist_published (playlist_id, version, name, published_at_utc) VALUES ($playlist, $version, 'Happy hour', '2026-01-01T10:00:00.000Z');",
                        ("$playlist", playlistId), ("$version", (long)i));
                return ($"{Venue}/playlists/{playlistId}/versions", "version", Rows);
            }
            case "schedule-versions":
            {
                await using var connection = OpenDatabase();
                for (var i = 1; i <= Rows; i++)
                    Execute(connection, "INSERT INTO schedule_published (venue_id, version, published_at_utc) VALUES ($venue, $version, '2026-01-01T10:00:00.000Z');",
                        ("$venue", Api.VenueId), ("$version", (long)(100 + i)));
                return ($"{Venue}/scheduleset/versions", "version", Rows);
            }
            case "publishes":
            {
                await using var connection = OpenDatabase();
                for (var i = 1; i <= Rows; i++)
                    Execute(connection, """
                        INSERT INTO publish_event (venue_id, kind, target_id, version, action, created_at_utc)
                        VALUES ($venue, 'PLAYLIST', 'pl_x', $version, 'PUBLISH', '2026-01-01T10:00:00.000Z');
                        """, ("$venue", Api.VenueId), ("$version", (long)i));
                return ($"{Venue}/publishes", "publishId", Rows);
            }
            case "my-venues":
            {
                await using var connection = OpenDatabase();
                for (var i = 0; i < Rows; i++)
                    Execute(connection, """
                        INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc)
                        VALUES ($id, $tenant, $name, 'Europe/London', '2026-01-01T10:00:00.000Z', '2026-01-01T10:00:00.000Z');
                        """, ("$id", $"ven_{i}"), ("$tenant", Api.TenantId), ("$name", i % 2 == 0 ? "The Anchor" : $"The Bell {i}"));
                return ("/v1/me/venues", "venueId", Rows + 1);
            }
            default:
                throw new ArgumentOutOfRangeException(nameof(list), list, null);
        }
    }

    private async Task<JsonElement> CreateAsync(string path, string json)
    {
        var response = await Api.AsAdmin(HttpMethod.Post, path, ApplianceApi.Json(json));
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<ItemsPage> PageAsync(string path, string query)
    {
        var response = await Api.AsAdmin(HttpMethod.Get, query.Length == 0 ? path : $"{path}{(path.Contains('?') ? '&' : '?')}{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path}?{query}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = document.RootElement;
        Assert.True(root.TryGetProperty("nextCursor", out var next), "the page has a nextCursor field");
        return new ItemsPage([.. root.GetProperty("items").EnumerateArray().Select(i => i.Clone())], next.ValueKind == JsonValueKind.Null ? null : next.GetString());
    }

    private SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False");
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 10000;");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private sealed record ItemsPage(IReadOnlyList<JsonElement> Items, string? NextCursor);
}
