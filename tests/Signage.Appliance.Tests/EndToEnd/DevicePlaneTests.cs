using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>Pairing, device tokens and the player API against the native binary; includes the
/// control-plane seed's pairing and plan acceptance tests.</summary>
public sealed class DevicePlaneTests : ApplianceApiTests
{
    // The spec's per-device limits (2 manifests a minute) would throttle a test; one test turns them back on.
    protected override IDictionary<string, string>? Environment => new Dictionary<string, string> { ["RateLimits__Enabled"] = "false" };

    private string Venue => $"/v1/venues/{Api.VenueId}";

    // ---- seed 001: pairing ----

    [Fact]
    public async Task Claim_code_exchanges_for_a_device_token_that_authenticates_to_device_endpoints()
    {
        var pairing = await StartPairingAsync("hw-1");
        Assert.Matches("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", pairing.PairingCode);
        Assert.Contains($"/admin/pair?code={pairing.PairingCode}", pairing.QrPayload);
        Assert.Equal(PlayerProtocol.PairingStatus.Pending, (await Api.PairingStatusAsync(pairing)).Status);

        var claim = await Claim(pairing.PairingCode.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), "Bar TV");
        Assert.Equal(HttpStatusCode.Created, claim.StatusCode);
        var status = await Api.PairingStatusAsync(pairing);
        Assert.Equal((PlayerProtocol.PairingStatus.Completed, Api.VenueId), (status.Status, status.VenueId));

        var manifest = await Player(HttpMethod.Get, "/v1/player/manifest", status.DeviceToken);
        Assert.Equal(HttpStatusCode.OK, manifest.StatusCode);
    }

    [Fact]
    public async Task Same_claim_code_cannot_be_used_twice()
    {
        var pairing = await StartPairingAsync("hw-2");
        Assert.Equal(HttpStatusCode.Created, (await Claim(pairing.PairingCode, "First")).StatusCode);
        var second = await Claim(pairing.PairingCode, "Second");
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("PAIRING_CODE_USED", (await ProblemAsync(second)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Expired_or_unknown_codes_cannot_be_claimed_and_the_screen_sees_expired()
    {
        var pairing = await StartPairingAsync("hw-3");
        Execute("UPDATE device_pairing SET expires_at_utc = '2020-01-01T00:00:00.000Z' WHERE pairing_id = $id;", ("$id", pairing.PairingId));
        Assert.Equal(HttpStatusCode.NotFound, (await Claim(pairing.PairingCode, "Late")).StatusCode);
        Assert.Equal(PlayerProtocol.PairingStatus.Expired, (await Api.PairingStatusAsync(pairing)).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Claim("AEIOU", "Bad")).StatusCode);
    }

    [Fact]
    public async Task Only_the_screen_holding_the_pairing_secret_can_poll_it_and_only_managers_claim()
    {
        var pairing = await StartPairingAsync("hw-4");
        using var stranger = new HttpRequestMessage(HttpMethod.Get, $"/v1/devices/pairing/status?pairingId={pairing.PairingId}");
        stranger.Headers.Add(PlayerProtocol.PairingSecretHeader, new string('0', 64));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.Process.Client.SendAsync(stranger)).StatusCode);

        var editor = await Api.CreateUserAsync("editor@venue.test", Roles.VenueEditor);
        var claim = await Api.SendAsync(HttpMethod.Post, $"{Venue}/devices/pairing/claim", editor.AccessToken,
            JsonContent.Create(new PairingClaimRequest(pairing.PairingCode, "Nope"), ContractsJsonContext.Default.PairingClaimRequest));
        Assert.Equal(HttpStatusCode.Forbidden, claim.StatusCode);
    }

    // ---- tokens ----

    [Fact]
    public async Task Device_tokens_work_only_on_player_endpoints_and_user_tokens_only_on_management()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Door TV");
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Get, $"{Venue}/devices", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.AsAdmin(HttpMethod.Get, "/v1/player/manifest")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}")).StatusCode);
    }

    [Fact]
    public async Task Removed_device_token_is_401_at_once_and_re_pairing_the_same_hardware_keeps_the_record()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Window TV", hardwareId: "hw-window");
        Assert.Equal(HttpStatusCode.OK, (await Player(HttpMethod.Get, "/v1/player/manifest", token)).StatusCode);

        var (again, newToken) = await Api.PairScreenAsync("Window TV 2", hardwareId: "hw-window");
        Assert.Equal(deviceId, again);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Player(HttpMethod.Get, "/v1/player/manifest", token)).StatusCode); // old token revoked

        Assert.Equal(HttpStatusCode.NoContent, (await Api.AsAdmin(HttpMethod.Delete, $"{Venue}/devices/{deviceId}")).StatusCode);
        var afterRemoval = await Player(HttpMethod.Post, "/v1/player/heartbeat", newToken, Heartbeat(null));
        Assert.Equal(HttpStatusCode.Unauthorized, afterRemoval.StatusCode);
        Assert.Equal("UNAUTHORIZED", (await ProblemAsync(afterRemoval)).GetProperty("code").GetString());
    }

    // ---- seed 001: plan (manifest) ----

    [Fact]
    public async Task Manifest_covers_72_hours_has_a_stable_etag_and_answers_304_to_if_none_match()
    {
        var (_, token) = await Api.PairScreenAsync("Bar TV");
        var first = await Player(HttpMethod.Get, "/v1/player/manifest", token);
        var manifest = (await first.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!;
        var etag = first.Headers.ETag!.Tag;

        Assert.Equal($"\"{manifest.ManifestEtag}\"", etag);
        var from = DateTimeOffset.Parse(manifest.Timeline.FromUtc, System.Globalization.CultureInfo.InvariantCulture);
        var to = DateTimeOffset.Parse(manifest.Timeline.ToUtc, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromHours(72), to - from);
        Assert.Equal(("KIOSK", "LANDSCAPE", "Europe/London"), (manifest.Settings.RunMode, manifest.Settings.Orientation, manifest.Settings.Timezone));
        Assert.Null(manifest.Playlist); // nothing published yet

        var again = await Player(HttpMethod.Get, "/v1/player/manifest", token);
        Assert.Equal(etag, again.Headers.ETag!.Tag);
        var conditional = await Player(HttpMethod.Get, "/v1/player/manifest", token, ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.NotModified, conditional.StatusCode);
    }

    [Fact]
    public async Task Held_manifest_request_answers_within_a_second_of_a_publish_and_304_when_nothing_changes()
    {
        var (_, token) = await Api.PairScreenAsync("Bar TV");
        var etag = (await Player(HttpMethod.Get, "/v1/player/manifest", token)).Headers.ETag!.Tag;

        var quiet = Stopwatch.StartNew();
        var unchanged = await Player(HttpMethod.Get, "/v1/player/manifest", token, ifNoneMatch: etag, wait: 1);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.InRange(quiet.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));

        var held = Player(HttpMethod.Get, "/v1/player/manifest", token, ifNoneMatch: etag, wait: 30);
        await Task.Delay(300);
        Assert.False(held.IsCompleted);
        var published = Stopwatch.StartNew();
        await SetVenueTimezoneAsync("America/New_York"); // changes what every screen of the venue plays by
        var answer = await held;
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.True(published.Elapsed < TimeSpan.FromSeconds(1), $"took {published.Elapsed}");
        Assert.Equal("America/New_York", (await answer.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!.Settings.Timezone);
    }

    [Fact]
    public async Task Publishing_a_playlist_no_screen_plays_leaves_the_screens_etag_alone()
    {
        var (_, token) = await Api.PairScreenAsync("Bar TV");
        var etag = (await Player(HttpMethod.Get, "/v1/player/manifest", token)).Headers.ETag!.Tag;
        var image = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-160x90.png"));
        var asset = (await new AssetClient(Api).UploadAsync("unused.png", image)).AssetId;
        var created = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists", JsonContent.Create(new CreatePlaylistRequest("Unused"), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var items = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items", JsonContent.Create(
            new SetPlaylistItemsRequest([new PlaylistItemRequest(asset)]), ContractsJsonContext.Default.SetPlaylistItemsRequest), created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: items.Headers.ETag!.Tag)).StatusCode);

        Assert.Equal(HttpStatusCode.NotModified, (await Player(HttpMethod.Get, "/v1/player/manifest", token, ifNoneMatch: etag)).StatusCode);
    }

    [Fact]
    public async Task Device_settings_and_group_reach_the_manifest_and_need_if_match()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var detail = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}");
        var patch = JsonContent.Create(new UpdateDeviceRequest(RunMode: "SHARED", Orientation: "PORTRAIT", Timezone: "Asia/Tokyo", CacheBudgetBytes: 512L * 1024 * 1024),
            ContractsJsonContext.Default.UpdateDeviceRequest);
        Assert.Equal((HttpStatusCode)428, (await Api.AsAdmin(HttpMethod.Patch, $"{Venue}/devices/{deviceId}", patch)).StatusCode);
        var updated = await Api.AsAdmin(HttpMethod.Patch, $"{Venue}/devices/{deviceId}", patch, detail.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        var settings = (await (await Player(HttpMethod.Get, "/v1/player/manifest", token)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!.Settings;
        Assert.Equal(("SHARED", "PORTRAIT", "Asia/Tokyo", 512L * 1024 * 1024), (settings.RunMode, settings.Orientation, settings.Timezone, settings.CacheBudgetBytes));

        var bad = await Api.AsAdmin(HttpMethod.Patch, $"{Venue}/devices/{deviceId}", JsonContent.Create(new UpdateDeviceRequest(GroupId: "grp_nope", Orientation: "DIAGONAL"),
            ContractsJsonContext.Default.UpdateDeviceRequest), updated.Headers.ETag!.Tag);
        Assert.Equal(["groupId", "orientation"], (await ProblemAsync(bad)).GetProperty("errors").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Manifest_carries_the_published_playlist_and_the_screen_downloads_its_media_with_range_if_range_and_precise_range_errors()
    {
        var video = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-h264-aac-160x90.mp4"));
        var asset = await new AssetClient(Api).UploadAsync("clip.mp4", video);
        Assert.Equal("READY", asset.Status);
        var playlist = await PublishFallbackAsync(asset.AssetId);
        var (_, token) = await Api.PairScreenAsync("Bar TV");

        var manifest = (await (await Player(HttpMethod.Get, "/v1/player/manifest", token)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!;
        var item = Assert.Single(manifest.Playlist!.Items);
        Assert.Equal((playlist, 1L), (manifest.Playlist.PlaylistId, manifest.Playlist.PublishedVersion));
        Assert.Equal(("VIDEO", AssetClient.Sha256(video), (long)video.Length, 160, 90), (item.Type, item.ChecksumSha256, item.FileSizeBytes, item.WidthPx, item.HeightPx));
        Assert.Equal(playlist, Assert.Single(manifest.Timeline.Playlists).PlaylistId);

        var whole = await Player(HttpMethod.Get, new Uri(item.Url).PathAndQuery, token);
        Assert.Equal(video, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal($"\"{item.ChecksumSha256}\"", whole.Headers.ETag!.Tag);
        Assert.Contains("immutable", whole.Headers.CacheControl!.ToString());

        var resume = Request(HttpMethod.Get, new Uri(item.Url).PathAndQuery, token);
        resume.Headers.Range = new RangeHeaderValue(1000, null);
        var rest = await Api.Process.Client.SendAsync(resume);
        Assert.Equal(HttpStatusCode.PartialContent, rest.StatusCode);
        Assert.Equal(video[1000..], await rest.Content.ReadAsByteArrayAsync());

        var beyond = Request(HttpMethod.Get, new Uri(item.Url).PathAndQuery, token);
        beyond.Headers.Range = new RangeHeaderValue(video.Length + 10, null);
        var refused = await Api.Process.Client.SendAsync(beyond);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, refused.StatusCode);
        Assert.Equal("RANGE_NOT_SATISFIABLE", (await ProblemAsync(refused)).GetProperty("code").GetString());
        Assert.Equal($"bytes */{video.Length}", refused.Content.Headers.ContentRange!.ToString());

        var tail = Request(HttpMethod.Get, new Uri(item.Url).PathAndQuery, token);
        tail.Headers.Range = new RangeHeaderValue(null, 100);
        var suffix = await Api.Process.Client.SendAsync(tail);
        Assert.Equal(HttpStatusCode.PartialContent, suffix.StatusCode);
        Assert.Equal(video[^100..], await suffix.Content.ReadAsByteArrayAsync());
        Assert.Equal($"bytes {video.Length - 100}-{video.Length - 1}/{video.Length}", suffix.Content.Headers.ContentRange!.ToString());

        var malformed = Request(HttpMethod.Get, new Uri(item.Url).PathAndQuery, token);
        malformed.Headers.TryAddWithoutValidation("Range", "bytes=banana");
        var bad = await Api.Process.Client.SendAsync(malformed);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("INVALID_RANGE", (await ProblemAsync(bad)).GetProperty("code").GetString());

        // If-Range naming another version: the whole (current) file, not a piece of it.
        var stale = Request(HttpMethod.Get, new Uri(item.Url).PathAndQuery, token);
        stale.Headers.Range = new RangeHeaderValue(1000, null);
        stale.Headers.TryAddWithoutValidation("If-Range", $"\"{new string('b', 64)}\"");
        var full = await Api.Process.Client.SendAsync(stale);
        Assert.Equal(HttpStatusCode.OK, full.StatusCode);
        Assert.Equal(video, await full.Content.ReadAsByteArrayAsync());

        var cached = Request(HttpMethod.Get, new Uri(item.Url).PathAndQuery, token);
        cached.Headers.TryAddWithoutValidation("If-None-Match", $"\"{item.ChecksumSha256}\"");
        Assert.Equal(HttpStatusCode.NotModified, (await Api.Process.Client.SendAsync(cached)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Player(HttpMethod.Get, $"/v1/assets/{new string('a', 64)}", token)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Player(HttpMethod.Get, "/v1/assets/..%2F..%2Fappliance.db", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Player(HttpMethod.Get, new Uri(item.Url).PathAndQuery, null)).StatusCode);

        // Content that screens play cannot be deleted from under them.
        var delete = await Api.AsAdmin(HttpMethod.Delete, $"{Venue}/assets/{asset.AssetId}");
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Equal("ASSET_IN_USE", (await ProblemAsync(delete)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Spec_rate_limits_apply_per_screen_with_headers_and_retry_after()
    {
        await using var limited = await ApplianceApi.StartAsync(Temp.Combine("limited"));
        var (_, token) = await limited.PairScreenAsync("Bar TV");
        var first = await limited.SendAsync(HttpMethod.Get, "/v1/player/manifest", token);
        Assert.Equal(("2", "1"), (first.Headers.GetValues("X-RateLimit-Limit").Single(), first.Headers.GetValues("X-RateLimit-Remaining").Single()));
        await limited.SendAsync(HttpMethod.Get, "/v1/player/manifest", token);
        var third = await limited.SendAsync(HttpMethod.Get, "/v1/player/manifest", token);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(int.Parse(third.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) is > 0 and <= 60);
        Assert.Equal("RATE_LIMITED", (await ProblemAsync(third)).GetProperty("code").GetString());
        var (_, other) = await limited.PairScreenAsync("Door TV");
        Assert.Equal(HttpStatusCode.OK, (await limited.SendAsync(HttpMethod.Get, "/v1/player/manifest", other)).StatusCode); // per screen
    }

    // ---- heartbeat, events, commands ----

    [Fact]
    public async Task Heartbeat_marks_the_screen_online_with_the_manifest_it_actually_applied()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var manifest = await Player(HttpMethod.Get, "/v1/player/manifest", token);
        var applied = (await manifest.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!.ManifestEtag;

        var before = (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.DeviceResponse))!;
        Assert.Equal(("OFFLINE", null, "UNKNOWN"), (before.Status, before.LastSeenAtUtc, before.ContentState)); // paired, never heard from: offline (issue 16)

        Assert.Equal(HttpStatusCode.NoContent, (await Player(HttpMethod.Post, "/v1/player/heartbeat", token, Heartbeat(applied))).StatusCode);
        var after = (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.DeviceResponse))!;
        Assert.Equal(("ONLINE", "PLAYING", applied, "UP_TO_DATE", "2.1.0"), (after.Status, after.State, after.AppliedManifestEtag, after.ContentState, after.AppVersion));

        await SetVenueTimezoneAsync("Asia/Tokyo");
        await Player(HttpMethod.Get, "/v1/player/manifest", token); // the screen would now get a new manifest
        var stale = (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.DeviceResponse))!;
        Assert.Equal("UPDATING", stale.ContentState);
    }

    [Fact]
    public async Task Event_batch_is_stored_once_per_event_id_even_when_sent_twice_at_the_same_time()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var events = Enumerable.Range(1, 50).Select(i => Event(i, PlayerProtocol.EventTypes.DownloadFailed)).ToArray();

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Player(HttpMethod.Post, "/v1/player/events", token, Events(events))));
        var results = await Task.WhenAll(answers.Select(a => a.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse)));
        Assert.Equal(50, results.Sum(r => r!.Accepted));
        Assert.Equal(150, results.Sum(r => r!.Duplicates));
        Assert.Equal(50L, Scalar("SELECT COUNT(*) FROM device_event WHERE device_id = $device;", ("$device", deviceId)));
    }

    [Fact]
    public async Task Bad_events_are_rejected_one_by_one_with_a_reason_and_a_batch_of_101_is_refused()
    {
        var (_, token) = await Api.PairScreenAsync("Bar TV");
        var batch = new[]
        {
            Event(1, PlayerProtocol.EventTypes.AppStarted),
            Event(2, "TELEPORTED"),
            Event(3, PlayerProtocol.EventTypes.AppStarted) with { EventId = "not-a-uuid" },
            Event(4, PlayerProtocol.EventTypes.AppStarted) with { EventTimeUtc = "yesterday" },
            Event(5, PlayerProtocol.EventTypes.AppStarted) with { EventTimeUtc = "2099-01-01T00:00:00Z" },
        };
        var result = (await (await Player(HttpMethod.Post, "/v1/player/events", token, Events(batch))).Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!;
        Assert.Equal((2, 0, 3), (result.Accepted, result.Duplicates, result.Rejected));
        Assert.Equal([1, 2, 3], result.RejectedEvents.Select(r => r.Index));
        Assert.Contains("TELEPORTED", result.RejectedEvents[0].Reason);
        Assert.Equal(1L, Scalar("SELECT clock_suspect FROM device_event WHERE sequence = 5;"));

        var tooMany = await Player(HttpMethod.Post, "/v1/player/events", token, Events([.. Enumerable.Range(1, 101).Select(i => Event(i, PlayerProtocol.EventTypes.AppStarted))]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        Assert.Equal("BATCH_TOO_LARGE", (await ProblemAsync(tooMany)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Manager_sends_a_command_the_screen_runs_it_and_reports_and_an_expired_one_is_never_delivered()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var sent = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/devices/{deviceId}/commands",
            JsonContent.Create(new CommandRequest(PlayerProtocol.CommandTypes.RestartPlaybackLoop), ContractsJsonContext.Default.CommandRequest));
        Assert.Equal(HttpStatusCode.Created, sent.StatusCode);
        var command = (await sent.Content.ReadFromJsonAsync(ContractsJsonContext.Default.CommandResponse))!;

        var polled = (await (await Player(HttpMethod.Get, "/v1/player/commands", token)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlayerCommandsResponse))!;
        Assert.Equal(command.CommandId, Assert.Single(polled.Commands).CommandId);
        var result = await Player(HttpMethod.Post, $"/v1/player/commands/{command.CommandId}/result", token,
            JsonContent.Create(new CommandResultRequest("SUCCEEDED", "restarted"), ContractsJsonContext.Default.CommandResultRequest));
        Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);

        var late = (await (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/devices/{deviceId}/commands",
            JsonContent.Create(new CommandRequest(PlayerProtocol.CommandTypes.RebootApp), ContractsJsonContext.Default.CommandRequest))).Content.ReadFromJsonAsync(ContractsJsonContext.Default.CommandResponse))!;
        Execute("UPDATE device_command SET expires_at_utc = '2020-01-01T00:00:00.000Z' WHERE command_id = $id;", ("$id", late.CommandId));
        Assert.Empty((await (await Player(HttpMethod.Get, "/v1/player/commands", token)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlayerCommandsResponse))!.Commands);

        var list = (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}/commands")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseCommandResponse))!;
        Assert.Equal(["EXPIRED", "SUCCEEDED"], list.Items.Select(c => c.Status));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/devices/{deviceId}/commands",
            JsonContent.Create(new CommandRequest("FORMAT_DISK"), ContractsJsonContext.Default.CommandRequest))).StatusCode);
    }

    // ---- helpers ----

    private async Task<PairingStartResponse> StartPairingAsync(string hardwareId)
    {
        var response = await Api.Process.Client.PostAsJsonAsync("/v1/devices/pairing/start", new PairingStartRequest(hardwareId), ContractsJsonContext.Default.PairingStartRequest);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStartResponse))!;
    }

    private Task<HttpResponseMessage> Claim(string code, string name) => Api.AsAdmin(HttpMethod.Post, $"{Venue}/devices/pairing/claim",
        JsonContent.Create(new PairingClaimRequest(code, name), ContractsJsonContext.Default.PairingClaimRequest));

    private Task<HttpResponseMessage> Player(HttpMethod method, string path, string? token, HttpContent? content = null, string? ifNoneMatch = null, int? wait = null)
    {
        var request = Request(method, path, token, content);
        if (ifNoneMatch is not null) request.Headers.IfNoneMatch.Add(EntityTagHeaderValue.Parse(ifNoneMatch));
        if (wait is not null) request.Headers.Add("Prefer", $"wait={wait}");
        return Api.Process.Client.SendAsync(request);
    }

    /// <summary>Publishes a playlist of these assets and makes it the venue's fallback.</summary>
    private async Task<string> PublishFallbackAsync(params string[] assets)
    {
        var created = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists", JsonContent.Create(new CreatePlaylistRequest("Fallback"), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var items = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items", JsonContent.Create(
            new SetPlaylistItemsRequest([.. assets.Select(a => new PlaylistItemRequest(a))]), ContractsJsonContext.Default.SetPlaylistItemsRequest), created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: items.Headers.ETag!.Tag)).StatusCode);
        var venue = await Api.AsAdmin(HttpMethod.Get, Venue);
        var current = (await venue.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Put, Venue, JsonContent.Create(new UpdateVenueRequest(current.Name, current.Timezone, current.OpeningHours, playlist),
            ContractsJsonContext.Default.UpdateVenueRequest), venue.Headers.ETag!.Tag)).StatusCode);
        return playlist;
    }

    private async Task SetVenueTimezoneAsync(string zone)
    {
        var venue = await Api.AsAdmin(HttpMethod.Get, Venue);
        var current = (await venue.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        var update = await Api.AsAdmin(HttpMethod.Put, Venue, JsonContent.Create(new UpdateVenueRequest(current.Name, zone, current.OpeningHours),
            ContractsJsonContext.Default.UpdateVenueRequest), venue.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
    }

    private static JsonContent Heartbeat(string? etag) => JsonContent.Create(new HeartbeatRequest("2.1.0", "PLAYING", DateTimeOffset.UtcNow.ToString("O"), etag,
        new PlaybackState("pl_1", 1, "ast_1", 0, 3), new CacheState(2_000_000_000, 1_000_000, 3, 0), new NetworkState(true, "WIFI")), ContractsJsonContext.Default.HeartbeatRequest);

    private static PlayerEvent Event(long sequence, string type) => new(Guid.NewGuid().ToString(), sequence, type,
        DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), "WARNING", JsonDocument.Parse("""{"assetId":"ast_1"}""").RootElement);

    private static JsonContent Events(PlayerEvent[] events) => JsonContent.Create(new EventBatchRequest(events), ContractsJsonContext.Default.EventBatchRequest);

    private void Execute(string sql, params (string, object)[] parameters) => Scalar(sql, parameters);

    private object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteScalar();
    }
}
