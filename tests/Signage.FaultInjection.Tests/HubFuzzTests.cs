using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Npgsql;
using Signage.CloudHub.Tests;
using Signage.Contracts;
using Signage.TestInfrastructure;
using Xunit.Abstractions;

namespace Signage.FaultInjection.Tests;

/// <summary>
/// "Bad input never hurts" at the hub: seeded random requests against every route of the real hub process
/// on a real PostgreSQL, signed in as tenant A's admin, the platform admin, A's enrolled appliance (the sync
/// routes), or with forged, expired, truncated or missing tokens; path values are A's ids, tenant B's ids,
/// junk or traversal tricks; bodies are malformed, mistyped, oversized or near-valid sync batches.
/// Never a 5xx, never a hang; every 4xx is problem+json; a request refused with 4xx leaves every table of the
/// database exactly as it was (checked by a fingerprint of all rows before and after each case, so the cases
/// run one at a time); B's ids in the path never get A a 2xx. FUZZ_CASES_PER_ROUTE raises the cases (default 100).
/// </summary>
public sealed class HubFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Seed = 20261124;
    private static readonly TimeSpan RequestDeadline = TimeSpan.FromSeconds(20);
    private HubApi _hub = null!;

    private static int CasesPerRoute =>
        int.TryParse(System.Environment.GetEnvironmentVariable("FUZZ_CASES_PER_ROUTE"), out var n) && n > 0 ? n : 100;

    public async Task InitializeAsync() => _hub = await HubApi.StartAsync();

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    /// <summary>Every route the hub maps (the Map… calls of cloud-hub/Signage.CloudHub).</summary>
    private static readonly (string Method, string Template)[] Routes =
    [
        ("GET", "/health"),
        ("POST", "/v1/auth/login"), ("POST", "/v1/auth/refresh"), ("POST", "/v1/auth/logout"), ("GET", "/v1/me"), ("GET", "/v1/me/venues"),
        ("POST", "/v1/tenants"), ("GET", "/v1/tenants"),
        ("POST", "/v1/tenants/{tenantId}/users"), ("GET", "/v1/tenants/{tenantId}/users"), ("GET", "/v1/tenants/{tenantId}/users/{userId}"),
        ("PUT", "/v1/tenants/{tenantId}/users/{userId}/venue-roles"), ("GET", "/v1/tenants/{tenantId}/users/{userId}/capabilities"),
        ("PUT", "/v1/tenants/{tenantId}/users/{userId}/capabilities"),
        ("POST", "/v1/tenants/{tenantId}/venues"), ("GET", "/v1/tenants/{tenantId}/venues"), ("GET", "/v1/tenants/{tenantId}/venues/{venueId}"),
        ("PUT", "/v1/tenants/{tenantId}/venues/{venueId}"),
        ("POST", "/v1/tenants/{tenantId}/venues/{venueId}/enrollment-codes"), ("POST", "/v1/enrollment/redeem"),
        ("POST", "/v1/sync/up"), ("GET", "/v1/sync/changes"), ("GET", "/v1/sync/blobs/{sha256}"),
        ("GET", "/v1/library/assets"), ("POST", "/v1/library/assets"), ("GET", "/v1/library/assets/{assetId}"), ("DELETE", "/v1/library/assets/{assetId}"),
        ("GET", "/v1/library/playlists"), ("POST", "/v1/library/playlists"), ("GET", "/v1/library/playlists/{playlistId}"),
        ("PUT", "/v1/library/playlists/{playlistId}/items"), ("POST", "/v1/library/playlists/{playlistId}/publish"),
        ("POST", "/v1/library/playlists/{playlistId}/rollback"),
        ("GET", "/v1/reports/proof-of-play"), ("GET", "/v1/reports/proof-of-play.csv"), ("GET", "/v1/fleet"),
        // The head-office pages (cookie session + antiforgery instead of a bearer token; refusals are HTML pages).
        ("GET", "/admin"), ("GET", "/admin/signin"), ("POST", "/admin/signin"), ("GET", "/admin/fleet"), ("GET", "/admin/fleet/cards"), ("GET", "/admin/reports"),
        ("GET", "/admin/venues"), ("POST", "/admin/venues"), ("GET", "/admin/venues/{venueId}"), ("POST", "/admin/venues/{venueId}"),
        ("POST", "/admin/venues/{venueId}/enrollment-codes"), ("GET", "/admin/users"), ("POST", "/admin/users"), ("GET", "/admin/users/{userId}"),
        ("POST", "/admin/users/{userId}/venue-roles"), ("POST", "/admin/users/{userId}/capabilities"), ("GET", "/admin/tenants"), ("POST", "/admin/tenants"),
        ("GET", "/admin/library"), ("POST", "/admin/library"), ("POST", "/admin/library/playlists"), ("GET", "/admin/library/playlists/{playlistId}"),
        ("POST", "/admin/library/playlists/{playlistId}/items"), ("POST", "/admin/library/playlists/{playlistId}/publish"),
        ("POST", "/admin/library/playlists/{playlistId}/rollback"),
    ];

    /// <summary>Form fields the pages read (besides <see cref="Fields"/>).</summary>
    private static readonly string[] FormFields = ["tenantRole", "venueRole", "expiresIn", "returnTo", "durationSeconds", "position", "move", "remove", "etag", "groupBy"];

    private static readonly string[] Tricks =
    [
        "..", "%2e%2e", "..%2F..%2Fhub", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//", "%", "%zz", "%252e%252e", "' OR 1=1 --",
        "\";DROP TABLE play;--", "%F0%9F%98%80", "%FF%FE", "null", "-1", "0", "9999999999999999999999", new string('a', 3000), "~", "%2F", "%20",
        "${jndi:ldap://x}", "0000000000000000000000000000000000000000000000000000000000000000", "DEADBEEF", "*", "%25",
    ];

    private static readonly string[] Fields =
    [
        "email", "password", "refreshToken", "name", "timezone", "openingHours", "adminEmail", "adminDisplayName", "adminPassword", "displayName",
        "tenantRoles", "venueRoles", "venueId", "role", "capabilities", "code", "applianceId", "applianceVersion", "venue", "records", "backlog",
        "recordId", "kind", "occurredAtUtc", "data", "items", "assetId", "durationMs", "enabled", "version", "day", "openMinutes", "closeMinutes",
    ];

    private static readonly string[] QueryNames = ["from", "to", "groupBy", "cursor", "name", "venueId", "limit", "status"];

    [Fact]
    public async Task Random_requests_to_every_hub_route_never_get_a_5xx_leave_the_database_unchanged_when_refused_and_never_open_another_tenant()
    {
        var world = await WorldAsync();
        await using var database = new NpgsqlConnection(_hub.ConnectionString);
        await database.OpenAsync();
        using var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, Expect100ContinueTimeout = RequestDeadline })
            { BaseAddress = _hub.BaseAddress, Timeout = RequestDeadline };
        var failures = new List<(string Kind, string Case)>();
        var statuses = new SortedDictionary<int, int>();
        var cases = 0;
        var only = int.TryParse(System.Environment.GetEnvironmentVariable("FUZZ_ROUTE"), out var r) ? r : -1; // reproduce one route's cases
        var before = await FingerprintAsync(database);
        foreach (var routeIndex in Enumerable.Range(0, Routes.Length).Where(i => only < 0 || i == only))
        {
            var random = new Random(Seed + routeIndex);
            for (var i = 0; i < CasesPerRoute; i++)
            {
                var (request, token) = RandomRequest(random, Routes[routeIndex], world);
                using var _ = request;
                // A connection of its own per case: when the hub closes a connection after an answer, the next case
                // could otherwise be sent on it before the close arrives and fail as "response ended" (seen once in 6,100).
                request.Headers.ConnectionClose = true;
                // B's ids in the path as sent (the client resolves dot segments: ".../{B's id}/.." is not B's any more).
                var sentPath = new Uri(client.BaseAddress!, request.RequestUri!).AbsolutePath;
                var foreignPath = world.Other.Ids.Values.Any(id => sentPath.Contains(id, StringComparison.Ordinal));
                var described = $"seed {Seed + routeIndex} case {i}: {request.Method} {Shorten(request.RequestUri!.OriginalString)} as {token}";
                string? failure = null;
                var status = 0;
                try
                {
                    using var response = await client.SendAsync(request);
                    status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsByteArrayAsync();
                    if (status >= 500) failure = $"{status}: {Shorten(Encoding.UTF8.GetString(body))}";
                    else if (status >= 400 && request.Method != HttpMethod.Head && !request.RequestUri!.OriginalString.Contains("%00", StringComparison.Ordinal)
                        && response.Content.Headers.ContentType?.MediaType is var type && type != "application/problem+json" && !(type == "text/html" && IsPage(sentPath)))
                        failure = $"{status} as {response.Content.Headers.ContentType?.MediaType ?? "no content type"}";
                    else if (status is >= 200 and < 300 && foreignPath && token != "platform")
                        failure = $"{status} for another tenant's id in the path";
                }
                catch (TaskCanceledException)
                {
                    failure = $"no answer within {RequestDeadline.TotalSeconds} s";
                }
                catch (HttpRequestException) when (request.Content?.Headers.ContentLength > 1024 * 1024)
                {
                    status = -1; // over the body limit on a route that never reads it: refused unread, the client sees a broken pipe
                }
                catch (HttpRequestException) when (request.Content is not null && request.RequestUri!.OriginalString.Contains("%00", StringComparison.Ordinal))
                {
                    status = -2; // an encoded NUL: Kestrel's bare 400 and close before the body is read (see FuzzTests)
                }
                catch (HttpRequestException e)
                {
                    failure = $"connection failed: {e.InnerException?.Message ?? e.Message}";
                }
                // A refusal (4xx) leaves every row as it was. (A body refused unread, -1, may belong to a route that
                // never reads one and answered 2xx: the client just could not see it.)
                if (sentPath.StartsWith("/admin/signout", StringComparison.Ordinal)) world = world with { Pages = await PageSessionAsync(world.Own) };
                var after = await FingerprintAsync(database);
                if (status >= 400 && Changed(before, after) is { Length: > 0 } changed)
                    failure ??= $"{status} but the database changed: {changed}";
                before = after;
                cases++;
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (failure is not null) failures.Add((failure, $"{described} (body {request.Content?.Headers.ContentLength?.ToString() ?? "none"})"));
            }
        }
        foreach (var line in _hub.Process.Output.Where(l => l.Contains("[FTL]", StringComparison.Ordinal) || l.Contains("[ERR]", StringComparison.Ordinal)
            || l.Contains("Exception:", StringComparison.Ordinal)).Where(l => !l.Contains("BadHttpRequestException", StringComparison.Ordinal)).Distinct().Take(40))
            output.WriteLine(line);
        output.WriteLine($"{cases} cases over {Routes.Length} hub routes; statuses (-1: a body over the limit refused unread): {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {cases} cases failed:\n" + string.Join('\n', failures.GroupBy(f => f.Kind)
            .OrderByDescending(g => g.Count()).Select(g => $"{g.Count()}× {g.Key}, e.g.\n  " + string.Join("\n  ", g.Take(4).Select(f => f.Case)))));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await _hub.Client.GetAsync("/health")).StatusCode);
        // Whatever the 2xx cases did, no row of tenant A points at tenant B's venue or asset.
        Assert.Equal(0L, await CrossTenantReferencesAsync(database));
    }

    // ---- the world: two tenants with real ids and tokens, so cases get past routing and authorization ----

    private sealed record Tenant(Dictionary<string, string> Ids, string AdminToken, string ApplianceCredential, string AdminEmail, string AdminPassword);

    /// <summary>A signed-in page session of tenant A's admin: its cookies and the antiforgery token its forms carry.</summary>
    private sealed record PageSession(string Cookies, string FormToken);

    private sealed record World(Tenant Own, Tenant Other, string PlatformToken, string ExpiredToken, string ForgedToken, string WrongTypeToken, PageSession Pages);

    private static bool IsPage(string path) => path.StartsWith("/admin", StringComparison.Ordinal);

    private async Task<PageSession> PageSessionAsync(Tenant tenant)
    {
        using var pages = new PageClient(_hub);
        await pages.SignInAsync(tenant.AdminEmail, tenant.AdminPassword);
        using var venues = await pages.GetAsync("/admin/venues");
        var token = System.Text.RegularExpressions.Regex.Match(await venues.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(token);
        return new PageSession(string.Join("; ", pages.Cookies.Select(c => $"{c.Key}={c.Value}")), token);
    }

    private async Task<World> WorldAsync()
    {
        var own = await TenantAsync("Alpha", "real-160x90.png");
        var other = await TenantAsync("Bravo", "real-160x90.jpg");
        var key = await SigningKeyAsync();
        var adminUser = own.Ids["adminUserId"];
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new World(own, other, _hub.PlatformToken,
            Jwt(key, $$"""{"typ":"user","sub":"{{adminUser}}","tid":"{{own.Ids["tenantId"]}}","iss":"signage-hub","aud":"signage-hub","iat":{{now - 3600}},"exp":{{now - 1800}}}"""),
            Jwt(RandomNumberGenerator.GetBytes(32), $$"""{"typ":"user","sub":"{{adminUser}}","tid":"{{own.Ids["tenantId"]}}","iss":"signage-hub","aud":"signage-hub","iat":{{now}},"exp":{{now + 900}}}"""),
            Jwt(key, $$"""{"typ":"refresh","sub":"{{adminUser}}","tid":"{{own.Ids["tenantId"]}}","iss":"signage-hub","aud":"signage-hub","iat":{{now}},"exp":{{now + 900}}}"""),
            await PageSessionAsync(own));
    }

    private async Task<Tenant> TenantAsync(string name, string fixture)
    {
        var tenant = await _hub.CreateTenantAsync(name);
        var venue = await _hub.CreateVenueAsync(tenant, name + " venue");
        var user = await _hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest($"staff@{name.ToLowerInvariant()}.test", "Staff", "staff-password", null, [new VenueRoleGrant(venue.VenueId, Roles.VenueViewer)]));
        var content = new ByteArrayContent(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", fixture)));
        var asset = await _hub.SendAsync<HubAsset>(HttpMethod.Post, "/v1/library/assets?name=Logo", tenant.AdminToken, content);
        var playlist = await _hub.SendAsync<LibraryPlaylistResponse>(HttpMethod.Post, "/v1/library/playlists", tenant.AdminToken, new CreateLibraryPlaylistRequest("Loop"));
        var appliance = await _hub.EnrollAsync((await _hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId)).Code, "app_" + name, new EnrollVenue("local", name, "Europe/London"));
        await _hub.SendAsync<SyncUpResponse>(HttpMethod.Post, "/v1/sync/up", appliance.Credential,
            new SyncUpRequest([TestRecords.Play(name + "_play", "2026-11-20"), TestRecords.Status(name + "_st", "dev_" + name, "OFFLINE", "2026-11-20T10:00:00Z")], 5));
        var me = await _hub.SendAsync<JsonElement>(HttpMethod.Get, "/v1/me", tenant.AdminToken, null);
        return new Tenant(new Dictionary<string, string>
        {
            ["tenantId"] = tenant.TenantId, ["venueId"] = venue.VenueId, ["userId"] = user.UserId, ["assetId"] = asset.AssetId, ["sha256"] = asset.Sha256,
            ["playlistId"] = playlist.PlaylistId, ["adminUserId"] = me.GetProperty("userId").GetString()!,
        }, tenant.AdminToken, appliance.Credential, tenant.AdminEmail, tenant.AdminPassword);
    }

    private async Task<byte[]> SigningKeyAsync()
    {
        await using var connection = new NpgsqlConnection(_hub.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT value FROM hub_setting WHERE name = 'jwt_signing_key';", connection);
        return Convert.FromBase64String((string)(await command.ExecuteScalarAsync())!);
    }

    /// <summary>An HS256 JWT with these claims: signed with the hub's own key (expired, wrong type) or another (forged).</summary>
    private static string Jwt(byte[] key, string claims)
    {
        static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var signed = Encode("""{"alg":"HS256","typ":"JWT"}"""u8.ToArray()) + "." + Encode(Encoding.UTF8.GetBytes(claims));
        return signed + "." + Encode(HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signed)));
    }

    // ---- the database's fingerprint: one md5 per table over all its rows ----

    private static async Task<Dictionary<string, string>> FingerprintAsync(NpgsqlConnection connection)
    {
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' ORDER BY relname;", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var sql = string.Join(" UNION ALL ", tables.Select(t => $"SELECT '{t}', md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM \"{t}\" x"));
        var result = new Dictionary<string, string>();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var rows = await command.ExecuteReaderAsync();
        while (await rows.ReadAsync()) result[rows.GetString(0)] = rows.GetString(1);
        return result;
    }

    private static string Changed(Dictionary<string, string> before, Dictionary<string, string> after) =>
        string.Join(", ", after.Keys.Union(before.Keys).Where(t => before.GetValueOrDefault(t) != after.GetValueOrDefault(t)));

    /// <summary>Rows that tie one tenant's user, playlist or appliance to another tenant's venue or asset.</summary>
    private static async Task<long> CrossTenantReferencesAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT (SELECT count(*) FROM venue_user_role r JOIN user_account u USING (user_id) JOIN venue v USING (venue_id) WHERE u.tenant_id <> v.tenant_id)
                 + (SELECT count(*) FROM library_playlist p, jsonb_array_elements(p.items) i JOIN asset a ON a.asset_id = i->>'assetId' WHERE a.tenant_id <> p.tenant_id)
                 + (SELECT count(*) FROM appliance a JOIN venue v USING (venue_id) WHERE a.tenant_id <> v.tenant_id)
                 + (SELECT count(*) FROM enrollment_code c JOIN venue v USING (venue_id) WHERE c.tenant_id <> v.tenant_id);
            """, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    // ---- random requests ----

    private static (HttpRequestMessage Request, string Token) RandomRequest(Random random, (string Method, string Template) route, World world)
    {
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];
        var method = random.NextDouble() < 0.8 ? route.Method : methods[random.Next(methods.Length)];
        var path = Regex.Replace(route.Template, "{([a-zA-Z0-9]+)}", m => random.Next(10) switch
        {
            < 5 => world.Own.Ids[m.Groups[1].Value],
            < 7 => world.Other.Ids[m.Groups[1].Value],
            7 => Uri.EscapeDataString(Scalar(random)),
            _ => Pick(random, Tricks),
        });
        if (random.NextDouble() < 0.1) path += Pick(random, ["/", "/..", "/%2e%2e/%2e%2e/", "//", "/extra", ";x=1", "%00"]);
        if (random.NextDouble() < 0.5)
            path += "?" + string.Join("&", Enumerable.Range(0, random.Next(1, 4)).Select(_ => $"{Pick(random, QueryNames)}={Uri.EscapeDataString(Scalar(random))}"));
        var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (IsPage(route.Template)) return (request, PageRequest(random, request, world));
        var sync = route.Template.StartsWith("/v1/sync/", StringComparison.Ordinal);
        var (tokenName, token) = random.Next(20) switch
        {
            < 8 => sync ? ("appliance", world.Own.ApplianceCredential) : ("admin", world.Own.AdminToken),
            < 10 => ("appliance", world.Own.ApplianceCredential),
            < 12 => ("admin", world.Own.AdminToken),
            12 => ("platform", world.PlatformToken),
            13 => ("expired", world.ExpiredToken),
            14 => ("forged", world.ForgedToken),
            15 => ("wrong-type", world.WrongTypeToken),
            16 => ("none", null),
            17 => ("truncated", world.Own.AdminToken[..random.Next(1, world.Own.AdminToken.Length)] + Pick(random, ["", "x", ".", "=="])),
            18 => ("truncated-credential", world.Own.ApplianceCredential[..random.Next(1, world.Own.ApplianceCredential.Length)]),
            _ => ("garbage", Pick(random, ["garbage", "e30.e30.", "a.b.c", new string('A', 5000), "Bearer Bearer", "..", "x.y"])),
        };
        if (token is not null) request.Headers.TryAddWithoutValidation("Authorization", random.Next(10) == 0 ? $"Basic {token}" : $"Bearer {token}");
        if (random.Next(4) == 0) request.Headers.TryAddWithoutValidation("If-Match", Pick(random, ["*", "\"x\"", "garbage", "\"library-playlist-x-1\", W/\"y\""]));
        if (random.Next(6) == 0) request.Headers.TryAddWithoutValidation("Range", Pick(random, ["bytes=0-", "bytes=-1", "bytes=5-1", "bytes=99999999-", "bytes=0-1,3-4", "items=0-1", "bytes=x-y"]));
        if (method is "POST" or "PUT" or "PATCH" || random.Next(10) == 0)
            request.Content = route.Template == "/v1/sync/up" && random.Next(2) == 0 ? NearValidBatch(random, world) : Body(random, world);
        if (request.Content?.Headers.ContentLength > 64 * 1024) request.Headers.ExpectContinue = true;
        return (request, tokenName);
    }

    /// <summary>A page request: mostly A's admin session with a valid form token and random form fields, sometimes
    /// without the token, with a stale or garbage cookie, a bearer token instead, or a random body.</summary>
    private static string PageRequest(Random random, HttpRequestMessage request, World world)
    {
        var (name, cookies) = random.Next(10) switch
        {
            < 7 => ("session", world.Pages.Cookies),
            7 => ("no-cookie", null),
            8 => ("garbage-cookie", "__Host-signage-hub=" + Pick(random, ["x", "", new string('A', 4000), "%00", world.Pages.Cookies[..Math.Min(10, world.Pages.Cookies.Length)]])),
            _ => ("bearer", null),
        };
        if (cookies is not null) request.Headers.TryAddWithoutValidation("Cookie", cookies);
        if (name == "bearer") request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {world.Own.AdminToken}");
        if (request.Method == HttpMethod.Post || random.Next(10) == 0)
        {
            if (random.Next(5) == 0) request.Content = Body(random, world);
            else
            {
                var fields = Enumerable.Range(0, random.Next(0, 6)).Select(_ => new KeyValuePair<string, string>(
                    Pick(random, random.Next(2) == 0 ? Fields : FormFields), random.Next(3) == 0 ? Pick(random, [.. world.Own.Ids.Values, .. world.Other.Ids.Values]) : Scalar(random))).ToList();
                if (random.Next(5) != 0) fields.Add(new("__RequestVerificationToken", random.Next(10) == 0 ? "forged" + world.Pages.FormToken[1..] : world.Pages.FormToken));
                request.Content = new FormUrlEncodedContent(fields);
            }
        }
        return name;
    }

    private static HttpContent Body(Random random, World world)
    {
        var kind = random.Next(12);
        var text = kind switch
        {
            0 => "",
            1 => Truncated(random, Json(random, world, 0)),
            2 => new string('[', random.Next(65, 5000)) + new string(']', random.Next(0, 10)), // too deep
            3 => Pick(random, ["null", "[]", "\"text\"", "0", "true", "{", "}", "{\"a\":}", "{\"a\":1,}", "{'a':1}", "\u0000", "\uFEFF{}"]),
            4 => "{\"" + Pick(random, Fields) + "\":\"" + new string('x', random.Next(10_000, 300_000)) + "\"}", // long string
            5 => new string(' ', 1024 * 1024 + 10), // over the 1 MiB JSON body limit
            _ => Json(random, world, 0),
        };
        var content = kind == 6 && random.Next(2) == 0
            ? (HttpContent)new ByteArrayContent(RandomBytes(random, random.Next(1, 4096)))
            : new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(Pick(random, ["application/json", "application/json", "application/json", "text/plain",
            "application/octet-stream", "image/png", "multipart/form-data"]));
        return content;
    }

    /// <summary>A valid sync batch with one thing wrong (a field of the wrong type or value, a kind no one knows, a
    /// record over the limits, another tenant's ids), or sometimes nothing wrong: the whole batch is refused or stored.</summary>
    private static HttpContent NearValidBatch(Random random, World world)
    {
        var day = $"2026-11-{random.Next(1, 29):00}";
        var records = Enumerable.Range(0, random.Next(1, 6)).Select(i => random.Next(4) switch
        {
            0 => TestRecords.Status($"st_{random.Next()}", "dev_" + random.Next(3), "ONLINE", $"{day}T10:00:00Z"),
            1 => TestRecords.DeviceEvent($"ev_{random.Next()}", "dev_" + random.Next(3), random.Next()),
            2 => TestRecords.Incident($"in_{random.Next()}", $"inc_{random.Next(5)}", null, $"{day}T10:00:00Z"),
            _ => TestRecords.Play($"play_{random.Next()}", day, assetId: random.Next(3) == 0 ? world.Other.Ids["assetId"] : world.Own.Ids["assetId"]),
        }).ToList();
        var json = JsonSerializer.SerializeToNode(new SyncUpRequest([.. records], random.Next(0, 100)), ContractsJsonContext.Default.SyncUpRequest)!;
        var target = json["records"]![random.Next(records.Count)]!;
        var data = target["data"]!.AsObject();
        switch (random.Next(10))
        {
            case 0: target["kind"] = Pick(random, ["PLAYS", "", "play", "VENUE", "USER"]); break;
            case 1: target["occurredAtUtc"] = Pick(random, ["", "yesterday", "2026-13-45T99:99:99Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"]); break;
            case 2: target["recordId"] = Pick(random, ["", new string('r', 5000), "\u0000"]); break;
            case 3: target["data"] = Pick(random, new System.Text.Json.Nodes.JsonNode?[] { null, 1, "text", new System.Text.Json.Nodes.JsonArray() }); break;
            case 4:
                var field = data.Select(p => p.Key).ElementAt(random.Next(data.Count));
                data[field] = Pick(random, new System.Text.Json.Nodes.JsonNode?[] { null, 1, -1, 1e300, "", "x", true, new System.Text.Json.Nodes.JsonObject(), new string('y', 100_000) });
                break;
            case 5: data.Remove(data.Select(p => p.Key).ElementAt(random.Next(data.Count))); break;
            case 6: json["backlog"] = Pick(random, new System.Text.Json.Nodes.JsonNode?[] { -1, null, "many", 1e30, long.MaxValue }); break;
            case 7: data["localDate"] = Pick(random, ["1900-01-01", "2026-02-30", "", "9999-12-31", "0001-01-01"]); break;
            case 8: data["startedAtUtc"] = Pick(random, ["2026-11-20T12:00:00", "", "1970-01-01T00:00:00Z", "2026-11-20T25:00:00Z"]); break;
            default: break; // valid
        }
        var content = new StringContent(json.ToJsonString(), Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Truncated(Random random, string json) => json[..Math.Max(1, random.Next(json.Length))];

    /// <summary>A JSON object with the contracts' field names and values of random, often wrong, types (sometimes real ids of either tenant).</summary>
    private static string Json(Random random, World world, int depth)
    {
        var fields = Enumerable.Range(0, random.Next(0, depth == 0 ? 8 : 3)).Select(_ => $"\"{Pick(random, Fields)}\":{Value(random, world, depth)}");
        return "{" + string.Join(",", fields) + "}";
    }

    private static string Value(Random random, World world, int depth) => random.Next(depth > 3 ? 7 : 11) switch // deeper down: scalars only
    {
        0 or 1 => JsonSerializer.Serialize(Scalar(random), ContractsJsonContext.Default.String),
        2 => Pick(random, ["0", "-1", "1e400", "-9223372036854775809", "9223372036854775807", "3.5", "1e-9", "NaN"]),
        3 => Pick(random, ["true", "false", "null"]),
        4 or 5 => "\"" + Pick(random, ["2026-11-23T12:00:00Z", "2026-13-45T99:99:99Z", "", "PLAY", "PLAY_END", "TENANT_ADMIN", "VENUE_MANAGER", "Europe/London",
            "Mars/Olympus", "nul\\u0000inside", "platform@hub.test", "staff@alpha.test", "UPSERT", "ast_00000000000000000000000000000000"]) + "\"",
        6 => "\"" + Pick(random, [.. world.Own.Ids.Values, .. world.Other.Ids.Values]) + "\"",
        7 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 5)).Select(_ => Value(random, world, depth + 1))) + "]",
        8 => "[" + string.Join(",", Enumerable.Range(0, random.Next(0, depth == 0 ? 150 : 3)).Select(_ => Json(random, world, depth + 1))) + "]",
        _ => Json(random, world, depth + 1),
    };

    private static string Scalar(Random random) => random.Next(6) switch
    {
        0 => Pick(random, Tricks),
        1 => random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
        2 => "2026-" + random.Next(0, 15) + "-" + random.Next(0, 40),
        3 => Encoding.Latin1.GetString(RandomBytes(random, random.Next(0, 40))),
        4 => Pick(random, ["2026-11-20", "2026-02-30", "venue", "asset", "device", "day", "50", "-1", "1000000", "TENANT_ADMIN", "nul\u0000inside", "\u0000"]),
        _ => "",
    };

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> values) => values[random.Next(values.Count)];

    private static string Shorten(string text) => text.Length > 200 ? text[..200] + "…" : text;
}
