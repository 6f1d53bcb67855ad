using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// Appliance -> hub sync with every part real: the native appliance processes, the hub process
/// (Signage.TestInfrastructure) on a throwaway PostgreSQL, loopback HTTP between them. Screens post
/// plays through the appliance's player API; the hub's own tables and reports are the judge.
/// </summary>
public sealed class HubSyncTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly List<SyncedVenue> _venues = [];
    private HubApi _hub = null!;

    public async Task InitializeAsync() => _hub = await HubApi.StartAsync();

    public async Task DisposeAsync()
    {
        foreach (var venue in _venues) await venue.DisposeAsync();
        await _hub.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Plays_at_venues_of_two_tenants_reach_the_hub_exactly_once_and_each_tenant_sees_only_its_own()
    {
        var (tenantA, venueA) = await EnrolledVenueAsync("Alpha Pubs", "a");
        var (tenantB, venueB) = await EnrolledVenueAsync("Beta Bars", "b");

        await Task.WhenAll(venueA.PostPlaysAsync(230, "2026-11-20T10:00:00Z"), venueB.PostPlaysAsync(170, "2026-11-20T10:00:00Z"));
        await Task.WhenAll(venueA.WaitUntilDrainedAsync(), venueB.WaitUntilDrainedAsync());

        Assert.Equal((230L, 230L), await HubPlaysAsync(venueA.HubVenueId));
        Assert.Equal((170L, 170L), await HubPlaysAsync(venueB.HubVenueId));
        // Head office: each tenant's report holds its own venue and plays only.
        var reportA = await ReportAsync(tenantA);
        var reportB = await ReportAsync(tenantB);
        Assert.Equal([(venueA.HubVenueId, 230L)], reportA.Rows.Select(r => (r.Key, r.Plays)));
        Assert.Equal([(venueB.HubVenueId, 170L)], reportB.Rows.Select(r => (r.Key, r.Plays)));
        // The appliance's own report agrees with the hub's.
        Assert.Equal(230L, await venueA.LocalPlaysAsync("2026-11-20"));
        // Replicas went up too: the screen, the published playlist.
        var replicas = await HubScalarAsync("SELECT string_agg(DISTINCT kind, ',' ORDER BY kind) FROM venue_replica WHERE venue_id = @v;", venueA.HubVenueId);
        Assert.Contains("SCREEN", replicas);
        Assert.Contains("PLAYLIST", replicas);
    }

    [Fact]
    public async Task With_the_hub_down_the_backlog_grows_and_after_a_restart_it_drains_with_counts_matching_exactly()
    {
        var (_, venue) = await EnrolledVenueAsync("Gamma Inns", "g");
        await venue.PostPlaysAsync(50, "2026-11-20T10:00:00Z");
        await venue.WaitUntilDrainedAsync();
        var url = _hub.BaseAddress.ToString();

        await _hub.Process.KillAsync();
        await venue.PostPlaysAsync(400, "2026-11-21T10:00:00Z");
        var down = await venue.StatusAsync();
        Assert.True(down.Backlog >= 400, $"backlog {down.Backlog}");
        await venue.WaitForAsync(s => s.LastError is not null, "the hub outage to be reported");

        await _hub.RestartAsync(url);
        await venue.WaitUntilDrainedAsync();
        Assert.Equal((450L, 450L), await HubPlaysAsync(venue.HubVenueId));
        var status = await venue.StatusAsync();
        Assert.Null(status.LastError);
        Assert.NotNull(status.LastSuccessfulSyncUtc);
    }

    [Fact]
    public async Task Killing_the_appliance_in_the_middle_of_a_sync_loses_and_doubles_nothing()
    {
        const int plays = 6000;
        var (_, venue) = await EnrolledVenueAsync("Delta Taverns", "d", batchSize: 250);
        var url = _hub.BaseAddress.ToString();
        await _hub.Process.KillAsync();
        await venue.PostPlaysAsync(plays, "2026-11-22T10:00:00Z");

        await _hub.RestartAsync(url);
        // Kill -9 the appliance while its batches are landing: some, not all, plays are at the hub.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        long landed;
        while ((landed = (await HubPlaysAsync(venue.HubVenueId)).Rows) == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "no batch reached the hub");
            await Task.Delay(10);
        }
        await venue.KillAsync();
        var atKill = (await HubPlaysAsync(venue.HubVenueId)).Rows;
        Assert.InRange(atKill, 1, plays - 1);

        await venue.RestartAsync();
        await venue.WaitUntilDrainedAsync();
        Assert.Equal(((long)plays, (long)plays), await HubPlaysAsync(venue.HubVenueId));
        Assert.Equal((long)plays, await venue.LocalPlaysAsync("2026-11-22"));
    }

    [Fact]
    public async Task Enrollment_refuses_a_wrong_code_precisely_and_a_second_enrollment()
    {
        var tenant = await _hub.CreateTenantAsync("Epsilon");
        var venue = await StartVenueAsync("e");
        var wrong = await venue.EnrollRawAsync(_hub.BaseAddress.ToString(), "NOT-A-CODE");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, wrong.StatusCode);
        Assert.Equal("ENROLLMENT_REFUSED", (await ApplianceApi.ProblemAsync(wrong)).GetProperty("code").GetString());
        var badUrl = await venue.EnrollRawAsync("ftp://hub", "X");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badUrl.StatusCode);
        Assert.False((await venue.StatusAsync()).Enrolled);

        var hubVenue = await _hub.CreateVenueAsync(tenant, "Epsilon One");
        await venue.EnrollAsync(_hub, tenant, hubVenue.VenueId);
        var again = await venue.EnrollRawAsync(_hub.BaseAddress.ToString(), (await _hub.CreateEnrollmentCodeAsync(tenant, hubVenue.VenueId)).Code);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    [Fact]
    public async Task The_hub_venue_users_shared_assets_and_playlists_arrive_and_staff_sign_in_here_until_they_lose_access()
    {
        var (tenant, venue) = await EnrolledVenueAsync("Zeta Group", "z");
        var staff = await _hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest("staff@zeta.test", "Zoe Staff", "staff-password-1", null, [new VenueRoleGrant(venue.HubVenueId, Roles.VenueManager)]));
        var png = Signage.Media.Tests.Builders.PngBuilder.Build(320, 180);
        var upload = new ByteArrayContent(png);
        upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        var asset = await _hub.SendAsync<HubAsset>(HttpMethod.Post, "/v1/library/assets?name=Brand", tenant.AdminToken, upload);
        using var created = await _hub.RawAsync(HttpMethod.Post, "/v1/library/playlists", tenant.AdminToken, new CreateLibraryPlaylistRequest("Brand loop"));
        var playlist = JsonSerializer.Deserialize<LibraryPlaylistResponse>(await created.Content.ReadAsStringAsync(), HubApi.Json)!;
        using var items = await _hub.RawAsync(HttpMethod.Put, $"/v1/library/playlists/{playlist.PlaylistId}/items", tenant.AdminToken,
            new SetLibraryPlaylistItemsRequest([new LibraryPlaylistItemRequest(asset.AssetId, 7000)]),
            r => r.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(created.Headers.ETag!.Tag)));
        using var published = await _hub.RawAsync(HttpMethod.Post, $"/v1/library/playlists/{playlist.PlaylistId}/publish", tenant.AdminToken, null,
            r => r.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue(items.Headers.ETag!.Tag)));
        await HubApi.EnsureAsync(published);

        // Staff sign in at the venue with their hub password.
        var token = await PollAsync(async () =>
        {
            var login = await venue.Api.Process.Client.PostAsJsonAsync("/v1/auth/login", new LoginRequest("staff@zeta.test", "staff-password-1"), ContractsJsonContext.Default.LoginRequest);
            return login.IsSuccessStatusCode ? (await login.Content.ReadFromJsonAsync(ContractsJsonContext.Default.TokenResponse))!.AccessToken : null;
        });
        // The shared asset's blob is fetched by hash and verified: READY with the hub's hash.
        var local = await PollAsync(async () =>
        {
            var response = await venue.Api.SendAsync(HttpMethod.Get, $"/v1/venues/{venue.Api.VenueId}/assets/{asset.AssetId}", token);
            if (response.StatusCode != HttpStatusCode.OK) return null;
            var found = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.AssetResponse))!;
            return found.Status == "READY" ? found : null;
        });
        Assert.Equal((asset.Sha256, png.Length), (local.Sha256, (int)local.SizeBytes));
        // The shared playlist is a published venue playlist, usable in schedules.
        var copy = await PollAsync(async () =>
        {
            var response = await venue.Api.SendAsync(HttpMethod.Get, $"/v1/venues/{venue.Api.VenueId}/playlists", token);
            var list = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponsePlaylistSummary))!;
            return list.Items.FirstOrDefault(p => p.PlaylistId == playlist.PlaylistId && p.PublishedVersion is not null);
        });
        Assert.Equal(("Brand loop", 1), (copy.Name, copy.ItemCount));
        // The venue's name comes from the hub.
        var venueResponse = await venue.Api.SendAsync(HttpMethod.Get, $"/v1/venues/{venue.Api.VenueId}", token);
        Assert.Equal("Zeta Group Central", (await venueResponse.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!.Name);

        // Access removed at the hub: the next sync stops the sign-in here.
        await _hub.SendAsync<UserResponse>(HttpMethod.Put, $"/v1/tenants/{tenant.TenantId}/users/{staff.UserId}/venue-roles", tenant.AdminToken,
            new SetVenueRolesRequest([]));
        await PollAsync(async () =>
        {
            var login = await venue.Api.Process.Client.PostAsJsonAsync("/v1/auth/login", new LoginRequest("staff@zeta.test", "staff-password-1"), ContractsJsonContext.Default.LoginRequest);
            return login.StatusCode == HttpStatusCode.Unauthorized ? "refused" : null;
        });
    }

    // ---- helpers ----

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (await probe() is { } found) return found;
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(250);
        }
    }

    private async Task<SyncedVenue> StartVenueAsync(string name, int batchSize = 5000)
    {
        var venue = await SyncedVenue.StartAsync(_temp.Combine(name), batchSize);
        _venues.Add(venue);
        return venue;
    }

    private async Task<(TestTenant Tenant, SyncedVenue Venue)> EnrolledVenueAsync(string tenantName, string name, int batchSize = 5000)
    {
        var tenant = await _hub.CreateTenantAsync(tenantName);
        var hubVenue = await _hub.CreateVenueAsync(tenant, tenantName + " Central");
        var venue = await StartVenueAsync(name, batchSize);
        await venue.EnrollAsync(_hub, tenant, hubVenue.VenueId);
        return (tenant, venue);
    }

    private async Task<(long Rows, long Distinct)> HubPlaysAsync(string hubVenueId)
    {
        await using var connection = new NpgsqlConnection(_hub.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT record_id) FROM play WHERE venue_id = @v;", connection);
        command.Parameters.AddWithValue("v", hubVenueId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private async Task<string> HubScalarAsync(string sql, string hubVenueId)
    {
        await using var connection = new NpgsqlConnection(_hub.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("v", hubVenueId);
        return (await command.ExecuteScalarAsync())?.ToString() ?? "";
    }

    private Task<ProofOfPlayReport> ReportAsync(TestTenant tenant) =>
        _hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-01&to=2026-11-30&groupBy=venue", tenant.AdminToken, null);
}

/// <summary>One native appliance with a screen that plays, enrolled (or not) with the test hub.</summary>
public sealed class SyncedVenue : IAsyncDisposable
{
    private readonly string _dataDirectory;
    private readonly Dictionary<string, string> _environment;
    private long _sequence;

    private SyncedVenue(string dataDirectory, Dictionary<string, string> environment, ApplianceApi api)
    {
        _dataDirectory = dataDirectory;
        _environment = environment;
        Api = api;
    }

    public ApplianceApi Api { get; private set; }

    public string DataDirectory => _dataDirectory;

    public string HubVenueId { get; private set; } = "";

    public string ScreenToken { get; private set; } = "";

    public string PlaylistId { get; private set; } = "";

    public string AssetId { get; private set; } = "";

    private string Venue => $"/v1/venues/{Api.VenueId}";

    /// <param name="settings">More appliance settings (environment variables), e.g. for fault tests.</param>
    public static async Task<SyncedVenue> StartAsync(string dataDirectory, int batchSize, IDictionary<string, string>? settings = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["RateLimits__Enabled"] = "false",
            ["Hub__SyncIntervalSeconds"] = "1",
            ["Hub__BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Hub__MaxRetries"] = "1",
            ["Hub__BreakSeconds"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) environment[key] = value;
        var venue = new SyncedVenue(dataDirectory, environment, await ApplianceApi.StartAsync(dataDirectory, environment));
        await venue.ScreenPlayingAsync();
        return venue;
    }

    public Task<HttpResponseMessage> EnrollRawAsync(string hubUrl, string code) =>
        Api.AsAdmin(HttpMethod.Post, $"{Venue}/hub/enroll", JsonContent.Create(new HubEnrollmentRequest(hubUrl, code), ContractsJsonContext.Default.HubEnrollmentRequest));

    /// <param name="via">The hub's address as the appliance is to know it (a relay in network fault tests); the hub's own by default.</param>
    public async Task EnrollAsync(HubApi hub, TestTenant tenant, string hubVenueId, Uri? via = null)
    {
        var code = await hub.CreateEnrollmentCodeAsync(tenant, hubVenueId);
        var response = await EnrollRawAsync((via ?? hub.BaseAddress).ToString(), code.Code);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var status = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.HubConnectionResponse))!;
        Assert.Equal((true, hubVenueId, tenant.TenantId), (status.Enrolled, status.HubVenueId, status.HubTenantId));
        HubVenueId = hubVenueId;
    }

    public async Task<HubConnectionResponse> StatusAsync()
    {
        var response = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/hub");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.HubConnectionResponse))!;
    }

    public async Task<HubConnectionResponse> WaitForAsync(Func<HubConnectionResponse, bool> condition, string what, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var status = await StatusAsync();
            if (condition(status)) return status;
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}; last status {JsonSerializer.Serialize(status, ContractsJsonContext.Default.HubConnectionResponse)}");
            await Task.Delay(200);
        }
    }

    public Task<HubConnectionResponse> WaitUntilDrainedAsync(int seconds = 90) =>
        WaitForAsync(s => s.Backlog == 0 && s.LastError is null && s.LastSuccessfulSyncUtc is not null, "the outbox to drain", seconds);

    /// <summary>Posts PLAY_END events, 100 per batch (the player protocol's limit), four batches at a time.</summary>
    public async Task PostPlaysAsync(int count, string startedAt)
    {
        var batches = Enumerable.Range(0, count).Select(_ => PlayEnd(startedAt)).Chunk(PlayerProtocol.MaxEventsPerBatch).ToList();
        await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, _) =>
        {
            var response = await Api.SendAsync(HttpMethod.Post, "/v1/player/events", ScreenToken,
                JsonContent.Create(new EventBatchRequest(batch), ContractsJsonContext.Default.EventBatchRequest));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var answer = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!;
            Assert.Equal(batch.Length, answer.Accepted);
        });
    }

    public async Task<long> LocalPlaysAsync(string date)
    {
        var response = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/reports/proof-of-play?from={date}&to={date}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProofOfPlayReport))!.Total.Plays;
    }

    /// <summary>kill -9: nothing after the last commit survives.</summary>
    public Task KillAsync() => Api.DisposeAsync().AsTask();

    public async Task RestartAsync() => Api = await ApplianceApi.StartAsync(_dataDirectory, _environment);

    public ValueTask DisposeAsync() => Api.DisposeAsync();

    private PlayerEvent PlayEnd(string startedAt) => new(Guid.NewGuid().ToString(), Interlocked.Increment(ref _sequence),
        PlayerProtocol.EventTypes.PlayEnd, startedAt, "INFO", JsonDocument.Parse(
            $$"""{"playlistId":"{{PlaylistId}}","assetId":"{{AssetId}}","startedAtUtc":"{{startedAt}}","durationMs":10000,"result":"COMPLETED"}""").RootElement);

    private async Task ScreenPlayingAsync()
    {
        var image = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-160x90.jpg"));
        AssetId = (await new AssetClient(Api).UploadAsync("ad.jpg", image)).AssetId;
        var created = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists",
            JsonContent.Create(new CreatePlaylistRequest("Ads"), ContractsJsonContext.Default.CreatePlaylistRequest));
        PlaylistId = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var items = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{PlaylistId}/items",
            JsonContent.Create(new SetPlaylistItemsRequest([new PlaylistItemRequest(AssetId, 10_000)]), ContractsJsonContext.Default.SetPlaylistItemsRequest), created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{PlaylistId}/publish", ifMatch: items.Headers.ETag!.Tag)).StatusCode);
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        ScreenToken = token;
        // The screen was paired before the plays (a play before pairing is a wrong device clock).
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_dataDirectory, "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE device SET created_at_utc = '2026-01-01T00:00:00.000Z' WHERE device_id = $device;";
        command.Parameters.AddWithValue("$device", deviceId);
        command.ExecuteNonQuery();
    }
}
