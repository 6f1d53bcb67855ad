using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// One meaning of "online" (issue 16), against the native binary with <c>Monitoring:OfflineAfterSeconds</c>
/// set to 3: the device API's status, the incidents and the dashboard cards all follow it, and a card
/// says what the screen really shows.
/// </summary>
public sealed class OnlineStatusTests : ApplianceApiTests
{
    private const int OfflineAfterSeconds = 3;

    protected override IDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["RateLimits__Enabled"] = "false",
        ["Monitoring__IntervalSeconds"] = "1",
        ["Monitoring__OfflineAfterSeconds"] = OfflineAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private string Venue => $"/v1/venues/{Api.VenueId}";

    [Fact]
    public async Task The_device_API_says_OFFLINE_once_a_screen_is_silent_longer_than_OfflineAfterSeconds_and_ONLINE_with_its_next_heartbeat()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var sent = Stopwatch.StartNew();
        await HeartbeatAsync(token, new HeartbeatRequest("1.0.0", "LOAD_LOCAL"));
        Assert.Equal("ONLINE", (await DeviceAsync(deviceId)).Status);

        // Not a moment before the threshold (the appliance stamps the heartbeat after it was sent), and soon after it.
        while ((await DeviceAsync(deviceId)).Status == "ONLINE")
        {
            Assert.True(sent.Elapsed < TimeSpan.FromSeconds(OfflineAfterSeconds + 3), "still ONLINE 3 s after the threshold");
            await Task.Delay(100);
        }
        Assert.True(sent.Elapsed >= TimeSpan.FromSeconds(OfflineAfterSeconds), $"OFFLINE after {sent.Elapsed}, before the {OfflineAfterSeconds} s threshold");
        Assert.Contains(await ListAsync(), d => d.DeviceId == deviceId && d.Status == "OFFLINE");

        await HeartbeatAsync(token, new HeartbeatRequest("1.0.0", "LOAD_LOCAL"));
        Assert.Equal("ONLINE", (await DeviceAsync(deviceId)).Status);
    }

    [Fact]
    public async Task A_paired_screen_that_never_sent_a_heartbeat_is_OFFLINE_and_gets_OFFLINE_DURING_HOURS_in_opening_hours()
    {
        // Open round the clock: each day opens at midnight and closes at the next (a close at or before the open runs past midnight).
        await SetOpeningHoursAsync([.. Enumerable.Range(1, 7).Select(day => new OpeningHours(day, 0, 0))]);
        var (deviceId, _) = await Api.PairScreenAsync("Garden TV");
        var device = await DeviceAsync(deviceId);
        Assert.Equal(("OFFLINE", (string?)null), (device.Status, device.LastSeenAtUtc));

        var incident = await PollIncidentAsync(deviceId, "OFFLINE_DURING_HOURS");
        Assert.Equal("CRITICAL", incident.Severity);
    }

    [Fact]
    public async Task An_offline_screen_outside_opening_hours_gets_no_OFFLINE_DURING_HOURS()
    {
        await SetOpeningHoursAsync([]);
        var (deviceId, token) = await Api.PairScreenAsync("Garden TV");
        await HeartbeatAsync(token, new HeartbeatRequest("1.0.0", "LOAD_LOCAL"));
        await Task.Delay(TimeSpan.FromSeconds(OfflineAfterSeconds + 2));
        Assert.Equal("OFFLINE", (await DeviceAsync(deviceId)).Status);
        Assert.DoesNotContain(await IncidentsAsync(), i => i.DeviceId == deviceId && i.Type == "OFFLINE_DURING_HOURS");
    }

    [Fact]
    public async Task A_card_never_shows_the_error_screen_green_and_an_offline_card_says_what_it_last_showed_not_Playing_or_Up_to_date()
    {
        var image = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-160x90.jpg"));
        var asset = await new AssetClient(Api).UploadAsync("happy-hour.jpg", image);
        var (errorId, errorToken) = await Api.PairScreenAsync("Error TV");
        var (goneId, goneToken) = await Api.PairScreenAsync("Gone TV");
        var (playingId, playingToken) = await Api.PairScreenAsync("Playing TV");
        var applied = await ManifestEtagAsync(playingToken);
        await HeartbeatAsync(goneToken, new HeartbeatRequest("1.0.0", "PLAYING", ManifestEtag: await ManifestEtagAsync(goneToken),
            Playback: new PlaybackState("pl_1", 1, asset.AssetId, 0, 0)));
        await Task.Delay(TimeSpan.FromSeconds(OfflineAfterSeconds + 1));
        Assert.Equal("OFFLINE", (await DeviceAsync(goneId)).Status);
        // The other two stay online while the browser starts: they keep sending heartbeats, as screens do.
        using var stop = new CancellationTokenSource();
        var beating = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await HeartbeatAsync(errorToken, new HeartbeatRequest("1.0.0", "ERROR_SCREEN"));
                await HeartbeatAsync(playingToken, new HeartbeatRequest("1.0.0", "PLAYING", ManifestEtag: applied,
                    Playback: new PlaybackState("pl_1", 1, asset.AssetId, 0, 0)));
                await Task.Delay(500);
            }
        });

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = Api.Process.BaseAddress };
        var session = (await AdminPagesTests.SignInAsync(client, AdminEmail, AdminPassword)).Headers.GetValues("Set-Cookie")
            .Single(c => c.StartsWith("signage_session=", StringComparison.Ordinal)).Split(';')[0]["signage_session=".Length..];
        await using var chromium = await HeadlessChromium.StartAsync();
        await chromium.SetCookieAsync(Api.Process.BaseAddress, "signage_session", session);
        var dashboard = await chromium.OpenAsync(new Uri(Api.Process.BaseAddress, "/admin"), TimeSpan.FromSeconds(1));

        async Task<string?> CardAsync(string deviceId, string expression) =>
            await dashboard.EvaluateAsync($"(c => {expression})(document.querySelector('a[href=\"/admin/screens/{deviceId}\"]').closest('.card'))");

        var errorCard = await CardAsync(errorId, "c.innerText");
        Assert.Equal("false", await CardAsync(errorId, "c.classList.contains('online')"));
        Assert.NotEqual("rgb(22, 163, 74)", await CardAsync(errorId, "getComputedStyle(c).borderTopColor")); // never green
        Assert.Contains("Showing: its error screen", errorCard);
        Assert.DoesNotContain("Playing", errorCard);

        var goneCard = await CardAsync(goneId, "c.innerText");
        Assert.Equal("true", await CardAsync(goneId, "c.classList.contains('offline')"));
        Assert.Contains($"Last showed: {asset.DisplayName}", goneCard);
        Assert.DoesNotContain("Playing", goneCard);
        Assert.DoesNotContain("Up to date", goneCard);
        Assert.Contains("Not known while offline", goneCard);

        var playingCard = await CardAsync(playingId, "c.innerText");
        Assert.Equal("rgb(22, 163, 74)", await CardAsync(playingId, "getComputedStyle(c).borderTopColor"));
        Assert.Contains($"Playing: {asset.DisplayName}", playingCard);
        Assert.Contains("Up to date", playingCard);
        await stop.CancelAsync();
        await beating;
    }

    // ---- helpers ----

    private async Task<DeviceResponse> DeviceAsync(string deviceId)
    {
        var response = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.DeviceResponse))!;
    }

    private async Task<IReadOnlyList<DeviceResponse>> ListAsync() =>
        (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseDeviceResponse))!.Items;

    private async Task HeartbeatAsync(string token, HeartbeatRequest heartbeat) => Assert.Equal(HttpStatusCode.NoContent, (await Api.SendAsync(HttpMethod.Post,
        "/v1/player/heartbeat", token, JsonContent.Create(heartbeat, ContractsJsonContext.Default.HeartbeatRequest))).StatusCode);

    private async Task<string> ManifestEtagAsync(string token)
    {
        var response = await Api.SendAsync(HttpMethod.Get, "/v1/player/manifest", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!.ManifestEtag;
    }

    private async Task SetOpeningHoursAsync(OpeningHours[] hours)
    {
        var venue = await Api.AsAdmin(HttpMethod.Get, Venue);
        var current = (await venue.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Put, Venue, JsonContent.Create(new UpdateVenueRequest(current.Name, current.Timezone, hours, current.FallbackPlaylistId),
            ContractsJsonContext.Default.UpdateVenueRequest), venue.Headers.ETag!.Tag)).StatusCode);
    }

    private async Task<IReadOnlyList<IncidentResponse>> IncidentsAsync() =>
        (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/incidents")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseIncidentResponse))!.Items;

    private async Task<IncidentResponse> PollIncidentAsync(string deviceId, string type)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var found = (await IncidentsAsync()).FirstOrDefault(i => i.DeviceId == deviceId && i.Type == type && i.ResolvedAtUtc is null);
            if (found is not null) return found;
            Assert.True(DateTime.UtcNow < deadline, $"no open {type} incident within 20 s");
            await Task.Delay(200);
        }
    }
}
