using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// A new venue's whole first evening, in real headless Chromium against the native binary: first-run
/// setup → upload a picture and a video → build and publish a playlist → schedule it → pair a TV
/// (a test client plays the device side of the API) → see it online → its plays in the report → the
/// CSV. Once at laptop width and once at phone width; screenshots are kept under artifacts/screenshots/.
/// </summary>
public sealed class AdminJourneyTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private ApplianceProcess _appliance = null!;

    public async Task InitializeAsync() =>
        _appliance = await ApplianceProcess.StartAsync(_temp.Combine("data"), new Dictionary<string, string> { ["RateLimits__Enabled"] = "false" });

    public async Task DisposeAsync()
    {
        await _appliance.DisposeAsync();
        _temp.Dispose();
    }

    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task A_new_venue_goes_from_first_run_to_plays_in_the_report_in_the_browser(int width, int height)
    {
        await using var chromium = await HeadlessChromium.StartAsync();
        var page = await chromium.OpenAsync(Url("/admin"));
        await page.ResizeAsync(width, height);
        var shots = Path.Combine(NativeAppliance.RepositoryRoot, "artifacts", "screenshots", $"journey-{width}");

        async Task Shot(string name)
        {
            await page.ScreenshotAsync(Path.Combine(shots, name + ".png"));
            // Usable on a phone: nothing makes the page itself scroll sideways.
            var wide = await page.EvaluateAsync($$"""
                document.documentElement.scrollWidth <= {{width}} ? "" : document.documentElement.scrollWidth + ": " +
                  [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > {{width}}).slice(0, 5).map(e => e.tagName + '.' + e.className).join(' ')
                """);
            Assert.True(wide == "", $"{name} is wider than {width} px: {wide}");
        }

        // 1. First run: the setup page, with opening hours.
        await page.GoAsync(Url("/admin")); // again, now at the emulated width
        Assert.Contains("Set up this appliance", await Text(page));
        await Shot("01-setup");
        await page.NavigateByAsync("""
            (() => { const f = document.querySelector('form[action="/admin/setup"]');
              f.email.value = 'boss@anchor.test'; f.password.value = 'a long enough password'; f.venueName.value = 'The Anchor';
              f.timezone.value = 'Europe/London'; f.closed0.checked = true; f.open5.value = '12:00'; f.close5.value = '23:30';
              f.requestSubmit(); })()
            """);
        Assert.Contains("No screens yet", await Text(page));
        await Shot("02-dashboard-empty");

        // 2. Library: a picture and a video through the page's own upload script.
        await page.GoAsync(Url("/admin/library"));
        await page.SetFilesAsync("#files", Fixture("real-160x90.jpg"), Fixture("real-h264-aac-160x90.mp4"));
        await page.WaitForAsync("[...document.querySelectorAll('#uploads .state')].filter(s => s.textContent === 'Ready').length === 2", TimeSpan.FromSeconds(60));
        await page.GoAsync(Url("/admin/library"));
        Assert.Equal("2", await page.EvaluateAsync("document.querySelectorAll('.card.asset .pill.ready').length"));
        await Shot("03-library");

        // 3. A playlist: create, add both, reorder (the no-JavaScript buttons), durations, save, publish.
        await page.GoAsync(Url("/admin/content"));
        await page.NavigateByAsync("(() => { const f = document.querySelector('form[action=\"/admin/playlists\"]'); f.name.value = 'Happy hour'; f.requestSubmit(); })()");
        Assert.Contains("This playlist is empty", await Text(page));
        foreach (var index in new[] { 1, 2 })
        {
            await page.NavigateByAsync($"(() => {{ const s = document.querySelector('select[name=add]'); s.selectedIndex = {index}; document.querySelector('button[value=add]').click(); }})()");
        }
        Assert.Equal("2", await page.EvaluateAsync("document.querySelectorAll('#items li').length"));
        var first = await page.EvaluateAsync("document.querySelector('#items li input[name=asset]').value");
        await page.NavigateByAsync("document.querySelector('button[value=\"down:0\"]').click()");
        Assert.Equal(first, await page.EvaluateAsync("document.querySelectorAll('#items li input[name=asset]')[1].value"));
        await page.NavigateByAsync("(() => { document.querySelectorAll('input[name=duration]')[0].value = 'eight'; document.querySelector('button[value=save]').click(); })()");
        Assert.Contains("Give the seconds as a number", await Text(page)); // shown next to the field, nothing lost
        Assert.Equal("2", await page.EvaluateAsync("document.querySelectorAll('#items li').length"));
        await page.NavigateByAsync("(() => { document.querySelectorAll('input[name=duration]')[0].value = '8'; document.querySelector('button[value=save]').click(); })()");
        Assert.Contains("Draft saved", await Text(page));
        await page.NavigateByAsync("document.getElementById('publish').click()");
        Assert.Contains("Published · version 1", await Text(page));
        await Shot("04-playlist");

        // 4. A group for the bar, and a slot that plays the playlist there all day, every day; publish.
        await page.GoAsync(Url("/admin/screens"));
        await page.NavigateByAsync("(() => { const f = document.querySelector('form[action=\"/admin/groups\"]'); f.name.value = 'Bar'; f.requestSubmit(); })()");
        await page.GoAsync(Url("/admin/schedule"));
        await page.NavigateByAsync("""
            (() => { const f = document.querySelector('form[action="/admin/schedule/slots"]');
              f.start.value = '00:00'; f.end.value = '00:00'; f.requestSubmit(); })()
            """);
        Assert.Contains("Slot saved", await Text(page));
        Assert.Equal("7", await page.EvaluateAsync("document.querySelectorAll('.week .block').length"));
        await page.NavigateByAsync("document.getElementById('publish-schedule').click()");
        Assert.Contains("Schedule published", await Text(page));
        await page.NavigateByAsync("document.querySelector('#preview form').requestSubmit()");
        Assert.StartsWith("Happy hour", await page.EvaluateAsync("document.getElementById('preview-answer').innerText"));
        await Shot("05-schedule");

        // 5. A TV asks to pair; the manager types its code (the QR code's link pre-fills it).
        using var tv = new HttpClient { BaseAddress = _appliance.BaseAddress };
        var start = await tv.PostAsJsonAsync("/v1/devices/pairing/start",
            new PairingStartRequest("fire-tv-1", new DeviceInfo("Amazon", "AFTSS", "Fire OS 8", "2.1.0")), ContractsJsonContext.Default.PairingStartRequest);
        var pairing = (await start.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStartResponse))!;
        await page.GoAsync(new Uri(pairing.QrPayload));
        Assert.Equal(pairing.PairingCode, await page.EvaluateAsync("document.getElementById('code').value"));
        await page.NavigateByAsync("""
            (() => { const f = document.querySelector('form[action="/admin/pair"]'); f.name.value = 'Bar TV';
              f.groupId.selectedIndex = 1; f.requestSubmit(); })()
            """);
        Assert.Contains("is paired", await Text(page));
        await Shot("06-paired");
        var token = await DeviceTokenAsync(tv, pairing);

        // 6. The TV fetches its manifest and reports it applied it: online and up to date on the dashboard.
        var manifest = await Send(tv, HttpMethod.Get, "/v1/player/manifest", token);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
        var plays = (await manifest.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!.Playlist;
        Assert.NotNull(plays);
        Assert.Equal(2, plays.Items.Length);
        var assets = await AssetIdsAsync(page);
        var heartbeat = await Send(tv, HttpMethod.Post, "/v1/player/heartbeat", token, JsonContent.Create(new HeartbeatRequest("2.1.0", "PLAYING",
            DateTimeOffset.UtcNow.ToString("O"), manifest.Headers.ETag!.Tag, new PlaybackState(null, 1, assets[0], 0, 1), new CacheState(4_000_000_000, 120_000_000, 2, 0),
            new NetworkState(true, "WIFI")), ContractsJsonContext.Default.HeartbeatRequest));
        Assert.Equal(HttpStatusCode.NoContent, heartbeat.StatusCode);
        await page.GoAsync(Url("/admin"));
        Assert.Equal("1", await page.EvaluateAsync("document.querySelectorAll('.card.screen.online').length"));
        Assert.Contains("Up to date", await Text(page));
        await Shot("07-dashboard-online");

        // 7. Three plays end on the TV, and one item each is interrupted, fails and is skipped: the three plays appear in today's
        // report, the dashboard's "plays today" and chart and the CSV; the other three only in their own columns, never as plays.
        var playlistId = plays.PlaylistId;
        var started = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
        string[] results = ["COMPLETED", "COMPLETED", "COMPLETED", "INTERRUPTED", "ERROR", "SKIPPED"];
        var events = results.Select((result, i) => new PlayerEvent(Guid.NewGuid().ToString(), i + 1, EventTypes.PlayEnd, started, "INFO", JsonDocument.Parse(
            $$"""{"playlistId":"{{playlistId}}","assetId":"{{assets[i % 2]}}","startedAtUtc":"{{started}}","durationMs":{{(result == "SKIPPED" ? 0 : result == "COMPLETED" ? 8000 : 4000)}},"result":"{{result}}"}""").RootElement)).ToArray();
        var posted = await Send(tv, HttpMethod.Post, "/v1/player/events", token, JsonContent.Create(new EventBatchRequest(events), ContractsJsonContext.Default.EventBatchRequest));
        var accepted = (await posted.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!;
        Assert.True(accepted.Accepted == 6, string.Join("; ", accepted.RejectedEvents.Select(r => r.Reason)));

        await page.GoAsync(Url("/admin"));
        Assert.Equal("3", await page.EvaluateAsync("document.getElementById('plays-today').textContent"));
        Assert.Equal("Today: 3", await page.EvaluateAsync("[...document.querySelectorAll('.chart svg rect.bar title')].at(-1).textContent"));
        await page.GoAsync(Url("/admin/reports"));
        Assert.Equal("3", await page.EvaluateAsync("document.getElementById('total-plays').textContent"));
        Assert.Equal(("1", "1", "1"), (await page.EvaluateAsync("document.getElementById('total-interrupted').textContent"),
            await page.EvaluateAsync("document.getElementById('total-failed').textContent"), await page.EvaluateAsync("document.getElementById('total-skipped').textContent")));
        Assert.Equal("2", await page.EvaluateAsync("document.querySelectorAll('.chart svg rect.bar').length"));
        await Shot("08-report");
        var disposition = await AwaitedAsync(page, "fetch(document.getElementById('csv').href, { credentials: 'same-origin' }).then(r => r.headers.get('content-disposition'))");
        Assert.StartsWith("attachment; filename=\"proof-of-play-", disposition);
        var file = await AwaitedAsync(page, "fetch(document.getElementById('csv').href, { credentials: 'same-origin' }).then(r => r.text())");
        Assert.StartsWith("content,label,plays,totalDurationMs,interrupted,interruptedDurationMs,failed,skipped\r\n", file);
        Assert.EndsWith("TOTAL,,3,24000,1,4000,1,1\r\n", file);
    }

    private Uri Url(string path) => new(_appliance.BaseAddress, path);

    private static Task<string?> Text(HeadlessChromium.Tab page) => page.EvaluateAsync("document.body.innerText");

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    /// <summary>The value a promise settles to (the page's fetch of the CSV link, with the page's cookie).</summary>
    private static async Task<string> AwaitedAsync(HeadlessChromium.Tab page, string promise)
    {
        await page.EvaluateAsync($"window.__settled = undefined, ({promise}).then(v => window.__settled = String(v))");
        await page.WaitForAsync("window.__settled !== undefined", TimeSpan.FromSeconds(10));
        return (await page.EvaluateAsync("window.__settled"))!;
    }

    /// <summary>The library's asset ids, in the page's order.</summary>
    private async Task<string[]> AssetIdsAsync(HeadlessChromium.Tab page)
    {
        await page.GoAsync(Url("/admin/library"));
        return (await page.EvaluateAsync("[...document.querySelectorAll('.card.asset')].map(c => c.id).join(',')"))!.Split(',');
    }

    private static async Task<string> DeviceTokenAsync(HttpClient tv, PairingStartResponse pairing)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/devices/pairing/status?pairingId={pairing.PairingId}");
        request.Headers.Add(PairingSecretHeader, pairing.PairingSecret);
        var status = (await (await tv.SendAsync(request)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStatusResponse))!;
        Assert.Equal(PairingStatus.Completed, status.Status);
        return status.DeviceToken!;
    }

    private static Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client.SendAsync(request);
    }
}
