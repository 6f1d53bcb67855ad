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
        { "/admin/pair", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fpair" },
        { "/admin/pair?code=BCDF-GHJK", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fpair%3Fcode%3DBCDF-GHJK" },
        { "/admin/content", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fcontent" },
        { "/admin/screens", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fscreens" },
        { "/admin/schedule", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fschedule" },
        { "/admin/reports", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Freports" },
        { "/admin/incidents", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fincidents" },
        { "/admin/audit", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Faudit" },
        { "/admin/settings", HttpStatusCode.Redirect, "/admin/signin?returnTo=%2Fadmin%2Fsettings" },
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
        Assert.EndsWith($"/admin/pair?code={pairing.PairingCode}", pairing.QrPayload);

        var page = await client.GetStringAsync($"/admin/pair?code={pairing.PairingCode}");
        Assert.Contains($"value=\"{pairing.PairingCode}\"", page);

        var wrong = await PostFormAsync(client, "/admin/pair", Token(page), ("code", "BCDF-GHJK"), ("name", "Bar left"));
        Assert.Contains("No screen is showing this code", await wrong.Content.ReadAsStringAsync());

        var paired = await PostFormAsync(client, "/admin/pair", Token(page), ("code", pairing.PairingCode), ("name", "Bar left"));
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

    [Fact]
    public async Task A_viewer_sees_no_edit_forms_on_screens_playlists_schedule_and_settings_and_posting_anyway_is_403()
    {
        await _api.CreateUserAsync("viewer@venue.test", Roles.VenueViewer);
        var (deviceId, _) = await _api.PairScreenAsync("Bar left");
        var asset = await new AssetClient(_api).UploadFileAsync("logo.png", Fixture("real-160x90.png"));
        var playlistId = await CreatePlaylistAsync("Happy hour", asset.AssetId);
        using var viewer = Browser();
        await SignInAsync(viewer, "viewer@venue.test", "a long enough password");

        var screen = await viewer.GetStringAsync($"/admin/screens/{deviceId}");
        Assert.Contains("Bar left", screen);
        Assert.DoesNotContain("Save settings", screen);
        Assert.DoesNotContain("Remove screen", screen);
        Assert.DoesNotContain("/command\"", screen);
        var playlist = await viewer.GetStringAsync($"/admin/playlists/{playlistId}");
        Assert.Contains("Happy hour", playlist);
        Assert.DoesNotContain("Save draft", playlist);
        Assert.DoesNotContain("Publish the saved draft", playlist);
        Assert.DoesNotContain("button[value", playlist);
        var schedule = await viewer.GetStringAsync("/admin/schedule");
        Assert.DoesNotContain("Add a slot", schedule);
        Assert.DoesNotContain("Publish schedule", schedule);
        Assert.Contains("What plays when?", schedule); // the preview is for everyone
        var settings = await viewer.GetStringAsync("/admin/settings");
        Assert.DoesNotContain("Save venue", settings);
        Assert.DoesNotContain("Add a person", settings);
        Assert.Contains("Not connected to a hub", settings);
        Assert.DoesNotContain("Add group", await viewer.GetStringAsync("/admin/screens"));
        Assert.DoesNotContain("action=\"/admin/playlists\"", await viewer.GetStringAsync("/admin/content"));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/admin/audit")).StatusCode);

        var token = Token(screen);
        (string Path, (string, string)[] Fields)[] posts =
        [
            ($"/admin/screens/{deviceId}/settings", [("name", "Hacked")]),
            ($"/admin/screens/{deviceId}/command", [("commandType", "REBOOT_APP")]),
            ($"/admin/screens/{deviceId}/remove", [("confirm", "yes")]),
            ("/admin/groups", [("name", "Mine")]),
            ("/admin/playlists", [("name", "Mine")]),
            ($"/admin/playlists/{playlistId}/items", [("action", "save")]),
            ($"/admin/playlists/{playlistId}/publish", []),
            ("/admin/schedule/slots", [("target", $"DEVICE:{deviceId}"), ("playlistId", playlistId), ("day0", "on"), ("start", "10:00"), ("end", "11:00")]),
            ("/admin/schedule/publish", []),
            ("/admin/settings/venue", [("name", "Mine"), ("timezone", "UTC")]),
            ("/admin/settings/users", [("email", "x@y.test"), ("displayName", "X"), ("password", "a long enough password"), ("role", Roles.VenueManager)]),
        ];
        foreach (var (path, fields) in posts)
        {
            var refused = await PostFormAsync(viewer, path, token, fields);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{path}: {refused.StatusCode}");
        }
        // Nothing changed.
        var device = await _api.AsAdmin(HttpMethod.Get, $"/v1/venues/{_api.VenueId}/devices/{deviceId}");
        Assert.Contains("Bar left", await device.Content.ReadAsStringAsync());
        Assert.Single((await (await _api.AsAdmin(HttpMethod.Get, $"/v1/venues/{_api.VenueId}/playlists")).Content
            .ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponsePlaylistSummary))!.Items);
    }

    [Fact]
    public async Task Screen_settings_show_each_refusal_next_to_its_field_keep_what_was_typed_and_save_through_the_api()
    {
        var (deviceId, _) = await _api.PairScreenAsync("Bar left");
        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        var page = await admin.GetStringAsync($"/admin/screens/{deviceId}");
        var etag = Field(page, "etag");

        var badBudget = await (await PostFormAsync(admin, $"/admin/screens/{deviceId}/settings", Token(page), ("etag", etag), ("name", "Bar right"),
            ("runMode", "KIOSK"), ("orientation", "PORTRAIT"), ("cacheBudgetMb", "lots"))).Content.ReadAsStringAsync();
        Assert.Contains("<span class=\"field-error\">Give the cache budget as a whole number of megabytes", badBudget);
        Assert.Contains("value=\"Bar right\"", badBudget);

        var tooSmall = await (await PostFormAsync(admin, $"/admin/screens/{deviceId}/settings", Token(page), ("etag", etag), ("name", ""),
            ("runMode", "KIOSK"), ("orientation", "LANDSCAPE"), ("cacheBudgetMb", "5"))).Content.ReadAsStringAsync();
        Assert.Contains("<span class=\"field-error\">Name the screen (1 to 100 characters).</span>", tooSmall);
        Assert.Contains("<span class=\"field-error\">The cache budget is between 100 MB and 1 TB.</span>", tooSmall);

        var saved = await PostFormAsync(admin, $"/admin/screens/{deviceId}/settings", Token(page), ("etag", etag), ("name", "Bar right"),
            ("runMode", "SHARED"), ("orientation", "PORTRAIT"), ("timezone", "Europe/Paris"), ("keepAwake", "on"), ("cacheBudgetMb", "2048"));
        Assert.Equal($"/admin/screens/{deviceId}?done=settings", saved.Headers.Location?.OriginalString);
        var device = (await (await _api.AsAdmin(HttpMethod.Get, $"/v1/venues/{_api.VenueId}/devices/{deviceId}")).Content
            .ReadFromJsonAsync(ContractsJsonContext.Default.DeviceResponse))!;
        Assert.Equal(("Bar right", "SHARED", "PORTRAIT", "Europe/Paris", true, false, 2048L * 1024 * 1024),
            (device.Name, device.Settings.RunMode, device.Settings.Orientation, device.Settings.Timezone, device.Settings.KeepAwake, device.Settings.LaunchOnBoot,
                device.Settings.CacheBudgetBytes));

        // The page's version is now stale: a second save from it is refused in words, not lost silently.
        var stale = await PostFormAsync(admin, $"/admin/screens/{deviceId}/settings", Token(page), ("etag", etag), ("name", "Old page"),
            ("runMode", "KIOSK"), ("orientation", "LANDSCAPE"));
        Assert.Contains("Someone else changed this while you were editing", await stale.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_command_the_screen_page_offers_is_sent_by_its_spec_name_with_the_level_or_duration_chosen()
    {
        var (deviceId, token) = await _api.PairScreenAsync("Bar left");
        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        var page = await admin.GetStringAsync($"/admin/screens/{deviceId}");
        foreach (var type in CommandTypes.All)
        {
            Assert.Contains($"<option value=\"{type}\">", page);
            var sent = await PostFormAsync(admin, $"/admin/screens/{deviceId}/command", Token(page), ("commandType", type), ("level", "ERROR"),
                ("durationSeconds", "3600"));
            Assert.Equal($"/admin/screens/{deviceId}?done=command", sent.Headers.Location?.OriginalString);
        }

        var poll = await _api.SendAsync(HttpMethod.Get, "/v1/player/commands", token);
        var commands = (await poll.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlayerCommandsResponse))!.Commands;
        Assert.Equal(CommandTypes.All, commands.Select(c => c.CommandType));
        Assert.Equal(CommandTypes.All.Select(t => t switch
        {
            CommandTypes.SetLogLevel => """{"level":"ERROR"}""",
            CommandTypes.EnableDiagnostics => """{"durationSeconds":3600}""",
            _ => null,
        }), commands.Select(c => c.Parameters?.GetRawText()));
        var after = await admin.GetStringAsync($"/admin/screens/{deviceId}");
        Assert.Contains("Set the log level", after);
        Assert.Contains("Turn on diagnostics", after);
    }

    [Fact]
    public async Task A_support_command_sent_from_the_page_shows_the_screens_result_and_removal_needs_the_box_ticked()
    {
        var (deviceId, token) = await _api.PairScreenAsync("Bar left");
        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        var page = await admin.GetStringAsync($"/admin/screens/{deviceId}");
        var sent = await PostFormAsync(admin, $"/admin/screens/{deviceId}/command", Token(page), ("commandType", CommandTypes.ClearCacheUnused));
        Assert.Equal($"/admin/screens/{deviceId}?done=command", sent.Headers.Location?.OriginalString);
        var bogus = await PostFormAsync(admin, $"/admin/screens/{deviceId}/command", Token(page), ("commandType", "FORMAT_DISK"));
        Assert.Contains("Commands are REQUEST_MANIFEST_REFRESH", await bogus.Content.ReadAsStringAsync());

        var poll = await _api.SendAsync(HttpMethod.Get, "/v1/player/commands", token);
        var command = (await poll.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlayerCommandsResponse))!.Commands.Single();
        var result = await _api.SendAsync(HttpMethod.Post, $"/v1/player/commands/{command.CommandId}/result", token,
            JsonContent.Create(new CommandResultRequest("SUCCEEDED", "Freed 1.2 GB"), ContractsJsonContext.Default.CommandResultRequest));
        Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);
        var after = await admin.GetStringAsync($"/admin/screens/{deviceId}");
        Assert.Contains("Clear unused downloads", after);
        Assert.Contains("Freed 1.2 GB", after);
        Assert.Contains("succeeded", after);

        var unticked = await PostFormAsync(admin, $"/admin/screens/{deviceId}/remove", Token(after));
        Assert.Contains("Tick the box to confirm", await unticked.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await _api.AsAdmin(HttpMethod.Get, $"/v1/venues/{_api.VenueId}/devices/{deviceId}")).StatusCode);
        var removed = await PostFormAsync(admin, $"/admin/screens/{deviceId}/remove", Token(after), ("confirm", "yes"));
        Assert.Equal("/admin/screens?done=removed", removed.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.NotFound, (await _api.AsAdmin(HttpMethod.Get, $"/v1/venues/{_api.VenueId}/devices/{deviceId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/admin/screens/{deviceId}")).StatusCode);
    }

    [Fact]
    public async Task The_schedule_form_refuses_in_words_and_a_saved_slot_is_drawn_in_the_week_and_previewed_once_published()
    {
        var asset = await new AssetClient(_api).UploadFileAsync("logo.png", Fixture("real-160x90.png"));
        var playlistId = await CreatePlaylistAsync("Happy hour", asset.AssetId);
        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        var groupPage = await admin.GetStringAsync("/admin/screens");
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(admin, "/admin/groups", Token(groupPage), ("name", "Bar"))).StatusCode);
        var duplicate = await PostFormAsync(admin, "/admin/groups", Token(groupPage), ("name", "bar"));
        Assert.Contains("There is already a group called", await duplicate.Content.ReadAsStringAsync());
        var page = await admin.GetStringAsync("/admin/schedule");
        var target = Regex.Match(page, "option value=\"(GROUP:[^\"]+)\"").Groups[1].Value;

        var noDays = await (await PostFormAsync(admin, "/admin/schedule/slots", Token(page), ("etag", Field(page, "etag")), ("target", target),
            ("playlistId", playlistId), ("start", "25:00"), ("end", "23:00"))).Content.ReadAsStringAsync();
        Assert.Contains("Tick at least one day.", noDays);
        Assert.Contains("Give a time such as 17:30.", noDays);
        Assert.Contains("value=\"25:00\"", noDays);

        var unpublished = await PostFormAsync(admin, "/admin/schedule/slots", Token(page), ("etag", Field(page, "etag")), ("target", target),
            ("playlistId", playlistId), ("day4", "on"), ("day5", "on"), ("start", "22:00"), ("end", "02:00"), ("priority", "5"), ("enabled", "on"),
            ("validFrom", "2026-12-01"), ("validTo", "2026-11-01"));
        Assert.Contains("The date range ends before it starts.", await unpublished.Content.ReadAsStringAsync());
        var saved = await PostFormAsync(admin, "/admin/schedule/slots", Token(page), ("etag", Field(page, "etag")), ("target", target),
            ("playlistId", playlistId), ("day4", "on"), ("day5", "on"), ("start", "22:00"), ("end", "02:00"), ("priority", "5"), ("enabled", "on"));
        Assert.Equal("/admin/schedule?done=saved", saved.Headers.Location?.OriginalString);
        var week = await admin.GetStringAsync("/admin/schedule");
        // Fri and Sat 22:00–24:00, then Sat and Sun 00:00–02:00.
        Assert.Equal(4, Regex.Matches(week, "class=\"block\"").Count);
        Assert.Contains("Fri Sat", week);

        // The playlist is not published yet: the API's publish rule is shown on the page.
        var refused = await PostFormAsync(admin, "/admin/schedule/publish", Token(week), ("etag", Field(week, "etag")));
        Assert.Contains("which is not published", await refused.Content.ReadAsStringAsync());
        var playlistPage = await admin.GetStringAsync($"/admin/playlists/{playlistId}");
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(admin, $"/admin/playlists/{playlistId}/publish", Token(playlistPage), ("etag", Field(playlistPage, "etag")))).StatusCode);
        week = await admin.GetStringAsync("/admin/schedule");
        Assert.Equal("/admin/schedule?done=published", (await PostFormAsync(admin, "/admin/schedule/publish", Token(week), ("etag", Field(week, "etag")))).Headers.Location?.OriginalString);

        // Friday 2026-11-27 at 23:00 London time: the slot; at noon: nothing.
        var evening = await admin.GetStringAsync($"/admin/schedule?target={Uri.EscapeDataString(target)}&at=2026-11-27T23:00");
        Assert.Matches("id=\"preview-answer\">Happy hour", evening);
        var noon = await admin.GetStringAsync($"/admin/schedule?target={Uri.EscapeDataString(target)}&at=2026-11-27T12:00");
        Assert.Contains("Nothing (a blank screen)", noon);
        var typo = await admin.GetStringAsync($"/admin/schedule?target={Uri.EscapeDataString(target)}&at=tomorrow");
        Assert.Contains("Give the time as a date and time", typo);
    }

    [Fact]
    public async Task Playlist_editor_shows_who_else_is_editing_and_publish_refusals_in_words()
    {
        await _api.CreateUserAsync("editor@venue.test", Roles.VenueEditor);
        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        var content = await admin.GetStringAsync("/admin/content");
        var created = await PostFormAsync(admin, "/admin/playlists", Token(content), ("name", "  "));
        Assert.Contains("Enter a playlist name of 1 to 100 characters.", await created.Content.ReadAsStringAsync());
        created = await PostFormAsync(admin, "/admin/playlists", Token(content), ("name", "Quiz night"));
        var editor = created.Headers.Location!.OriginalString;
        Assert.StartsWith("/admin/playlists/pl", editor);
        var page = await admin.GetStringAsync(editor);
        var empty = await PostFormAsync(admin, $"{editor}/publish", Token(page), ("etag", Field(page, "etag")));
        Assert.Contains("Add at least one enabled item before publishing.", await empty.Content.ReadAsStringAsync());

        using var colleague = Browser();
        await SignInAsync(colleague, "editor@venue.test", "a long enough password");
        Assert.Contains("Administrator is also editing this playlist right now.", await colleague.GetStringAsync(editor));
        var beat = await colleague.PostAsync($"{editor}/presence", null);
        Assert.Equal("Administrator is also editing this playlist right now.", await beat.Content.ReadAsStringAsync());
        Assert.Equal("editor is also editing this playlist right now.", await (await admin.PostAsync($"{editor}/presence", null)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Settings_save_opening_hours_add_a_person_change_their_role_and_disable_them()
    {
        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        var page = await admin.GetStringAsync("/admin/settings");
        Assert.Contains("Not connected to a hub", page);
        var fields = new List<(string, string)> { ("etag", Field(page, "etag")), ("name", "The Crown & Anchor"), ("timezone", "Europe/Dublin") };
        for (var day = 0; day < 7; day++) fields.AddRange([($"open{day}", "11:00"), ($"close{day}", day == 4 ? "late" : "23:00")]);
        fields.Add(("closed0", "on"));
        var bad = await (await PostFormAsync(admin, "/admin/settings/venue", Token(page), [.. fields])).Content.ReadAsStringAsync();
        Assert.Contains("Give opening and closing times such as 11:00 and 23:30, or tick Closed.", bad);
        Assert.Contains("value=\"late\"", bad);
        fields[fields.IndexOf(("close4", "late"))] = ("close4", "01:30");
        Assert.Equal("/admin/settings?done=venue", (await PostFormAsync(admin, "/admin/settings/venue", Token(page), [.. fields])).Headers.Location?.OriginalString);
        var venue = (await (await _api.AsAdmin(HttpMethod.Get, $"/v1/venues/{_api.VenueId}")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        Assert.Equal(("The Crown & Anchor", "Europe/Dublin", 6), (venue.Name, venue.Timezone, venue.OpeningHours.Length));
        Assert.Equal(new OpeningHours(5, 660, 90), venue.OpeningHours.Single(h => h.Day == 5));

        var weak = await PostFormAsync(admin, "/admin/settings/users", Token(page), ("email", "not an email"), ("displayName", "Sam"), ("password", "short"), ("role", Roles.VenueEditor));
        var weakHtml = await weak.Content.ReadAsStringAsync();
        Assert.Contains("<span class=\"field-error\">Enter a valid email address.</span>", weakHtml);
        Assert.Contains("<span class=\"field-error\">Use a password of at least 10 characters.</span>", weakHtml);
        Assert.Equal("/admin/settings?done=user", (await PostFormAsync(admin, "/admin/settings/users", Token(page), ("email", "sam@venue.test"),
            ("displayName", "Sam"), ("password", "a long enough password"), ("role", Roles.VenueEditor))).Headers.Location?.OriginalString);
        using var sam = Browser();
        await SignInAsync(sam, "sam@venue.test", "a long enough password");
        Assert.Contains("action=\"/admin/playlists\"", await sam.GetStringAsync("/admin/content"));

        page = await admin.GetStringAsync("/admin/settings");
        var samId = Regex.Match(page, "/admin/settings/users/(usr[^/]+)/role").Groups[1].Value;
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(admin, $"/admin/settings/users/{samId}/role", Token(page), ("role", Roles.VenueViewer))).StatusCode);
        Assert.DoesNotContain("action=\"/admin/playlists\"", await sam.GetStringAsync("/admin/content"));
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(admin, $"/admin/settings/users/{samId}/disabled", Token(page), ("disabled", "true"))).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await sam.GetAsync("/admin/content")).StatusCode); // signed out at once
        await Assert.ThrowsAsync<HttpRequestException>(() => LoginAsync(_api.Process.Client, "sam@venue.test", "a long enough password"));
    }

    [Fact]
    public async Task Reports_page_shows_a_refused_range_in_words_and_audit_and_incident_lists_render()
    {
        using var admin = Browser();
        await SignInAsync(admin, AdminEmail, AdminPassword);
        var backwards = await admin.GetAsync("/admin/reports?from=2026-11-20&to=2026-11-01&groupBy=content");
        Assert.Equal(HttpStatusCode.OK, backwards.StatusCode);
        Assert.Contains("to (2026-11-01) is before from (2026-11-20)", await backwards.Content.ReadAsStringAsync());
        var nonsense = await (await admin.GetAsync("/admin/reports?from=yesterday&to=2026-11-01&groupBy=mood")).Content.ReadAsStringAsync();
        Assert.Contains("Give from as a venue-local date", nonsense);
        Assert.Contains("groupBy is one of", nonsense);
        var report = await admin.GetStringAsync("/admin/reports");
        Assert.Contains("Nothing played in this period.", report);
        Assert.Contains($"/v1/venues/{_api.VenueId}/reports/proof-of-play.csv?from=", report);
        Assert.Contains("LOGIN_SUCCEEDED", await admin.GetStringAsync("/admin/audit"));
        Assert.Contains("No incidents", await admin.GetStringAsync("/admin/incidents"));
    }

    [Fact]
    public async Task The_api_disables_and_re_enables_a_user_but_never_the_caller_themselves()
    {
        var sam = await _api.CreateUserAsync("sam@venue.test", Roles.VenueEditor);
        var path = $"/v1/tenants/{_api.TenantId}/users/{sam.User.UserId}/disabled";
        var self = await _api.AsAdmin(HttpMethod.Put, $"/v1/tenants/{_api.TenantId}/users/{_api.Admin.User.UserId}/disabled", Json("""{"disabled":true}"""));
        Assert.Equal(HttpStatusCode.Conflict, self.StatusCode);
        Assert.Equal("CANNOT_DISABLE_SELF", (await ProblemAsync(self)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await _api.SendAsync(HttpMethod.Put, path, sam.AccessToken, Json("""{"disabled":true}"""))).StatusCode);

        var disabled = await _api.AsAdmin(HttpMethod.Put, path, Json("""{"disabled":true}"""));
        Assert.True((await disabled.Content.ReadFromJsonAsync(ContractsJsonContext.Default.UserResponse))!.Disabled);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.SendAsync(HttpMethod.Get, "/v1/me/venues", sam.AccessToken)).StatusCode);
        await Assert.ThrowsAsync<HttpRequestException>(() => LoginAsync(_api.Process.Client, "sam@venue.test", "a long enough password"));
        Assert.Equal(HttpStatusCode.OK, (await _api.AsAdmin(HttpMethod.Put, path, Json("""{"disabled":false}"""))).StatusCode);
        await LoginAsync(_api.Process.Client, "sam@venue.test", "a long enough password");
    }

    private async Task<string> CreatePlaylistAsync(string name, string assetId)
    {
        var created = await _api.AsAdmin(HttpMethod.Post, $"/v1/venues/{_api.VenueId}/playlists",
            JsonContent.Create(new CreatePlaylistRequest(name), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!;
        var etag = (await _api.AsAdmin(HttpMethod.Get, $"/v1/venues/{_api.VenueId}/playlists/{playlist.PlaylistId}")).Headers.ETag!.Tag;
        var items = await _api.AsAdmin(HttpMethod.Put, $"/v1/venues/{_api.VenueId}/playlists/{playlist.PlaylistId}/items",
            JsonContent.Create(new SetPlaylistItemsRequest([new PlaylistItemRequest(assetId, 8000)]), ContractsJsonContext.Default.SetPlaylistItemsRequest), etag);
        items.EnsureSuccessStatusCode();
        return playlist.PlaylistId;
    }

    // ---- a cookie-keeping browser over HttpClient ----

    private HttpClient Browser(Uri? baseAddress = null) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = baseAddress ?? _api.Process.BaseAddress,
        };

    internal static async Task<HttpResponseMessage> SignInAsync(HttpClient client, string email, string password)
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

    /// <summary>A hidden field's value (the first with that name), e.g. the ETag the page showed.</summary>
    private static string Field(string html, string name) =>
        WebUtility.HtmlDecode(Regex.Match(html, $"name=\"{name}\" value=\"([^\"]*)\"").Groups[1].Value);

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    private static string Screenshot(string name) =>
        Path.Combine(Environment.GetEnvironmentVariable("SIGNAGE_SCREENSHOT_DIR") ?? Path.Combine(Path.GetTempPath(), "signage-screenshots"), name);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
