using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// The stored event log (issue 5), against the native binary: mixed batches, concurrent
/// duplicates through the group-committing writer, a removed screen, the per-screen event list
/// with its cursor, and retention of the raw logs while the daily aggregates stay.
/// </summary>
public sealed class EventLogTests : ApplianceApiTests
{
    protected override IDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["RateLimits__Enabled"] = "false",
        ["Retention__IntervalSeconds"] = "1",
        ["Retention__ProofOfPlayDays"] = "30",
        ["Retention__DeviceEventDays"] = "7",
    };

    private string Venue => $"/v1/venues/{Api.VenueId}";

    private long _sequence;

    [Fact]
    public async Task A_mixed_batch_keeps_the_valid_events_and_lists_every_rejection_in_batch_order()
    {
        var (_, token, playlist, asset) = await ScreenWithContentAsync();
        var result = await PostEventsAsync(token,
        [
            PlayEnd(playlist, asset, 10_000),                                  // 0 kept
            Event("CACHE_EVICTION") with { EventId = "not-a-uuid" },           // 1 rejected before the database
            PlayEnd("pl_unknown", asset, 10_000),                              // 2 rejected by the writer
            Event("NOT_A_TYPE"),                                               // 3 rejected before the database
            Event("CACHE_EVICTION"),                                           // 4 kept
            PlayEnd(playlist, asset, -1),                                      // 5 rejected before the database
            PlayEnd(playlist, "ast_unknown", 10_000),                          // 6 rejected by the writer
        ]);
        Assert.Equal((2, 0, 5), (result.Accepted, result.Duplicates, result.Rejected));
        Assert.Equal([1, 2, 3, 5, 6], result.RejectedEvents.Select(r => r.Index));
        Assert.Contains("No playlist 'pl_unknown'", result.RejectedEvents[1].Reason);
        // A play is stored once, in proof_of_play; other events in device_event (migration 0010).
        Assert.Equal((1L, 1L, 2L), (Scalar("SELECT COUNT(*) FROM device_event;"), Scalar("SELECT COUNT(*) FROM proof_of_play;"), Scalar("SELECT COUNT(*) FROM device_event_log;")));
    }

    [Fact]
    public async Task Overlapping_batches_from_many_concurrent_requests_store_and_count_each_event_once()
    {
        var (_, token, playlist, asset) = await ScreenWithContentAsync();
        var events = Enumerable.Range(0, 300).Select(_ => PlayEnd(playlist, asset, 1_000)).ToArray();
        // 30 requests of 100 events, each overlapping its neighbours: every event is sent 10 times.
        var batches = Enumerable.Range(0, 30).Select(i => events.Skip(i % 3 * 100).Take(100).ToArray());

        var answers = await Task.WhenAll(batches.Select(b => PostEventsAsync(token, b)));
        Assert.Equal((300, 2_700), (answers.Sum(a => a.Accepted), answers.Sum(a => a.Duplicates)));
        Assert.Equal((300L, 300L, 300_000L), (Scalar("SELECT COUNT(*) FROM proof_of_play;"), Scalar("SELECT SUM(plays) FROM proof_of_play_daily;"),
            Scalar("SELECT SUM(total_duration_ms) FROM proof_of_play_daily;")));
    }

    [Fact]
    public async Task Events_from_a_removed_screen_are_refused_and_nothing_is_stored()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        Assert.Equal(1, (await PostEventsAsync(token, [Event("CACHE_EVICTION")])).Accepted);
        Assert.Equal(HttpStatusCode.NoContent, (await Api.AsAdmin(HttpMethod.Delete, $"{Venue}/devices/{deviceId}")).StatusCode);

        var refused = await PostAsync(token, [Event("CACHE_EVICTION")]);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM device_event;"));
    }

    [Fact]
    public async Task A_screens_events_are_listed_newest_first_page_by_page_and_by_type()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        await PostEventsAsync(token, [Event("APP_STARTED"), Event("CACHE_EVICTION"), Event("DOWNLOAD_FAILED"), Event("CACHE_EVICTION"), Event("APP_STARTED")]);

        var first = await ListAsync(deviceId, "limit=2");
        Assert.Equal([5L, 4L], first.Items.Select(e => e.Sequence));
        var second = await ListAsync(deviceId, $"limit=2&cursor={first.NextCursor}");
        Assert.Equal([3L, 2L], second.Items.Select(e => e.Sequence));
        var last = await ListAsync(deviceId, $"limit=2&cursor={second.NextCursor}");
        Assert.Equal(1L, Assert.Single(last.Items).Sequence);
        Assert.Null(last.NextCursor);

        var starts = await ListAsync(deviceId, "type=APP_STARTED");
        Assert.Equal([(5L, "APP_STARTED"), (1L, "APP_STARTED")], starts.Items.Select(e => (e.Sequence, e.EventType)));
        Assert.Equal(JsonValueKind.Object, starts.Items[0].Payload.ValueKind);
    }

    [Fact]
    public async Task A_screens_plays_are_listed_among_its_other_events_in_sequence_order_with_what_they_counted()
    {
        var (deviceId, token, playlist, asset) = await ScreenWithContentAsync();
        await PostEventsAsync(token, [Event("APP_STARTED"), PlayEnd(playlist, asset, 7_000), Event("CACHE_EVICTION"), PlayEnd(playlist, asset, 8_000)]);

        var first = await ListAsync(deviceId, "limit=3");
        Assert.Equal([(4L, "PLAY_END"), (3L, "CACHE_EVICTION"), (2L, "PLAY_END")], first.Items.Select(e => (e.Sequence, e.EventType)));
        Assert.Equal((playlist, asset, 8_000L, "COMPLETED"), (first.Items[0].Payload.GetProperty("playlistId").GetString(),
            first.Items[0].Payload.GetProperty("assetId").GetString(), first.Items[0].Payload.GetProperty("durationMs").GetInt64(),
            first.Items[0].Payload.GetProperty("result").GetString()));
        var rest = await ListAsync(deviceId, $"limit=3&cursor={first.NextCursor}");
        Assert.Equal([(1L, "APP_STARTED")], rest.Items.Select(e => (e.Sequence, e.EventType)));
        Assert.Null(rest.NextCursor);
        Assert.Equal([4L, 2L], (await ListAsync(deviceId, "type=PLAY_END")).Items.Select(e => e.Sequence));
    }

    [Theory]
    [InlineData("limit=0", HttpStatusCode.BadRequest)]
    [InlineData("limit=201", HttpStatusCode.BadRequest)]
    [InlineData("type=NOPE", HttpStatusCode.UnprocessableEntity)]
    [InlineData("cursor=garbage", HttpStatusCode.BadRequest)]
    [InlineData("cursor=12.not-an-event-id", HttpStatusCode.BadRequest)]
    public async Task Bad_event_list_queries_are_precise_4xx(string query, HttpStatusCode expected)
    {
        var (deviceId, _) = await Api.PairScreenAsync("Bar TV");
        var response = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}/events?{query}");
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Another_venues_screen_and_another_tenants_venue_are_404()
    {
        // A second tenant with its own venue and screen, written directly: this appliance's API serves one venue.
        Execute("""
            INSERT INTO tenant (tenant_id, name, default_timezone, created_at_utc) VALUES ('ten_other', 'Other', 'UTC', '2026-01-01T00:00:00.000Z');
            INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc)
                VALUES ('ven_other', 'ten_other', 'Other', 'UTC', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            INSERT INTO device (device_id, tenant_id, venue_id, name, hardware_id, created_at_utc, updated_at_utc)
                VALUES ('dev_other', 'ten_other', 'ven_other', 'Theirs', 'hw', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            """);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/dev_other/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, "/v1/venues/ven_other/devices/dev_other/events")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/dev_missing/events")).StatusCode);
    }

    [Fact]
    public async Task A_viewer_may_list_a_screens_events()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        await PostEventsAsync(token, [Event("APP_STARTED")]);
        var viewer = await Api.CreateUserAsync("viewer@venue.test", Roles.VenueViewer);
        var response = await Api.SendAsync(HttpMethod.Get, $"{Venue}/devices/{deviceId}/events", viewer.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Retention_deletes_raw_rows_past_their_age_and_keeps_the_daily_aggregates()
    {
        var (_, token, playlist, asset) = await ScreenWithContentAsync();
        // Old first (lower rowids, as rows received long ago would have), then recent.
        await PostEventsAsync(token, [.. Enumerable.Range(0, 5).Select(_ => PlayEnd(playlist, asset, 10_000))]);
        await PostEventsAsync(token, [Event("CACHE_EVICTION"), Event("CACHE_EVICTION")]);
        await PostEventsAsync(token, [.. Enumerable.Range(0, 3).Select(_ => PlayEnd(playlist, asset, 10_000)), Event("APP_STARTED")]);
        var before = await TotalPlaysAsync();
        Assert.Equal(8L, before);

        // Plays received 40 days ago (retention 30) and other events 10 days ago (retention 7).
        Execute("""
            UPDATE proof_of_play SET server_received_utc = '2000-01-01T00:00:00.000Z' WHERE rowid IN (SELECT rowid FROM proof_of_play ORDER BY rowid LIMIT 5);
            UPDATE device_event SET received_at_utc = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-10 days') WHERE event_type = 'CACHE_EVICTION';
            """);

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (Scalar("SELECT COUNT(*) FROM proof_of_play;") != 3 || Scalar("SELECT COUNT(*) FROM device_event;") != 1)
        {
            Assert.True(DateTime.UtcNow < deadline, "retention did not delete the old rows within 20 s");
            await Task.Delay(200);
        }
        Assert.Equal(before, await TotalPlaysAsync()); // the aggregates are kept
        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM device_event WHERE received_at_utc < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-7 days');"));
    }

    // ---- helpers ----

    private async Task<(string DeviceId, string Token, string Playlist, string Asset)> ScreenWithContentAsync()
    {
        var image = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-160x90.jpg"));
        var asset = (await new AssetClient(Api).UploadAsync("ad.jpg", image)).AssetId;
        var created = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists",
            JsonContent.Create(new CreatePlaylistRequest("Ads"), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        return (deviceId, token, playlist, asset);
    }

    private async Task<long> TotalPlaysAsync()
    {
        var today = DateTime.UtcNow;
        var from = today.AddDays(-2).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = today.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var response = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/reports/proof-of-play?from={from}&to={to}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProofOfPlayReport))!.Total.Plays;
    }

    private PlayerEvent Event(string type) => new(Guid.NewGuid().ToString(), ++_sequence, type,
        DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture), "INFO", JsonDocument.Parse("{}").RootElement);

    private PlayerEvent PlayEnd(string playlist, string asset, long durationMs)
    {
        var started = DateTime.UtcNow.AddSeconds(-20).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        return new(Guid.NewGuid().ToString(), ++_sequence, PlayerProtocol.EventTypes.PlayEnd, started, "INFO", JsonDocument.Parse(
            $$"""{"playlistId":"{{playlist}}","assetId":"{{asset}}","startedAtUtc":"{{started}}","durationMs":{{durationMs}},"result":"COMPLETED"}""").RootElement);
    }

    private Task<HttpResponseMessage> PostAsync(string token, PlayerEvent[] events) =>
        Api.SendAsync(HttpMethod.Post, "/v1/player/events", token, JsonContent.Create(new EventBatchRequest(events), ContractsJsonContext.Default.EventBatchRequest));

    private async Task<EventBatchResponse> PostEventsAsync(string token, PlayerEvent[] events)
    {
        var response = await PostAsync(token, events);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!;
    }

    private async Task<ItemsResponse<DeviceEventResponse>> ListAsync(string deviceId, string query)
    {
        var response = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}/events?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseDeviceEventResponse))!;
    }

    private SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False");
        connection.Open();
        using var wait = connection.CreateCommand();
        wait.CommandText = "PRAGMA busy_timeout = 10000;";
        wait.ExecuteNonQuery();
        return connection;
    }

    private long Scalar(string sql)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private void Execute(string sql)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
