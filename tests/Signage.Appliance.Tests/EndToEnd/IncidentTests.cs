using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// The monitor's event- and heartbeat-based incidents (issue 5), against the native binary with
/// thresholds of seconds set through its Monitoring settings. Each incident is seen to open with its
/// severity and details, and to resolve itself when the condition ends.
/// </summary>
public sealed class IncidentTests : ApplianceApiTests
{
    protected override IDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["RateLimits__Enabled"] = "false",
        ["Monitoring__IntervalSeconds"] = "1",
        ["Monitoring__OfflineAfterSeconds"] = "60",
        ["Monitoring__DownloadFailCount"] = "3",
        ["Monitoring__DownloadFailWindowSeconds"] = "4",
        ["Monitoring__CrashLoopCount"] = "3",
        ["Monitoring__CrashLoopWindowSeconds"] = "4",
        ["Monitoring__PlaybackStuckFactor"] = "1",
        ["Monitoring__PlaybackStuckSlackSeconds"] = "1",
        ["Monitoring__StaleContentSeconds"] = "2",
        ["Monitoring__EventsMissingAfterSeconds"] = "2",
        ["Monitoring__PlaysSilentSeconds"] = "3",
    };

    private string Venue => $"/v1/venues/{Api.VenueId}";

    private long _sequence;

    [Fact]
    public async Task Repeated_download_failures_open_DOWNLOAD_FAIL_which_resolves_once_they_leave_the_window()
    {
        var (deviceId, token) = await OnlineScreenAsync("LOAD_LOCAL");
        var now = DateTime.UtcNow;
        await PostEventsAsync(token, [.. Enumerable.Range(0, 3).Select(i => Event(PlayerProtocol.EventTypes.DownloadFailed, now, """{"assetId":"ast_x","httpStatus":503}"""))]);

        var open = await PollAsync(deviceId, "DOWNLOAD_FAIL", resolved: false);
        Assert.Equal("WARNING", open.Severity);
        Assert.Equal("3", Details(open)["failures"]);
        Assert.Contains("503", Details(open)["lastPayload"]);
        await PollAsync(deviceId, "DOWNLOAD_FAIL", resolved: true);
    }

    [Fact]
    public async Task Two_download_failures_are_below_the_threshold()
    {
        var (deviceId, token) = await OnlineScreenAsync("LOAD_LOCAL");
        await PostEventsAsync(token, [.. Enumerable.Range(0, 2).Select(i => Event(PlayerProtocol.EventTypes.DownloadFailed, DateTime.UtcNow))]);
        await Task.Delay(2_500);
        Assert.DoesNotContain(await IncidentsAsync(), i => i.DeviceId == deviceId && i.Type == "DOWNLOAD_FAIL");
    }

    [Fact]
    public async Task Many_app_starts_in_a_short_window_open_a_critical_CRASH_LOOP_that_resolves_when_they_stop()
    {
        var (deviceId, token) = await OnlineScreenAsync("LOAD_LOCAL");
        await PostEventsAsync(token, [.. Enumerable.Range(0, 3).Select(i => Event(PlayerProtocol.EventTypes.AppStarted, DateTime.UtcNow, """{"appVersion":"1.0.0"}"""))]);

        var open = await PollAsync(deviceId, "CRASH_LOOP", resolved: false);
        Assert.Equal(("CRITICAL", "3"), (open.Severity, Details(open)["appStarts"]));
        await PollAsync(deviceId, "CRASH_LOOP", resolved: true);
    }

    [Fact]
    public async Task A_heartbeat_with_more_than_90_percent_of_the_cache_used_opens_LOW_STORAGE_and_one_with_room_again_resolves_it()
    {
        // Spec 002 §10: eviction starts above 90 % of the budget; at exactly 90 % nothing is wrong yet.
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        await HeartbeatAsync(token, new HeartbeatRequest("1.0.0", "PLAYING", Cache: new CacheState(1_000_000_000, 900_000_000, 12, 0)));
        await Task.Delay(2_500);
        Assert.DoesNotContain(await IncidentsAsync(), i => i.DeviceId == deviceId && i.Type == "LOW_STORAGE");

        await HeartbeatAsync(token, new HeartbeatRequest("1.0.0", "PLAYING", Cache: new CacheState(1_000_000_000, 950_000_000, 12, 0)));
        var open = await PollAsync(deviceId, "LOW_STORAGE", resolved: false);
        Assert.Equal(("WARNING", "950000000", "1000000000"), (open.Severity, Details(open)["usedBytes"], Details(open)["totalBytes"]));

        await HeartbeatAsync(token, new HeartbeatRequest("1.0.0", "PLAYING", Cache: new CacheState(1_000_000_000, 500_000_000, 6, 0)));
        await PollAsync(deviceId, "LOW_STORAGE", resolved: true);
    }

    [Fact]
    public async Task Heartbeats_naming_the_same_item_index_and_loop_with_a_new_start_are_new_showings_and_not_PLAYBACK_STUCK()
    {
        // A 1-second item, factor 1, slack 1 s: stuck after 2 s of the same showing. Before and after a
        // restart the player names the same playlist, index 0 and loop 0 — only when the item went on tells them apart.
        var (playlist, asset) = await PlaylistAsync(itemMs: 1_000);
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        using (Heartbeats(token, () => new HeartbeatRequest("1.0.0", "PLAYING",
            Playback: new PlaybackState(playlist, 1, asset, 0, 0, DateTime.UtcNow.AddMilliseconds(-200).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture))), every: 500))
        {
            await Task.Delay(4_000);
        }
        Assert.DoesNotContain(await IncidentsAsync(), i => i.DeviceId == deviceId && i.Type == "PLAYBACK_STUCK");
    }

    [Fact]
    public async Task Heartbeats_naming_the_same_item_far_beyond_its_duration_open_PLAYBACK_STUCK_until_the_item_changes()
    {
        var (playlist, asset) = await PlaylistAsync(itemMs: 1_000);
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var playback = new PlaybackState(playlist, 1, asset, 0, 7);
        using var beating = Heartbeats(token, () => new HeartbeatRequest("1.0.0", "PLAYING", Playback: playback));

        // A 1-second item, factor 1, slack 1 s: stuck after 2 s of the same showing.
        var open = await PollAsync(deviceId, "PLAYBACK_STUCK", resolved: false);
        Assert.Equal(("CRITICAL", asset, "1000"), (open.Severity, Details(open)["assetId"], Details(open)["itemDurationMs"]));

        playback = playback with { LoopCount = 8 };
        await PollAsync(deviceId, "PLAYBACK_STUCK", resolved: true);
    }

    [Fact]
    public async Task A_screen_that_keeps_changing_items_is_not_stuck()
    {
        var (playlist, asset) = await PlaylistAsync(itemMs: 1_000);
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var loop = 0;
        using (Heartbeats(token, () => new HeartbeatRequest("1.0.0", "PLAYING", Playback: new PlaybackState(playlist, 1, asset, 0, loop++)), every: 500))
        {
            await Task.Delay(4_000);
        }
        Assert.DoesNotContain(await IncidentsAsync(), i => i.DeviceId == deviceId && i.Type == "PLAYBACK_STUCK");
    }

    [Fact]
    public async Task An_online_screen_still_on_the_old_manifest_after_a_publish_opens_STALE_CONTENT_until_it_applies_the_new_one()
    {
        var (playlist, _) = await PlaylistAsync(itemMs: 5_000);
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var applied = await ManifestEtagAsync(token);
        using var beating = Heartbeats(token, () => new HeartbeatRequest("1.0.0", "LOAD_LOCAL", ManifestEtag: applied));
        await Task.Delay(3_000);
        Assert.DoesNotContain(await IncidentsAsync(), i => i.DeviceId == deviceId && i.Type == "STALE_CONTENT");

        await SetFallbackPlaylistAsync(playlist); // a publish that changes what this screen should play
        var open = await PollAsync(deviceId, "STALE_CONTENT", resolved: false);
        Assert.Equal(("WARNING", applied), (open.Severity, Details(open)["appliedManifestEtag"]));
        Assert.NotEqual(applied, Details(open)["expectedManifestEtag"]);

        // The dashboard tells the truth about it: "Stale since HH:mm" (venue-local time of the publish; the venue is in London).
        using var admin = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
            { BaseAddress = Api.Process.BaseAddress };
        await AdminPagesTests.SignInAsync(admin, AdminEmail, AdminPassword);
        var since = DateTimeOffset.Parse(Details(open)["expectedSinceUtc"], CultureInfo.InvariantCulture);
        var local = TimeZoneInfo.ConvertTime(since, TimeZoneInfo.FindSystemTimeZoneById("Europe/London"));
        Assert.Contains($"Stale since {local:HH:mm}", await admin.GetStringAsync("/admin"));

        applied = await ManifestEtagAsync(token);
        Assert.Equal(Details(open)["expectedManifestEtag"], applied);
        await PollAsync(deviceId, "STALE_CONTENT", resolved: true);
    }

    [Fact]
    public async Task A_gap_in_sequence_numbers_that_does_not_fill_opens_EVENTS_MISSING_and_filling_it_resolves_it()
    {
        var (deviceId, token) = await OnlineScreenAsync("LOAD_LOCAL");
        var now = DateTime.UtcNow;
        await PostEventsAsync(token, [Event("CACHE_EVICTION", now, sequence: 1), Event("CACHE_EVICTION", now, sequence: 2), Event("CACHE_EVICTION", now, sequence: 5)]);

        var open = await PollAsync(deviceId, "EVENTS_MISSING", resolved: false);
        Assert.Equal(("SEQUENCE_GAP", "3", "4"), (Details(open)["reason"], Details(open)["missingFrom"], Details(open)["missingTo"]));

        await PostEventsAsync(token, [Event("CACHE_EVICTION", now, sequence: 3), Event("CACHE_EVICTION", now, sequence: 4)]);
        await PollAsync(deviceId, "EVENTS_MISSING", resolved: true);
    }

    [Fact]
    public async Task A_playing_screen_whose_plays_stop_arriving_opens_EVENTS_MISSING_and_a_play_resolves_it()
    {
        var (playlist, asset) = await PlaylistAsync(itemMs: 5_000);
        var (deviceId, token) = await OnlineScreenAsync("PLAYING");
        var open = await PollAsync(deviceId, "EVENTS_MISSING", resolved: false);
        Assert.Equal("PLAYS_STOPPED", Details(open)["reason"]);

        var started = DateTime.UtcNow.AddSeconds(-5).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var result = await PostEventsAsync(token, [Event(PlayerProtocol.EventTypes.PlayEnd, DateTime.UtcNow,
            $$"""{"playlistId":"{{playlist}}","assetId":"{{asset}}","startedAtUtc":"{{started}}","durationMs":5000,"result":"COMPLETED"}""")]);
        Assert.Equal(1, result.Accepted);
        await PollAsync(deviceId, "EVENTS_MISSING", resolved: true);
    }

    // ---- helpers ----

    /// <summary>A paired screen that has sent one heartbeat in the given state (it stays online for the class's 60 s).</summary>
    private async Task<(string DeviceId, string Token)> OnlineScreenAsync(string state)
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        await HeartbeatAsync(token, new HeartbeatRequest("1.0.0", state));
        return (deviceId, token);
    }

    private async Task<(string Playlist, string Asset)> PlaylistAsync(int itemMs)
    {
        var image = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-160x90.jpg"));
        var asset = (await new AssetClient(Api).UploadAsync("ad.jpg", image)).AssetId;
        var created = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists",
            JsonContent.Create(new CreatePlaylistRequest("Ads"), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var items = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items",
            JsonContent.Create(new SetPlaylistItemsRequest([new PlaylistItemRequest(asset, itemMs)]), ContractsJsonContext.Default.SetPlaylistItemsRequest), created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: items.Headers.ETag!.Tag)).StatusCode);
        return (playlist, asset);
    }

    private async Task SetFallbackPlaylistAsync(string playlist)
    {
        var venue = await Api.AsAdmin(HttpMethod.Get, Venue);
        var current = (await venue.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Put, Venue, JsonContent.Create(new UpdateVenueRequest(current.Name, current.Timezone, current.OpeningHours, playlist),
            ContractsJsonContext.Default.UpdateVenueRequest), venue.Headers.ETag!.Tag)).StatusCode);
    }

    private async Task<string> ManifestEtagAsync(string token)
    {
        var response = await Api.SendAsync(HttpMethod.Get, "/v1/player/manifest", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!.ManifestEtag;
    }

    private PlayerEvent Event(string type, DateTime at, string payload = "{}", long? sequence = null) =>
        new(Guid.NewGuid().ToString(), sequence ?? ++_sequence, type, at.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture),
            type == PlayerProtocol.EventTypes.DownloadFailed ? "WARNING" : "INFO", JsonDocument.Parse(payload).RootElement);

    private async Task<EventBatchResponse> PostEventsAsync(string token, PlayerEvent[] events)
    {
        var response = await Api.SendAsync(HttpMethod.Post, "/v1/player/events", token, JsonContent.Create(new EventBatchRequest(events), ContractsJsonContext.Default.EventBatchRequest));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!;
    }

    private async Task HeartbeatAsync(string token, HeartbeatRequest heartbeat) => Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Post,
        "/v1/player/heartbeat", token, JsonContent.Create(heartbeat, ContractsJsonContext.Default.HeartbeatRequest))).StatusCode);

    /// <summary>Sends a heartbeat now and then every <paramref name="every"/> ms until disposed, the way a screen does.</summary>
    private HeartbeatLoop Heartbeats(string token, Func<HeartbeatRequest> heartbeat, int every = 300)
    {
        var loop = new HeartbeatLoop();
        _ = Task.Run(async () =>
        {
            while (!loop.Stop.IsCancellationRequested)
            {
                try
                {
                    await Api.SendAsync(HttpMethod.Post, "/v1/player/heartbeat", token, JsonContent.Create(heartbeat(), ContractsJsonContext.Default.HeartbeatRequest));
                    await Task.Delay(every, loop.Stop.Token);
                }
                catch (Exception e) when (e is OperationCanceledException or HttpRequestException)
                {
                    return;
                }
            }
        });
        return loop;
    }

    private sealed class HeartbeatLoop : IDisposable
    {
        public CancellationTokenSource Stop { get; } = new();

        public void Dispose() => Stop.Cancel();
    }

    private static Dictionary<string, string> Details(IncidentResponse incident) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(incident.Details)!;

    private async Task<IReadOnlyList<IncidentResponse>> IncidentsAsync() =>
        (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/incidents")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseIncidentResponse))!.Items;

    private async Task<IncidentResponse> PollAsync(string deviceId, string type, bool resolved)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var found = (await IncidentsAsync()).FirstOrDefault(i => i.DeviceId == deviceId && i.Type == type && (i.ResolvedAtUtc is not null) == resolved);
            if (found is not null) return found;
            Assert.True(DateTime.UtcNow < deadline, $"no {(resolved ? "resolved" : "open")} {type} incident within 20 s");
            await Task.Delay(200);
        }
    }
}
