using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Npgsql;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.TestInfrastructure;
using Xunit.Abstractions;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// Faults between an appliance and its hub (issue 10), every part real: native appliances, the hub process,
/// PostgreSQL clusters the tests stop and start. A week offline, PostgreSQL gone from under the hub, and a damaged
/// copy of a hub-shared blob. FAULTS_WEEK_PLAYS sets the size of the week (default 14,000 plays; the long run of
/// benchmarks/faults/run.sh uses 302,400 = 10 screens, a play every 10 s, 12 h a day, 7 days).
/// </summary>
public sealed class HubFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private readonly List<SyncedVenue> _venues = [];
    private readonly List<HubApi> _hubs = [];
    private PostgresServer? _ownPostgres;

    private static int WeekPlays =>
        int.TryParse(System.Environment.GetEnvironmentVariable("FAULTS_WEEK_PLAYS"), out var n) && n >= 7 ? n : 14_000;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var venue in _venues) await venue.DisposeAsync();
        foreach (var hub in _hubs) await hub.DisposeAsync();
        _ownPostgres?.Stop();
        _temp.Dispose();
    }

    [Fact]
    public async Task A_week_of_plays_piled_up_while_the_hub_was_down_arrives_after_it_returns_with_every_day_counted_exactly()
    {
        var hub = await StartHubAsync(await PostgresServer.SharedAsync());
        var (tenant, venue) = await EnrolledVenueAsync(hub, "Week Offline", "week");
        var url = hub.BaseAddress.ToString();
        await hub.Process.KillAsync();

        // Seven venue days of plays, posted by the screen while the hub is unreachable.
        var perDay = WeekPlays / 7;
        var clock = Stopwatch.StartNew();
        for (var day = 14; day <= 20; day++) await venue.PostPlaysAsync(perDay, $"2026-11-{day}T10:00:00Z");
        var posted = clock.Elapsed;
        var down = await venue.WaitForAsync(s => s.LastError is not null && s.Backlog >= 7 * perDay, "the backlog to be held with the outage reported");

        clock.Restart();
        await hub.RestartAsync(url);
        await venue.WaitUntilDrainedAsync(seconds: 600);
        var drained = clock.Elapsed;
        output.WriteLine($"{7 * perDay} plays over 7 days: posted in {posted.TotalSeconds:0.0} s while the hub was down (backlog {down.Backlog}), "
            + $"drained to the hub in {drained.TotalSeconds:0.0} s after it returned; load {File.ReadAllText("/proc/loadavg")[..14]}");

        // Exactly once per play, per day, in the raw rows, the daily aggregate and the head-office report.
        var rows = await HubQueryAsync(hub, "SELECT to_char(local_date, 'YYYY-MM-DD'), count(*), count(DISTINCT record_id) FROM play WHERE venue_id = @v GROUP BY 1 ORDER BY 1;",
            venue.HubVenueId, r => (r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        Assert.Equal(Enumerable.Range(14, 7).Select(d => ($"2026-11-{d}", (long)perDay, (long)perDay)), rows);
        var daily = await HubQueryAsync(hub, "SELECT coalesce(sum(plays), 0)::bigint FROM play_daily WHERE venue_id = @v;", venue.HubVenueId, r => r.GetInt64(0));
        Assert.Equal(7L * perDay, Assert.Single(daily));
        var report = await hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-14&to=2026-11-20&groupBy=day", tenant.AdminToken, null);
        Assert.Equal(7L * perDay, report.Total.Plays);
        Assert.Equal(Enumerable.Repeat((long)perDay, 7), report.Rows.Select(r => r.Plays));
        // The appliance's own report agrees.
        for (var day = 14; day <= 20; day++) Assert.Equal((long)perDay, await venue.LocalPlaysAsync($"2026-11-{day}"));
    }

    [Fact]
    public async Task With_PostgreSQL_stopped_under_the_hub_it_answers_503_problem_json_the_appliance_backs_off_and_after_the_restart_nothing_is_lost()
    {
        _ownPostgres = await PostgresServer.StartAsync(); // its own cluster: stopping the shared one would break other tests
        var hub = await StartHubAsync(_ownPostgres);
        var (_, venue) = await EnrolledVenueAsync(hub, "Postgres Outage", "pg", batchSize: 250);
        await venue.PostPlaysAsync(200, "2026-11-20T10:00:00Z");
        await venue.WaitUntilDrainedAsync();

        // PostgreSQL goes away while the screen keeps posting and the appliance keeps sending batches of 250.
        var posting = venue.PostPlaysAsync(3000, "2026-11-21T10:00:00Z");
        await Task.Delay(300);
        await _ownPostgres.StopKeepingDataAsync();
        await posting;
        var outage = Stopwatch.StartNew();
        var linesBefore = venue.Api.Process.Output.Count;

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, "/health", null),
            (HttpMethod.Post, "/v1/auth/login", new LoginRequest(HubProcess.AdminEmail, HubProcess.AdminPassword)),
            (HttpMethod.Get, "/v1/tenants", null),
        })
        {
            using var response = await hub.RawAsync(method, path, path == "/v1/tenants" ? hub.PlatformToken : null, body);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("SERVICE_UNAVAILABLE", (await ApplianceApi.ProblemAsync(response)).GetProperty("code").GetString());
            Assert.NotNull(response.Headers.RetryAfter);
        }
        var failing = await venue.WaitForAsync(s => s.LastError?.Contains("503", StringComparison.Ordinal) == true, "the appliance to report the hub's 503");
        Assert.True(failing.Backlog > 0, "the plays wait in the outbox");
        await Task.Delay(TimeSpan.FromSeconds(6));
        // Backing off: a failed round, a retry after a growing delay, the circuit open for Hub:BreakSeconds; never a tight loop.
        var attempts = venue.Api.Process.Output.Skip(linesBefore).Count(l => l.Contains("Hub sync failed", StringComparison.Ordinal) || l.Contains("Hub call retry", StringComparison.Ordinal));
        var seconds = outage.Elapsed.TotalSeconds;
        Assert.False(hub.Process.HasExited, "the hub survives its database's outage");

        await _ownPostgres.StartAgainAsync();
        await venue.WaitUntilDrainedAsync();
        output.WriteLine($"outage {seconds:0.0} s: {attempts} failed rounds and retries logged by the appliance (every 1 s at most by its settings); backlog at the worst {failing.Backlog}");
        Assert.InRange(attempts, 1, (int)Math.Ceiling(seconds) * 2 + 4);
        Assert.Equal((3200L, 3200L), (await HubQueryAsync(hub, "SELECT count(*), count(DISTINCT record_id) FROM play WHERE venue_id = @v;", venue.HubVenueId,
            r => (r.GetInt64(0), r.GetInt64(1)))).Single());
        Assert.Equal(3200L, (await HubQueryAsync(hub, "SELECT sum(plays)::bigint FROM play_daily WHERE venue_id = @v;", venue.HubVenueId, r => r.GetInt64(0))).Single());
        using var health = await hub.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task A_damaged_copy_of_a_hub_shared_asset_is_quarantined_then_fetched_again_from_the_hub_and_from_the_quarantine_on_only_good_bytes_are_served()
    {
        var hub = await StartHubAsync(await PostgresServer.SharedAsync());
        var (tenant, venue) = await EnrolledVenueAsync(hub, "Blob Repair", "blob", settings: new Dictionary<string, string>
        {
            ["Integrity__ScrubIntervalMinutes"] = "0.01", // a pass every 0.6 s
        });
        var png = Signage.Media.Tests.Builders.PngBuilder.Build(320, 180);
        var upload = new ByteArrayContent(png);
        upload.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        var asset = await hub.SendAsync<HubAsset>(HttpMethod.Post, "/v1/library/assets?name=Brand", tenant.AdminToken, upload);
        await PollAsync(async () =>
        {
            var response = await venue.Api.AsAdmin(HttpMethod.Get, $"/v1/venues/{venue.Api.VenueId}/assets/{asset.AssetId}");
            return response.StatusCode == HttpStatusCode.OK
                && (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.AssetResponse))!.Status == "READY" ? "ready" : null;
        });

        // One flipped bit in the stored copy.
        var blob = new AssetFolders(venue.DataDirectory).BlobOf(asset.Sha256);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[bytes.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(blob, bytes);

        // The scrub finds it by its hash and quarantines it (until then the damaged copy may still be served: the
        // player's own hash check refuses it); from then on the answer is 404 until the good copy is back from the hub,
        // and only the good bytes are ever served.
        var quarantine = Path.Combine(venue.DataDirectory, "quarantine");
        await PollAsync(() => Task.FromResult(Directory.Exists(quarantine) && Directory.GetFiles(quarantine).Length > 0 ? "quarantined" : null), TimeSpan.FromMilliseconds(20));
        var answers = new List<HttpStatusCode>();
        await PollAsync(async () =>
        {
            using var response = await venue.Api.AsAdmin(HttpMethod.Get, $"/v1/assets/{asset.Sha256}");
            answers.Add(response.StatusCode);
            if (response.StatusCode != HttpStatusCode.OK) return null;
            Assert.Equal(asset.Sha256, Convert.ToHexStringLower(SHA256.HashData(await response.Content.ReadAsByteArrayAsync())));
            return "repaired";
        }, pause: TimeSpan.FromMilliseconds(20));
        Assert.Single(Directory.GetFiles(Path.Combine(venue.DataDirectory, "quarantine"), $"{asset.Sha256}.*"));
        Assert.Equal(asset.Sha256, Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(blob))));
        var audit = (await (await venue.Api.AsAdmin(HttpMethod.Get, $"/v1/venues/{venue.Api.VenueId}/audit"))
            .Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseAuditEntry))!.Items;
        Assert.Contains(audit, e => e.Action == "BLOB_QUARANTINED" && e.TargetId == asset.Sha256);
        Assert.Contains(audit, e => e.Action == "BLOB_REPAIRED" && e.TargetId == asset.Sha256);
        output.WriteLine($"answers while it was repaired: {string.Join(", ", answers.GroupBy(a => a).Select(g => $"{(int)g.Key}×{g.Count()}"))}");
    }

    // ---- helpers ----

    private async Task<HubApi> StartHubAsync(PostgresServer postgres)
    {
        var hub = await HubApi.StartAsync(postgres);
        _hubs.Add(hub);
        return hub;
    }

    private async Task<(TestTenant Tenant, SyncedVenue Venue)> EnrolledVenueAsync(HubApi hub, string tenantName, string name, int batchSize = 5000,
        IDictionary<string, string>? settings = null)
    {
        var tenant = await hub.CreateTenantAsync(tenantName);
        var hubVenue = await hub.CreateVenueAsync(tenant, tenantName + " Central");
        var venue = await SyncedVenue.StartAsync(_temp.Combine(name), batchSize, settings);
        _venues.Add(venue);
        await venue.EnrollAsync(hub, tenant, hubVenue.VenueId);
        return (tenant, venue);
    }

    private static async Task<List<T>> HubQueryAsync<T>(HubApi hub, string sql, string hubVenueId, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(hub.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("v", hubVenueId);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<T>();
        while (await reader.ReadAsync()) rows.Add(read(reader));
        return rows;
    }

    private static async Task PollAsync(Func<Task<string?>> probe, TimeSpan? pause = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (await probe() is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(pause ?? TimeSpan.FromMilliseconds(250));
        }
    }
}
