using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>The server-rendered admin pages of the native binary, over HTTP and in a real headless Chromium.</summary>
public sealed partial class AdminPagesTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private ApplianceApi _api = null!;

    public async Task InitializeAsync() => _api = await ApplianceApi.StartAsync(_temp.Combine("data"));

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _temp.Dispose();
    }

    public static TheoryData<string, HttpStatusCode, string?> Pages => new()
    {
        // path, signed out answer, where signed out goes
        { "/admin", HttpStatusCode.Redirect, "/admin/signin" },
        { "/admin/library", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Flibrary" },
        { "/admin/pair", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fpair%3Fcode%3D" },
        { "/admin/pair?code=BCDF-GHJK", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fpair%3Fcode%3DBCDF-GHJK" },
        { "/admin/content", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fcontent" },
        { "/admin/screens/cards", HttpStatusCode.Unauthorized, null },
        { "/admin/signin", HttpStatusCode.OK, null },
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task Every_page_answers_200_signed_in_and_sends_to_sign_in_signed_out(string path, HttpStatusCode signedOut, string? location)
    {
        using var anonymous = Browser();
        var response = await anonymous.GetAsync(path);
        Assert.Equal(signedOut, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);

        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        var page = await admin.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Static_assets_come_from_the_binary_with_cache_headers()
    {
        using var client = Browser();
        var css = await client.GetAsync("/admin/static/admin.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age=86400", css.Headers.CacheControl?.ToString());
        var again = new HttpRequestMessage(HttpMethod.Get, "/admin/static/admin.css");
        again.Headers.IfNoneMatch.Add(css.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/admin/static/admin.js")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/admin/static/nothing.css")).StatusCode);
    }

    [Fact]
    public async Task First_run_page_creates_the_admin_tenant_and_venue_and_signs_in_once_only()
    {
        await using var fresh = await ApplianceProcess.StartAsync(_temp.Combine("fresh"));
        using var client = Browser(fresh.BaseAddress);
        var setup = await client.GetStringAsync("/admin");
        Assert.Contains("Set up this appliance", setup);
        Assert.Contains("<option value=\"Europe/London\" selected", setup);
        Assert.Contains("<option value=\"America/New_York\"", setup);

        var bad = await PostFormAsync(client, "/admin/setup", Token(setup),
            ("email", "boss@pub.test"), ("password", "short"), ("venueName", "The Anchor"), ("timezone", "Europe/Paris"));
        Assert.Contains("at least 10 characters", await bad.Content.ReadAsStringAsync());

        var created = await PostFormAsync(client, "/admin/setup", Token(setup),
            ("email", "boss@pub.test"), ("password", "a long enough password"), ("venueName", "The Anchor"), ("timezone", "Europe/Paris"));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var dashboard = await client.GetStringAsync("/admin");
        Assert.Contains("The Anchor", dashboard);
        Assert.Contains("No screens yet", dashboard);

        // The same account works on the JSON API, with the venue in its zone.
        var token = await LoginAsync(fresh.Client, "boss@pub.test", "a long enough password");
        var venues = await (await fresh.Client.SendAsync(Request(HttpMethod.Get, "/v1/me/venues", token.AccessToken)))
            .Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseVenueAccess);
        Assert.Equal(("The Anchor", "Europe/Paris"), (venues!.Items.Single().Name, venues.Items.Single().Timezone));

        // Once a user exists, setup is refused: nobody can take the appliance over.
        using var stranger = Browser(fresh.BaseAddress);
        var signIn = await stranger.GetStringAsync("/admin/signin");
        var takeover = await PostFormAsync(stranger, "/admin/setup", Token(signIn),
            ("email", "evil@pub.test"), ("password", "a long enough password"), ("venueName", "Mine"), ("timezone", "UTC"));
        Assert.Equal("/admin/signin", takeover.Headers.Location?.OriginalString);
        await Assert.ThrowsAsync<HttpRequestException>(() => LoginAsync(fresh.Client, "evil@pub.test", "a long enough password"));
    }

    [Fact]
    public async Task Sign_in_with_a_bad_password_shows_an_error_and_sign_out_ends_the_session()
    {
        using var client = Browser();
        var form = await client.GetStringAsync("/admin/signin");
        var wrong = await PostFormAsync(client, "/admin/signin", Token(form), ("email", AdminEmail), ("password", "not the password"));
        Assert.Equal(HttpStatusCode.OK, wrong.StatusCode);
        var html = await wrong.Content.ReadAsStringAsync();
        Assert.Contains("The email or password is wrong.", html);
        Assert.Contains($"value=\"{AdminEmail}\"", html);

        var response = await SignInAsync(client, AdminEmail, AdminPassword);
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("signage_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var dashboard = await client.GetStringAsync("/admin");
        var signedOut = await PostFormAsync(client, "/admin/signout", Token(dashboard));
        Assert.Equal("/admin/signin", signedOut.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Redirect, (await client.GetAsync("/admin")).StatusCode);
    }

    [Fact]
    public async Task A_form_post_without_an_antiforgery_token_is_400_not_500()
    {
        using var client = Browser();
        await client.GetStringAsync("/admin/signin"); // has the antiforgery cookie, not the form field
        var response = await PostFormAsync(client, "/admin/signin", null, ("email", AdminEmail), ("password", AdminPassword));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var forged = await PostFormAsync(client, "/admin/signin", "forged-token", ("email", AdminEmail), ("password", AdminPassword));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task A_viewer_sees_no_edit_buttons_and_the_server_refuses_anyway()
    {
        await _api.CreateUserAsync("viewer@venue.test", Roles.VenueViewer);
        await _api.PairScreenAsync("Bar left");
        await new AssetClient(_api).UploadFileAsync("logo.png", Fixture("real-160x90.png"));
        using var viewer = Browser();
        await SignInAsync(viewer, "viewer@venue.test", "a long enough password");

        var dashboard = await viewer.GetStringAsync("/admin");
        Assert.Contains("Bar left", dashboard);
        Assert.DoesNotContain("+ Pair a screen", dashboard);
        var library = await viewer.GetStringAsync("/admin/library");
        Assert.Contains("logo", library);
        Assert.DoesNotContain("data-delete", library);
        Assert.DoesNotContain("id=\"drop\"", library);
        await CreatePlaylistAsync("Happy hour", (await new AssetClient(_api).ListAsync()).Items.Single().AssetId);
        var content = await viewer.GetStringAsync("/admin/content");
        Assert.Contains("Happy hour", content);
        Assert.DoesNotContain("data-publish", content);
        var pair = await viewer.GetStringAsync("/admin/pair");
        Assert.DoesNotContain("<form method=\"post\" action=\"/admin/pair\"", pair);

        var refused = await PostFormAsync(viewer, "/admin/pair", Token(pair), ("code", "BCDF-GHJK"), ("name", "Sneaky"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        // The same cookie reaches the JSON API with the same rules: a viewer may not delete.
        var asset = (await new AssetClient(_api).ListAsync()).Items.Single();
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync($"/v1/venues/{_api.VenueId}/assets/{asset.AssetId}")).StatusCode);

        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        Assert.Contains("+ Pair a screen", await admin.GetStringAsync("/admin"));
        Assert.Contains("data-delete", await admin.GetStringAsync("/admin/library"));
        Assert.Contains("data-publish", await admin.GetStringAsync("/admin/content"));
    }

    [Fact]
    public async Task Pairing_page_prefills_the_code_and_pairs_with_the_same_claim_as_the_api()
    {
        using var client = Browser();
        await SignInAsync(client, AdminEmail, AdminPassword);
        var start = await _api.Process.Client.PostAsJsonAsync("/v1/devices/pairing/start",
            new PairingStartRequest("hw-admin-page", new DeviceInfo("Amazon", "AFTSS", "Fire OS 8", "1.0.0")), ContractsJsonContext.Default.PairingStartRequest);
        var pairing = (await start.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStartResponse))!;
        Assert.EndsWith($"/admin/pair?code={pairing.Code}", pairing.QrPayload);

        var page = await client.GetStringAsync($"/admin/pair?code={pairing.Code}");
        Assert.Contains($"value=\"{pairing.Code}\"", page);

        var wrong = await PostFormAsync(client, "/admin/pair", Token(page), ("code", "BCDF-GHJK"), ("name", "Bar left"));
        Assert.Contains("No screen is showing this code", await wrong.Content.ReadAsStringAsync());

        var paired = await PostFormAsync(client, "/admin/pair", Token(page), ("code", pairing.Code), ("name", "Bar left"));
        Assert.Contains("is paired", await paired.Content.ReadAsStringAsync());
        var status = await _api.PairingStatusAsync(pairing);
        Assert.Equal(PairingStatus.Completed, status.Status);
        Assert.NotNull(status.DeviceToken);
        Assert.Contains("Bar left", await client.GetStringAsync("/admin/screens/cards"));
    }

    [Fact]
    public async Task Chromium_renders_the_sign_in_page_the_dashboard_cards_and_the_library()
    {
        var (_, token) = await _api.PairScreenAsync("Bar left");
        await _api.PairScreenAsync("Garden");
        var asset = await new AssetClient(_api).UploadFileAsync("happy-hour.jpg", Fixture("real-160x90.jpg"));
        await _api.SendAsync(HttpMethod.Post, "/v1/player/heartbeat", token, JsonContent.Create(new HeartbeatRequest("2.1.0", "PLAYING",
            DateTimeOffset.UtcNow.ToString("O"), null, new PlaybackState("pl_1", 1, asset.AssetId, 0, 3), new CacheState(2_000_000_000, 350_000_000, 3, 0),
            new NetworkState(true, "WIFI")), ContractsJsonContext.Default.HeartbeatRequest));
        using var client = Browser();
        var session = (await SignInAsync(client, AdminEmail, AdminPassword)).Headers.GetValues("Set-Cookie")
            .Single(c => c.StartsWith("signage_session=", StringComparison.Ordinal)).Split(';')[0]["signage_session=".Length..];

        await using var chromium = await HeadlessChromium.StartAsync();
        var signIn = await chromium.OpenAsync(new Uri(_api.Process.BaseAddress, "/admin/signin"));
        Assert.Equal("1", await signIn.EvaluateAsync("document.querySelectorAll('input[name=password]').length"));
        Assert.Equal("rgb(37, 99, 235)", await signIn.EvaluateAsync("getComputedStyle(document.querySelector('button.primary')).backgroundColor"));
        await signIn.ScreenshotAsync(Screenshot("signin.png"));

        await chromium.SetCookieAsync(_api.Process.BaseAddress, "signage_session", session);
        var dashboard = await chromium.OpenAsync(new Uri(_api.Process.BaseAddress, "/admin"), TimeSpan.FromSeconds(1));
        Assert.Equal("2", await dashboard.EvaluateAsync("document.querySelectorAll('.card.screen').length"));
        Assert.Equal("1", await dashboard.EvaluateAsync("document.querySelectorAll('.card.screen.online').length"));
        Assert.Equal("true", await dashboard.EvaluateAsync("[...document.querySelectorAll('.card.screen img')].every(i => i.complete && i.naturalWidth > 0)"));
        Assert.Contains("seen just now", await dashboard.EvaluateAsync("document.body.innerText"));
        await dashboard.ScreenshotAsync(Screenshot("dashboard.png"));
        await dashboard.ResizeAsync(390, 844); // a phone behind the bar
        await dashboard.ScreenshotAsync(Screenshot("dashboard-phone.png"));

        var library = await chromium.OpenAsync(new Uri(_api.Process.BaseAddress, "/admin/library"), TimeSpan.FromSeconds(1));
        Assert.Equal("1", await library.EvaluateAsync("document.querySelectorAll('.card.asset').length"));
        await library.ScreenshotAsync(Screenshot("library.png"));

        // Publish from the page: the script calls the JSON API with the version the page showed.
        await CreatePlaylistAsync("Happy hour", asset.AssetId);
        var content = await chromium.OpenAsync(new Uri(_api.Process.BaseAddress, "/admin/content"));
        Assert.Contains("Not published", await content.EvaluateAsync("document.body.innerText"));
        await content.EvaluateAsync("document.querySelector('[data-publish]').click()");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await content.EvaluateAsync("document.querySelectorAll('.pill.ready').length") != "1" && DateTime.UtcNow < deadline) await Task.Delay(200);
        var published = await content.EvaluateAsync("document.querySelector('.playlist').innerText");
        Assert.True(published!.Contains("Published", StringComparison.Ordinal), published);
        await content.ScreenshotAsync(Screenshot("content.png"));
    }

    private async Task CreatePlaylistAsync(string name, string assetId)
    {
        var created = await _api.AsAdmin(HttpMethod.Post, $"/v1/venues/{_api.VenueId}/playlists",
            JsonContent.Create(new CreatePlaylistRequest(name), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!;
        var etag = (await _api.AsAdmin(HttpMethod.Get, $"/v1/venues/{_api.VenueId}/playlists/{playlist.PlaylistId}")).Headers.ETag!.Tag;
        var items = await _api.AsAdmin(HttpMethod.Put, $"/v1/venues/{_api.VenueId}/playlists/{playlist.PlaylistId}/items",
            JsonContent.Create(new SetPlaylistItemsRequest([new PlaylistItemRequest(assetId, 8000)]), ContractsJsonContext.Default.SetPlaylistItemsRequest), etag);
        items.EnsureSuccessStatusCode();
    }

    // ---- a cookie-keeping browser over HttpClient ----

    private HttpClient Browser(Uri? baseAddress = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = baseAddress ?? _api.Process.BaseAddress,
        };

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/admin/signin");
        var response = await PostFormAsync(client, "/admin/signin", Token(form), ("email", email), ("password", password));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response;
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string? token, params (string Name, string Value)[] fields)
    {
        var values = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        if (token is not null) values.Add(new("__RequestVerificationToken", token));
        return client.PostAsync(path, new FormUrlEncodedContent(values));
    }

    private static string Token(string html) => WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static string Screenshot(string name) =>
        Path.Combine(Environment.GetEnvironmentVariable("SIGNAGE_SCREENSHOT_DIR") ?? Path.Combine(Path.GetTempPath(), "signage-screenshots"), name);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
