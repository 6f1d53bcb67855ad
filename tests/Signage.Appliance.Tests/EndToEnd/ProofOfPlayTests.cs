using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>The control-plane seed's proof-of-play, reporting and monitoring acceptance tests, against the native binary.</summary>
public sealed class ProofOfPlayTests : ApplianceApiTests
{
    protected override IDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["RateLimits__Enabled"] = "false",
        ["Monitoring__OfflineAfterSeconds"] = "1",
        ["Monitoring__IntervalSeconds"] = "1",
    };

    private string Venue => $"/v1/venues/{Api.VenueId}";

    private long _sequence;

    [Fact]
    public async Task Plays_are_counted_once_per_event_id_even_when_the_batch_is_sent_twice_at_once()
    {
        var (token, playlist, asset, _) = await ScreenPlayingAsync();
        var batch = Enumerable.Range(0, 20).Select(i => PlayEnd(playlist, asset, "2026-11-20T12:00:00Z", 10_000)).ToArray();

        var answers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => PostEventsAsync(token, batch)));
        Assert.Equal(20, answers.Sum(a => a.Accepted));
        Assert.Equal(40, answers.Sum(a => a.Duplicates));

        var again = await PostEventsAsync(token, batch);
        Assert.Equal((0, 20), (again.Accepted, again.Duplicates));
        var report = await ReportAsync("from=2026-11-20&to=2026-11-20&groupBy=content");
        Assert.Equal((20L, 200_000L), (report.Total.Plays, report.Total.TotalDurationMs));
    }

    [Fact]
    public async Task Negative_and_insane_durations_and_unknown_assets_are_rejected_with_reasons_and_the_rest_is_kept()
    {
        var (token, playlist, asset, _) = await ScreenPlayingAsync();
        var result = await PostEventsAsync(token,
        [
            PlayEnd(playlist, asset, "2026-11-20T12:00:00Z", 10_000),
            PlayEnd(playlist, asset, "2026-11-20T12:00:10Z", -5),
            PlayEnd(playlist, asset, "2026-11-20T12:00:20Z", 50L * 3600 * 1000),
            PlayEnd(playlist, "ast_unknown", "2026-11-20T12:00:30Z", 10_000),
            PlayEnd(playlist, asset, "2026-11-20T12:00:40Z", 10_000) with { Payload = JsonDocument.Parse("""{"playlistId":"x"}""").RootElement },
        ]);
        Assert.Equal((1, 4), (result.Accepted, result.Rejected));
        Assert.Contains("negative", result.RejectedEvents[0].Reason);
        Assert.Contains("beyond any real play", result.RejectedEvents[1].Reason);
        Assert.Contains("No asset", result.RejectedEvents[2].Reason);
        Assert.Equal(1L, (await ReportAsync("from=2026-11-20&to=2026-11-20")).Total.Plays);
    }

    [Fact]
    public async Task Aggregates_count_each_venue_local_day_and_a_play_start_alone_counts_nothing()
    {
        var (token, playlist, asset, _) = await ScreenPlayingAsync();
        // London is UTC in November: these are the 19th, the 20th (twice) and the 21st, local.
        await PostEventsAsync(token,
        [
            PlayEnd(playlist, asset, "2026-11-19T23:59:00Z", 10_000),
            PlayEnd(playlist, asset, "2026-11-20T00:00:00Z", 10_000),
            PlayEnd(playlist, asset, "2026-11-20T18:00:00Z", 8_000),
            PlayEnd(playlist, asset, "2026-11-21T09:00:00Z", 10_000),
            PlayStart(playlist, asset, "2026-11-21T09:00:10Z"),
        ]);
        var byDay = await ReportAsync("from=2026-11-19&to=2026-11-21&groupBy=day");
        Assert.Equal([("2026-11-19", 1L, 10_000L), ("2026-11-20", 2L, 18_000L), ("2026-11-21", 1L, 10_000L)],
            byDay.Rows.Select(r => (r.Key, r.Plays, r.TotalDurationMs)));
    }

    [Fact]
    public async Task Totals_by_campaign_and_date_range_match_the_csv_exactly()
    {
        var (token, playlist, asset, campaign) = await ScreenPlayingAsync();
        await PostEventsAsync(token, [.. Enumerable.Range(0, 7).Select(i => PlayEnd(playlist, asset, $"2026-11-2{i % 3}T10:00:00Z", 9_000 + i))]);

        var json = await ReportAsync("from=2026-11-20&to=2026-11-21&groupBy=campaign");
        var row = Assert.Single(json.Rows);
        Assert.Equal((campaign, "Fizz — Summer"), (row.Key, row.Label));

        var csv = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/reports/proof-of-play.csv?from=2026-11-20&to=2026-11-21&groupBy=campaign");
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("campaign,label,plays,totalDurationMs,interrupted,interruptedDurationMs,failed,skipped", lines[0]);
        var total = lines[^1].Split(',');
        Assert.Equal(("TOTAL", json.Total.Plays, json.Total.TotalDurationMs),
            (total[0], long.Parse(total[2], CultureInfo.InvariantCulture), long.Parse(total[3], CultureInfo.InvariantCulture)));
        Assert.Equal(json.Rows.Sum(r => r.Plays), lines[1..^1].Sum(l => long.Parse(l.Split(',')[2], CultureInfo.InvariantCulture)));
    }

    /// <summary>Issue 16: only a COMPLETED PLAY_END is a play (plays, totalDurationMs); each other result is counted in its own
    /// column, in every grouping of the JSON report and the CSV, rows and TOTAL alike.</summary>
    [Theory]
    [InlineData("COMPLETED", 1, 9_000, 0, 0, 0, 0)]
    [InlineData("INTERRUPTED", 0, 0, 1, 9_000, 0, 0)]
    [InlineData("ERROR", 0, 0, 0, 0, 1, 0)]
    [InlineData("SKIPPED", 0, 0, 0, 0, 0, 1)]
    public async Task A_play_end_is_counted_by_its_result_in_the_json_and_csv_reports_and_only_completed_is_a_play(string result, long plays, long durationMs,
        long interrupted, long interruptedMs, long failed, long skipped)
    {
        var (token, playlist, asset, _) = await ScreenPlayingAsync();
        Assert.Equal(1, (await PostEventsAsync(token, [PlayEnd(playlist, asset, "2026-11-20T12:00:00Z", 9_000, result)])).Accepted);

        var expected = $"{plays},{durationMs},{interrupted},{interruptedMs},{failed},{skipped}";
        foreach (var groupBy in new[] { "campaign", "content", "device", "day" })
        {
            var json = await ReportAsync($"from=2026-11-20&to=2026-11-20&groupBy={groupBy}");
            var row = Assert.Single(json.Rows);
            Assert.Equal(expected, $"{row.Plays},{row.TotalDurationMs},{row.Interrupted},{row.InterruptedDurationMs},{row.Failed},{row.Skipped}");
            var t = json.Total;
            Assert.Equal(expected, $"{t.Plays},{t.TotalDurationMs},{t.Interrupted},{t.InterruptedDurationMs},{t.Failed},{t.Skipped}");

            var csv = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/reports/proof-of-play.csv?from=2026-11-20&to=2026-11-20&groupBy={groupBy}");
            var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([$"{groupBy},label,plays,totalDurationMs,interrupted,interruptedDurationMs,failed,skipped", $"{row.Key},{Csv(row.Label)},{expected}", $"TOTAL,,{expected}"], lines);
        }
    }

    [Fact]
    public async Task Plays_of_every_result_on_one_day_add_up_per_column_and_the_plays_are_the_completed_ones()
    {
        var (token, playlist, asset, _) = await ScreenPlayingAsync();
        await PostEventsAsync(token,
        [
            PlayEnd(playlist, asset, "2026-11-20T12:00:00Z", 10_000),
            PlayEnd(playlist, asset, "2026-11-20T12:00:10Z", 10_000),
            PlayEnd(playlist, asset, "2026-11-20T12:00:20Z", 3_500, "INTERRUPTED"),
            PlayEnd(playlist, asset, "2026-11-20T12:00:24Z", 1_000, "ERROR"),
            PlayEnd(playlist, asset, "2026-11-20T12:00:25Z", 0, "SKIPPED"),
            PlayEnd(playlist, asset, "2026-11-20T12:00:25Z", 0, "SKIPPED"),
        ]);
        var t = (await ReportAsync("from=2026-11-20&to=2026-11-20&groupBy=day")).Total;
        Assert.Equal((2L, 20_000L, 1L, 3_500L, 1L, 2L), (t.Plays, t.TotalDurationMs, t.Interrupted, t.InterruptedDurationMs, t.Failed, t.Skipped));
    }

    private static string Csv(string? label) => label is null ? "" : label.Contains(',') ? $"\"{label}\"" : label;

    [Fact]
    public async Task A_play_from_a_device_clock_in_the_future_counts_at_the_appliance_time_and_is_flagged()
    {
        var (token, playlist, asset, _) = await ScreenPlayingAsync();
        Assert.Equal(1, (await PostEventsAsync(token, [PlayEnd(playlist, asset, "2099-06-01T12:00:00Z", 10_000)])).Accepted);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var yesterday = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(1L, (await ReportAsync($"from={yesterday}&to={today}")).Total.Plays);
        Assert.Equal(0L, (await ReportAsync("from=2099-06-01&to=2099-06-01")).Total.Plays);
    }

    [Theory]
    [InlineData("from=2026-11-21&to=2026-11-20")]
    [InlineData("from=2025-01-01&to=2026-06-01")]
    [InlineData("from=yesterday&to=2026-11-20")]
    [InlineData("from=2026-11-20&to=2026-11-21&groupBy=brand")]
    public async Task Bad_report_ranges_are_422(string query) =>
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/reports/proof-of-play?{query}")).StatusCode);

    [Fact]
    public async Task A_screen_silent_past_the_threshold_while_the_venue_is_open_raises_an_incident_that_closes_when_it_returns()
    {
        await SetOpeningHoursAsync([.. Enumerable.Range(1, 7).Select(d => new OpeningHours(d, 0, 0))]); // open around the clock
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        await HeartbeatAsync(token);

        var incident = await PollAsync(async () => (await IncidentsAsync("open")).SingleOrDefault(i => i.DeviceId == deviceId));
        Assert.Equal(("OFFLINE_DURING_HOURS", "CRITICAL"), (incident.Type, incident.Severity));
        var device = await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.DeviceResponse);

        await HeartbeatAsync(token);
        var closed = await PollAsync(async () => (await IncidentsAsync(null)).SingleOrDefault(i => i.IncidentId == incident.IncidentId && i.ResolvedAtUtc is not null));
        Assert.NotNull(closed.ResolvedAtUtc);
    }

    [Fact]
    public async Task No_incident_while_the_venue_is_closed()
    {
        await SetOpeningHoursAsync([]);
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        await HeartbeatAsync(token);
        await Task.Delay(3_000); // three monitoring passes with the screen silent
        Assert.DoesNotContain(await IncidentsAsync(null), i => i.DeviceId == deviceId && i.Type == "OFFLINE_DURING_HOURS");
    }

    // ---- helpers ----

    private async Task<(string Token, string Playlist, string Asset, string Campaign)> ScreenPlayingAsync()
    {
        var image = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-160x90.jpg"));
        var asset = (await new AssetClient(Api).UploadAsync("ad.jpg", image)).AssetId;
        var campaign = (await (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/campaigns",
            Json("""{"brandName":"Fizz","name":"Summer"}"""))).Content.ReadFromJsonAsync(ContractsJsonContext.Default.CampaignResponse))!.CampaignId;
        var created = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists",
            JsonContent.Create(new CreatePlaylistRequest("Ads", campaign), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var items = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items",
            JsonContent.Create(new SetPlaylistItemsRequest([new PlaylistItemRequest(asset, 10_000)]), ContractsJsonContext.Default.SetPlaylistItemsRequest), created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: items.Headers.ETag!.Tag)).StatusCode);
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        // The screen was paired well before the plays these tests report (a play before pairing is a wrong clock).
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE device SET created_at_utc = '2026-01-01T00:00:00.000Z' WHERE device_id = $device;";
            command.Parameters.AddWithValue("$device", deviceId);
            command.ExecuteNonQuery();
        }
        return (token, playlist, asset, campaign);
    }

    private PlayerEvent PlayEnd(string playlist, string asset, string startedAt, long durationMs, string result = "COMPLETED") => new(Guid.NewGuid().ToString(), ++_sequence,
        PlayerProtocol.EventTypes.PlayEnd, startedAt, "INFO", JsonDocument.Parse(
            $$"""{"playlistId":"{{playlist}}","assetId":"{{asset}}","startedAtUtc":"{{startedAt}}","durationMs":{{durationMs}},"result":"{{result}}"}""").RootElement);

    private PlayerEvent PlayStart(string playlist, string asset, string startedAt) => new(Guid.NewGuid().ToString(), ++_sequence,
        PlayerProtocol.EventTypes.PlayStart, startedAt, "INFO", JsonDocument.Parse($$"""{"playlistId":"{{playlist}}","assetId":"{{asset}}"}""").RootElement);

    private async Task<EventBatchResponse> PostEventsAsync(string token, PlayerEvent[] events)
    {
        var response = await Api.SendAsync(HttpMethod.Post, "/v1/player/events", token, JsonContent.Create(new EventBatchRequest(events), ContractsJsonContext.Default.EventBatchRequest));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!;
    }

    private async Task<ProofOfPlayReport> ReportAsync(string query)
    {
        var response = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/reports/proof-of-play?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProofOfPlayReport))!;
    }

    private async Task HeartbeatAsync(string token) => Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Post, "/v1/player/heartbeat", token,
        JsonContent.Create(new HeartbeatRequest("1.0.0", "PLAYING"), ContractsJsonContext.Default.HeartbeatRequest))).StatusCode);

    private async Task<IReadOnlyList<IncidentResponse>> IncidentsAsync(string? status) =>
        (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/incidents{(status is null ? "" : $"?status={status}")}")).Content
            .ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseIncidentResponse))!.Items;

    private async Task SetOpeningHoursAsync(OpeningHours[] hours)
    {
        var venue = await Api.AsAdmin(HttpMethod.Get, Venue);
        var current = (await venue.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Put, Venue, JsonContent.Create(new UpdateVenueRequest(current.Name, current.Timezone, hours),
            ContractsJsonContext.Default.UpdateVenueRequest), venue.Headers.ETag!.Tag)).StatusCode);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            if (await probe() is { } found) return found;
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(200);
        }
    }
}
