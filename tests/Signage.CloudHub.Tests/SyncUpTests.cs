using System.Net;
using System.Text.Json;
using Npgsql;
using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>What every sync-up test class needs: an enrolled appliance, a batch sent, a count from the hub's database.</summary>
public abstract class SyncUpTestsBase(HubFixture fixture) : HubTests(fixture)
{
    protected async Task<(TestTenant Tenant, HubVenueResponse Venue, EnrollResponse Appliance)> EnrolledAsync(string name)
    {
        var tenant = await Hub.CreateTenantAsync(name);
        var venue = await Hub.CreateVenueAsync(tenant, name + " venue");
        var code = await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId);
        var appliance = await Hub.EnrollAsync(code.Code, "app_" + Guid.NewGuid().ToString("N")[..8], new EnrollVenue("local", name, "Europe/London"));
        return (tenant, venue, appliance);
    }

    protected Task<SyncUpResponse> SendAsync(EnrollResponse appliance, SyncRecord[] records, long backlog = 0) =>
        Hub.SendAsync<SyncUpResponse>(HttpMethod.Post, "/v1/sync/up", appliance.Credential, new SyncUpRequest(records, backlog));

    protected async Task<long> CountAsync(string sql, params (string, object)[] parameters)
    {
        await using var connection = new NpgsqlConnection(Hub.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class SyncUpTests(HubFixture fixture) : SyncUpTestsBase(fixture)
{
    [Fact]
    public async Task A_resent_batch_is_all_duplicates_and_the_plays_and_aggregates_count_once()
    {
        var (tenant, _, appliance) = await EnrolledAsync("Resenders");
        SyncRecord[] batch = [.. Enumerable.Range(0, 50).Select(i => TestRecords.Play($"rec_{i}", "2026-11-20", durationMs: 1000))];

        var first = await SendAsync(appliance, batch);
        var second = await SendAsync(appliance, batch);

        Assert.Equal((50, 0), (first.Accepted, first.Duplicates));
        Assert.Equal((0, 50), (second.Accepted, second.Duplicates));
        var report = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-01&to=2026-11-30&groupBy=day", tenant.AdminToken, null);
        Assert.Equal(new ReportTotal(50, 50_000, 0, 0, 0, 0), report.Total);
    }

    [Fact]
    public async Task Only_play_end_rows_count_in_the_aggregates_but_every_row_is_stored()
    {
        var (tenant, venue, appliance) = await EnrolledAsync("Starters");
        await SendAsync(appliance, [TestRecords.Play("s1", "2026-11-21", "PLAY_START"), TestRecords.Play("e1", "2026-11-21", "PLAY_END", 4000),
            TestRecords.Play("e2", "2026-11-21", "PLAY_END", 6000)]);
        var report = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-21&to=2026-11-21&groupBy=content", tenant.AdminToken, null);
        Assert.Equal(new ReportTotal(2, 10_000, 0, 0, 0, 0), report.Total);
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM play WHERE venue_id = @v", ("v", venue.VenueId)));
    }

    [Fact]
    public async Task Plays_land_in_monthly_partitions_created_as_needed()
    {
        var (_, venue, appliance) = await EnrolledAsync("Partitioned");
        await SendAsync(appliance, [TestRecords.Play("p1", "2031-01-31"), TestRecords.Play("p2", "2031-02-01"), TestRecords.Play("p3", "2031-03-15")]);
        foreach (var partition in new[] { "play_2031_01", "play_2031_02", "play_2031_03" })
        {
            Assert.Equal(1, await CountAsync($"SELECT count(*) FROM {partition} WHERE venue_id = @v", ("v", venue.VenueId)));
        }
    }

    [Fact]
    public async Task One_bad_record_refuses_the_whole_batch_with_its_index_and_stores_nothing()
    {
        var (_, venue, appliance) = await EnrolledAsync("Careless");
        var bad = new SyncRecord("bad", SyncProtocol.RecordKinds.Play, "2026-11-20T10:00:00Z", JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["eventId"] = "x" }));
        using var response = await Hub.RawAsync(HttpMethod.Post, "/v1/sync/up", appliance.Credential,
            new SyncUpRequest([TestRecords.Play("good", "2026-11-20"), bad], 0));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(1, problem.RootElement.GetProperty("recordIndex").GetInt32());
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM play WHERE venue_id = @v", ("v", venue.VenueId)));
    }

    [Fact]
    public async Task A_batch_over_the_protocol_maximum_is_413()
    {
        var (_, _, appliance) = await EnrolledAsync("Greedy");
        SyncRecord[] records = [.. Enumerable.Range(0, SyncProtocol.MaxRecordsPerBatch + 1).Select(i => TestRecords.Play($"g{i}", "2026-11-20"))];
        using var response = await Hub.RawAsync(HttpMethod.Post, "/v1/sync/up", appliance.Credential, new SyncUpRequest(records, 0));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Device_status_keeps_the_latest_and_fleet_health_shows_backlog_offline_screens_and_open_incidents()
    {
        var (tenant, venue, appliance) = await EnrolledAsync("Fleet");
        await SendAsync(appliance, [
            TestRecords.Status("st2", "dev_1", "OFFLINE", "2026-11-20T10:05:00Z"),
            TestRecords.Status("st1", "dev_1", "ONLINE", "2026-11-20T10:00:00Z"),
            TestRecords.Status("st3", "dev_2", "ONLINE", "2026-11-20T10:00:00Z"),
            TestRecords.DeviceEvent("ev1", "dev_1", 1),
            TestRecords.Incident("in1", "inc_1", null, "2026-11-20T10:06:00Z", deviceId: "dev_1"),
            TestRecords.Incident("in2", "inc_2", "2026-11-20T11:00:00Z", "2026-11-20T11:00:00Z", deviceId: "dev_2"),
            TestRecords.Incident("in3", "inc_3", null, "2026-11-20T11:00:00Z", deviceId: "dev_2", type: "LOW_STORAGE"),
        ], backlog: 1234);
        // An older status arriving later changes nothing.
        var stale = await SendAsync(appliance, [TestRecords.Status("st0", "dev_1", "ONLINE", "2026-11-20T09:00:00Z")], backlog: 7);
        Assert.Equal((0, 1), (stale.Accepted, stale.Duplicates));

        var fleet = await Hub.SendAsync<ItemsResponse<ApplianceHealth>>(HttpMethod.Get, "/v1/fleet", tenant.AdminToken, null);
        var health = Assert.Single(fleet.Items);
        Assert.Equal((venue.VenueId, 7L, 2, 1, 2), (health.VenueId, health.Backlog, health.Screens, health.ScreensOffline, health.OpenIncidents));

        // A screen the appliance found silent (an open OFFLINE_DURING_HOURS incident) is offline too, though its last status said ONLINE.
        await SendAsync(appliance, [TestRecords.Incident("in4", "inc_4", null, "2026-11-20T12:00:00Z", deviceId: "dev_2")]);
        health = Assert.Single((await Hub.SendAsync<ItemsResponse<ApplianceHealth>>(HttpMethod.Get, "/v1/fleet", tenant.AdminToken, null)).Items);
        Assert.Equal((2, 3), (health.ScreensOffline, health.OpenIncidents));

        // A replica re-rendered in the same second replaces the stored one; the same record again is a duplicate.
        var resolved = TestRecords.Incident("in5", "inc_4", "2026-11-20T12:00:00Z", "2026-11-20T12:00:00Z", deviceId: "dev_2");
        var first = await SendAsync(appliance, [resolved]);
        Assert.Equal((1, 0), (first.Accepted, first.Duplicates));
        var again = await SendAsync(appliance, [resolved]);
        Assert.Equal((0, 1), (again.Accepted, again.Duplicates));
        health = Assert.Single((await Hub.SendAsync<ItemsResponse<ApplianceHealth>>(HttpMethod.Get, "/v1/fleet", tenant.AdminToken, null)).Items);
        Assert.Equal((1, 2), (health.ScreensOffline, health.OpenIncidents));
        Assert.NotNull(health.LastContactAtUtc);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM device_event WHERE venue_id = @v", ("v", venue.VenueId)));
    }

    [Fact]
    public async Task Two_venues_reports_add_up_to_the_head_office_total_and_csv_totals_equal_json()
    {
        var tenant = await Hub.CreateTenantAsync("Chain");
        var totals = 0L;
        foreach (var (name, plays) in new[] { ("North", 30), ("South", 45) })
        {
            var venue = await Hub.CreateVenueAsync(tenant, name);
            var appliance = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId)).Code, "app_" + name, new EnrollVenue("l", name, "Europe/London"));
            await SendAsync(appliance, [.. Enumerable.Range(0, plays).Select(i => TestRecords.Play($"{name}_{i}", $"2026-11-{10 + i % 5:D2}", campaignId: i % 2 == 0 ? "cmp_a" : null))]);
            totals += plays;
        }
        foreach (var groupBy in new[] { "campaign", "venue", "content", "day" })
        {
            var json = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, $"/v1/reports/proof-of-play?from=2026-11-01&to=2026-11-30&groupBy={groupBy}", tenant.AdminToken, null);
            Assert.Equal(totals, json.Total.Plays);
            Assert.Equal(json.Total.Plays, json.Rows.Sum(r => r.Plays));
            using var csv = await Hub.RawAsync(HttpMethod.Get, $"/v1/reports/proof-of-play.csv?from=2026-11-01&to=2026-11-30&groupBy={groupBy}", tenant.AdminToken);
            var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal($"TOTAL,,{json.Total.Plays},{json.Total.TotalDurationMs},0,0,0,0", lines[^1]);
            Assert.Equal(json.Rows.Length, lines.Length - 2);
        }
        var byVenue = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-01&to=2026-11-30&groupBy=venue", tenant.AdminToken, null);
        Assert.Equal([("North", 30L), ("South", 45L)], byVenue.Rows.Select(r => (r.Label!, r.Plays)).OrderBy(r => r.Item1).ToArray());
    }

    [Fact]
    public async Task Concurrent_resends_of_the_same_batch_store_each_play_once()
    {
        var (tenant, _, appliance) = await EnrolledAsync("Racers");
        SyncRecord[] batch = [.. Enumerable.Range(0, 500).Select(i => TestRecords.Play($"race_{i}", "2026-11-22", durationMs: 2000))];
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SendAsync(appliance, batch)));
        Assert.Equal(500, results.Sum(r => r.Accepted));
        var report = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-22&to=2026-11-22&groupBy=day", tenant.AdminToken, null);
        Assert.Equal(new ReportTotal(500, 1_000_000, 0, 0, 0, 0), report.Total);
    }

    [Fact]
    public async Task Malformed_json_or_a_batch_without_backlog_is_400_and_a_plain_text_body_is_415()
    {
        var (_, venue, appliance) = await EnrolledAsync("Sloppy");
        foreach (var body in new[] { "{\"records\": [", "{\"records\": []}", "{\"records\": [{\"recordId\": \"r\", \"kind\": \"PLAY\"}], \"backlog\": 0}" })
        {
            using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
            using var response = await Hub.RawAsync(HttpMethod.Post, "/v1/sync/up", appliance.Credential, content);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        using var text = new StringContent("{}", System.Text.Encoding.UTF8, "text/plain");
        using var unsupported = await Hub.RawAsync(HttpMethod.Post, "/v1/sync/up", appliance.Credential, text);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM play WHERE venue_id = @v", ("v", venue.VenueId)));
    }
}
