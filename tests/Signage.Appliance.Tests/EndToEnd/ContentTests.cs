using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>Groups, campaigns, playlists, the schedule set and the resolve preview, against the native binary.</summary>
public sealed class ContentTests : ApplianceApiTests
{
    private string Venue => $"/v1/venues/{Api.VenueId}";

    private static JsonContent Body<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) => JsonContent.Create(value, type);

    // ---- groups and campaigns ----

    [Fact]
    public async Task Group_names_are_unique_per_venue_ignoring_case_and_a_group_in_use_cannot_be_deleted()
    {
        var bar = await CreateGroupAsync("Bar");
        var duplicate = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/groups", Body(new GroupRequest("BAR"), ContractsJsonContext.Default.GroupRequest));
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        var renamed = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/groups/{bar}", Body(new GroupRequest("Main bar"), ContractsJsonContext.Default.GroupRequest));
        Assert.Equal("Main bar", (await renamed.Content.ReadFromJsonAsync(ContractsJsonContext.Default.GroupResponse))!.Name);

        var playlist = await CreatePublishedPlaylistAsync("Lunch");
        await AddSlotAsync(new SlotRequest("GROUP", bar, playlist, 127, 0, 0));
        Assert.Equal(HttpStatusCode.Conflict, (await Api.AsAdmin(HttpMethod.Delete, $"{Venue}/groups/{bar}")).StatusCode);

        var empty = await CreateGroupAsync("Terrace");
        Assert.Equal(HttpStatusCode.NoContent, (await Api.AsAdmin(HttpMethod.Delete, $"{Venue}/groups/{empty}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/groups/{empty}")).StatusCode);
    }

    [Theory]
    [InlineData("""{"brandName":"","name":"Summer"}""", "brandName")]
    [InlineData("""{"brandName":"Fizz","name":"Summer","startDate":"2026-13-01"}""", "startDate")]
    [InlineData("""{"brandName":"Fizz","name":"Summer","startDate":"2026-07-01","endDate":"2026-06-01"}""", "endDate")]
    public async Task Invalid_campaigns_are_422_naming_the_field(string json, string field)
    {
        var response = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/campaigns", Json(json));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await ProblemAsync(response)).GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Playlist_names_its_campaign_and_a_named_campaign_cannot_be_deleted()
    {
        var created = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/campaigns", Json("""{"brandName":"Fizz","name":"Summer","startDate":"2026-06-01","endDate":"2026-08-31"}"""));
        var campaign = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.CampaignResponse))!;
        var playlist = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists", Body(new CreatePlaylistRequest("Fizz loop", campaign.CampaignId), ContractsJsonContext.Default.CreatePlaylistRequest));
        Assert.Equal(campaign.CampaignId, (await playlist.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.CampaignId);

        Assert.Equal(HttpStatusCode.Conflict, (await Api.AsAdmin(HttpMethod.Delete, $"{Venue}/campaigns/{campaign.CampaignId}")).StatusCode);
        var unknown = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists", Body(new CreatePlaylistRequest("X", "cmp_nope"), ContractsJsonContext.Default.CreatePlaylistRequest));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
    }

    // ---- playlists ----

    [Fact]
    public async Task Two_editors_change_the_same_draft_and_the_slower_one_gets_412_with_the_current_etag()
    {
        var alice = await Api.CreateUserAsync("alice@venue.test", Roles.VenueEditor);
        var bob = await Api.CreateUserAsync("bob@venue.test", Roles.VenueEditor);
        var (playlist, etag) = await CreatePlaylistAsync("Evening");
        var image = await SeedAssetAsync("READY", "IMAGE");

        var first = await Api.SendAsync(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items", alice.AccessToken, Items(new PlaylistItemRequest(image)), etag);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var second = await Api.SendAsync(HttpMethod.Put, $"{Venue}/playlists/{playlist}", bob.AccessToken,
            Body(new UpdatePlaylistRequest("Bob's evening"), ContractsJsonContext.Default.UpdatePlaylistRequest), etag);

        Assert.Equal(HttpStatusCode.PreconditionFailed, second.StatusCode);
        Assert.Equal(first.Headers.ETag!.Tag, (await ProblemAsync(second)).GetProperty("currentEtag").GetString());
        var missing = await Api.SendAsync(HttpMethod.Put, $"{Venue}/playlists/{playlist}", bob.AccessToken,
            Body(new UpdatePlaylistRequest("No etag"), ContractsJsonContext.Default.UpdatePlaylistRequest));
        Assert.Equal((HttpStatusCode)428, missing.StatusCode);
    }

    [Fact]
    public async Task Publishing_needs_at_least_one_item_and_only_ready_assets()
    {
        var (playlist, etag) = await CreatePlaylistAsync("Not yet");
        var empty = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: etag);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, empty.StatusCode);

        var processing = await SeedAssetAsync("PROCESSING", "VIDEO");
        var withItem = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items", Items(new PlaylistItemRequest(processing)), etag);
        var publish = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: withItem.Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, publish.StatusCode);
        Assert.Contains("PROCESSING", (await ProblemAsync(publish)).GetProperty("errors").GetProperty("items")[0].GetString());
    }

    [Fact]
    public async Task Items_must_name_assets_of_this_venue_that_did_not_fail()
    {
        var (playlist, etag) = await CreatePlaylistAsync("Bad items");
        var failed = await SeedAssetAsync("FAILED", "IMAGE");
        var response = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items",
            Items(new PlaylistItemRequest("ast_nope"), new PlaylistItemRequest(failed), new PlaylistItemRequest(failed, DurationMs: 10)), etag);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(4, (await ProblemAsync(response)).GetProperty("errors").GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Publish_freezes_a_version_that_later_draft_edits_do_not_touch_and_bumps_the_epoch()
    {
        var epochBefore = await EpochAsync();
        var image = await SeedAssetAsync("READY", "IMAGE");
        var video = await SeedAssetAsync("READY", "VIDEO", durationMs: 15_000);
        var (playlist, etag) = await CreatePlaylistAsync("Bar loop");
        var items = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items",
            Items(new PlaylistItemRequest(image, 8_000), new PlaylistItemRequest(video), new PlaylistItemRequest(image, Enabled: false)), etag);
        var published = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: items.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        Assert.Equal(1, (await published.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PublishedVersion);

        await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items", Items(new PlaylistItemRequest(image)), published.Headers.ETag!.Tag);

        var versions = await VersionsAsync(playlist);
        var v1 = Assert.Single(versions);
        Assert.Equal([(image, "IMAGE", 8_000), (video, "VIDEO", 15_000)], v1.Items.Select(i => (i.AssetId, i.MediaType, i.DurationMs)));
        Assert.Equal(epochBefore + 1, await EpochAsync());
        Assert.Contains(await AuditActionsAsync(), a => a == "PLAYLIST_PUBLISHED");
    }

    [Fact]
    public async Task Rollback_restores_an_earlier_version_as_a_new_version_and_as_the_draft()
    {
        var first = await SeedAssetAsync("READY", "IMAGE");
        var second = await SeedAssetAsync("READY", "IMAGE");
        var (playlist, etag) = await CreatePlaylistAsync("Menu");
        etag = await PublishItemsAsync(playlist, etag, first);
        etag = await PublishItemsAsync(playlist, etag, second);

        var rollback = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/rollback", Body(new RollbackRequest(1), ContractsJsonContext.Default.RollbackRequest), etag);
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        var draft = (await rollback.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!;
        Assert.Equal(3, draft.PublishedVersion);
        Assert.Equal([first], draft.Items.Select(i => i.AssetId));
        var v3 = (await VersionsAsync(playlist))[0];
        Assert.Equal((3L, 1L, first), (v3.Version, v3.RolledBackFromVersion!.Value, v3.Items.Single().AssetId));

        var unknown = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/rollback", Body(new RollbackRequest(9), ContractsJsonContext.Default.RollbackRequest), rollback.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknown.StatusCode);
    }

    [Fact]
    public async Task Reorder_takes_every_item_exactly_once()
    {
        var a = await SeedAssetAsync("READY", "IMAGE");
        var b = await SeedAssetAsync("READY", "IMAGE");
        var (playlist, etag) = await CreatePlaylistAsync("Order");
        var set = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items", Items(new PlaylistItemRequest(a), new PlaylistItemRequest(b)), etag);
        var draft = (await set.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!;

        var partial = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/reorder",
            Body(new ReorderPlaylistRequest([draft.Items[0].ItemId]), ContractsJsonContext.Default.ReorderPlaylistRequest), set.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, partial.StatusCode);

        var reordered = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/reorder",
            Body(new ReorderPlaylistRequest([draft.Items[1].ItemId, draft.Items[0].ItemId]), ContractsJsonContext.Default.ReorderPlaylistRequest), set.Headers.ETag!.Tag);
        Assert.Equal([b, a], (await reordered.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.Items.Select(i => i.AssetId));
    }

    [Fact]
    public async Task Viewer_cannot_edit_playlists_and_unknown_ids_are_404()
    {
        var viewer = await Api.CreateUserAsync("viewer@venue.test", Roles.VenueViewer);
        var (playlist, etag) = await CreatePlaylistAsync("Read only");
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Get, $"{Venue}/playlists/{playlist}", viewer.AccessToken)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await Api.SendAsync(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", viewer.AccessToken, ifMatch: etag)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/playlists/pl_unknown")).StatusCode);
    }

    [Fact]
    public async Task Playlist_used_by_the_schedule_or_as_fallback_cannot_be_deleted()
    {
        var group = await CreateGroupAsync("Bar");
        var playlist = await CreatePublishedPlaylistAsync("Busy");
        await AddSlotAsync(new SlotRequest("GROUP", group, playlist, 127, 600, 720));
        var etag = (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/playlists/{playlist}")).Headers.ETag!.Tag;
        var delete = await Api.AsAdmin(HttpMethod.Delete, $"{Venue}/playlists/{playlist}", ifMatch: etag);
        Assert.Equal(HttpStatusCode.Conflict, delete.StatusCode);
        Assert.Equal("PLAYLIST_IN_USE", (await ProblemAsync(delete)).GetProperty("code").GetString());
    }

    // ---- schedule ----

    [Theory]
    [InlineData("GROUP", "{group}", "{playlist}", 0, 0, 60, null, "slot")]
    [InlineData("GROUP", "{group}", "{playlist}", 127, 0, 1440, null, "slot")]
    [InlineData("GROUP", "{group}", "{playlist}", 127, -5, 60, null, "slot")]
    [InlineData("GROUP", "grp_unknown", "{playlist}", 127, 0, 60, null, "targetId")]
    [InlineData("DEVICE", "dev_unknown", "{playlist}", 127, 0, 60, null, "targetId")]
    [InlineData("SCREEN", "{group}", "{playlist}", 127, 0, 60, null, "targetType")]
    [InlineData("GROUP", "{group}", "pl_unknown", 127, 0, 60, null, "playlistId")]
    [InlineData("GROUP", "{group}", "{playlist}", 127, 0, 60, "31/12/2026", "validFromDate")]
    public async Task Invalid_slots_are_422_naming_the_field_and_change_nothing(string type, string target, string playlistId, int mask, int start, int end, string? from, string field)
    {
        var group = await CreateGroupAsync("Bar");
        var playlist = await CreatePublishedPlaylistAsync("P");
        var set = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/scheduleset");
        var request = new SlotRequest(type, target.Replace("{group}", group, StringComparison.Ordinal), playlistId.Replace("{playlist}", playlist, StringComparison.Ordinal),
            mask, start, end, ValidFromDate: from);
        var response = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/scheduleset/slots", Body(request, ContractsJsonContext.Default.SlotRequest), set.Headers.ETag!.Tag);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.True((await ProblemAsync(response)).GetProperty("errors").TryGetProperty(field, out _), field);
        Assert.Equal(set.Headers.ETag.Tag, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/scheduleset")).Headers.ETag!.Tag);
    }

    [Fact]
    public async Task Schedule_publish_needs_published_playlists()
    {
        var group = await CreateGroupAsync("Bar");
        var (draftOnly, _) = await CreatePlaylistAsync("Draft only");
        await AddSlotAsync(new SlotRequest("GROUP", group, draftOnly, 127, 0, 0));
        var etag = (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/scheduleset")).Headers.ETag!.Tag;
        var publish = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/scheduleset/publish", ifMatch: etag);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, publish.StatusCode);
        Assert.Contains("not published", (await ProblemAsync(publish)).GetProperty("errors").GetProperty("slots")[0].GetString());
    }

    [Fact]
    public async Task Resolve_preview_answers_from_the_published_schedule_with_validity_and_a_72_hour_timeline()
    {
        var group = await CreateGroupAsync("Bar");
        var lunch = await CreatePublishedPlaylistAsync("Lunch");
        var fallback = await CreatePublishedPlaylistAsync("All day");
        await SetFallbackAsync(fallback);
        await AddSlotAsync(new SlotRequest("GROUP", group, lunch, 127, 12 * 60, 14 * 60)); // 12:00–14:00 London
        await PublishScheduleAsync();

        // 2026-11-23 is winter: London = UTC.
        var atNoon = await ResolveAsync($"groupId={group}&at=2026-11-23T12:30:00Z");
        Assert.Equal((lunch, "Slot", "2026-11-23T14:00:00.000Z", "Europe/London", 1L), (atNoon.PlaylistId, atNoon.Source, atNoon.ValidToUtc, atNoon.Timezone, atNoon.ScheduleVersion!.Value));
        // Lunch now, then fallback and lunch on each of the next three days; the horizon cuts the last lunch.
        Assert.Equal([lunch, fallback, lunch, fallback, lunch, fallback, lunch], atNoon.Timeline.Select(s => s.PlaylistId));
        Assert.Equal(("2026-11-23T12:30:00.000Z", "2026-11-26T12:30:00.000Z"), (atNoon.Timeline[0].FromUtc, atNoon.Timeline[^1].ToUtc));

        var evening = await ResolveAsync($"groupId={group}&at=2026-11-23T20:00:00Z");
        Assert.Equal((fallback, "VenueFallback"), (evening.PlaylistId, evening.Source));

        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/schedule/resolve?groupId=grp_nope")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/schedule/resolve?groupId={group}&at=yesterday")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/schedule/resolve")).StatusCode);
    }

    [Fact]
    public async Task Draft_slot_changes_do_not_reach_screens_until_published_and_rollback_restores_a_version()
    {
        var group = await CreateGroupAsync("Bar");
        var a = await CreatePublishedPlaylistAsync("A");
        var b = await CreatePublishedPlaylistAsync("B");
        var slot = await AddSlotAsync(new SlotRequest("GROUP", group, a, 127, 0, 0));
        await PublishScheduleAsync();

        var etag = (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/scheduleset")).Headers.ETag!.Tag;
        await Api.AsAdmin(HttpMethod.Put, $"{Venue}/scheduleset/slots/{slot}", Body(new SlotRequest("GROUP", group, b, 127, 0, 0), ContractsJsonContext.Default.SlotRequest), etag);
        Assert.Equal(a, (await ResolveAsync($"groupId={group}")).PlaylistId);

        await PublishScheduleAsync();
        Assert.Equal(b, (await ResolveAsync($"groupId={group}")).PlaylistId);

        etag = (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/scheduleset")).Headers.ETag!.Tag;
        var rollback = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/scheduleset/rollback", Body(new RollbackRequest(1), ContractsJsonContext.Default.RollbackRequest), etag);
        Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        Assert.Equal(3, (await rollback.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ScheduleSetResponse))!.PublishedVersion);
        Assert.Equal(a, (await ResolveAsync($"groupId={group}")).PlaylistId);

        var history = await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/publishes")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponsePublishEventResponse);
        Assert.Equal(("SCHEDULE", "ROLLBACK", 3L), (history!.Items[0].Kind, history.Items[0].Action, history.Items[0].Version));
        Assert.Contains(history.Items, e => e.Kind == "PLAYLIST");
    }

    // ---- helpers ----

    private static JsonContent Items(params PlaylistItemRequest[] items) => Body(new SetPlaylistItemsRequest(items), ContractsJsonContext.Default.SetPlaylistItemsRequest);

    private async Task<string> CreateGroupAsync(string name)
    {
        var response = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/groups", Body(new GroupRequest(name), ContractsJsonContext.Default.GroupRequest));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.GroupResponse))!.GroupId;
    }

    private async Task<(string Id, string ETag)> CreatePlaylistAsync(string name)
    {
        var response = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists", Body(new CreatePlaylistRequest(name), ContractsJsonContext.Default.CreatePlaylistRequest));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return ((await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId, response.Headers.ETag!.Tag);
    }

    private async Task<string> PublishItemsAsync(string playlist, string etag, params string[] assets)
    {
        var set = await Api.AsAdmin(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items", Items([.. assets.Select(a => new PlaylistItemRequest(a))]), etag);
        var published = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: set.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        return published.Headers.ETag!.Tag;
    }

    private async Task<string> CreatePublishedPlaylistAsync(string name)
    {
        var (playlist, etag) = await CreatePlaylistAsync(name);
        await PublishItemsAsync(playlist, etag, await SeedAssetAsync("READY", "IMAGE"));
        return playlist;
    }

    private async Task<string> AddSlotAsync(SlotRequest slot)
    {
        var etag = (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/scheduleset")).Headers.ETag!.Tag;
        var response = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/scheduleset/slots", Body(slot, ContractsJsonContext.Default.SlotRequest), etag);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ScheduleSetResponse))!.Slots.OrderBy(s => s.UpdatedAtUtc).Last().SlotId;
    }

    private async Task PublishScheduleAsync()
    {
        var etag = (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/scheduleset")).Headers.ETag!.Tag;
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Post, $"{Venue}/scheduleset/publish", ifMatch: etag)).StatusCode);
    }

    private async Task SetFallbackAsync(string playlist)
    {
        var venue = await Api.AsAdmin(HttpMethod.Get, Venue);
        var current = (await venue.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        var update = await Api.AsAdmin(HttpMethod.Put, Venue, Body(new UpdateVenueRequest(current.Name, current.Timezone, current.OpeningHours, playlist),
            ContractsJsonContext.Default.UpdateVenueRequest), venue.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
    }

    private async Task<ResolveResponse> ResolveAsync(string query)
    {
        var response = await Api.AsAdmin(HttpMethod.Get, $"{Venue}/schedule/resolve?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ResolveResponse))!;
    }

    private async Task<List<PlaylistVersionResponse>> VersionsAsync(string playlist) =>
        [.. (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/playlists/{playlist}/versions")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponsePlaylistVersionResponse))!.Items];

    private async Task<long> EpochAsync() =>
        (await (await Api.AsAdmin(HttpMethod.Get, Venue)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!.ManifestEpoch;

    private async Task<IEnumerable<string>> AuditActionsAsync() =>
        (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/audit")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseAuditEntry))!.Items.Select(e => e.Action);

    /// <summary>An asset row as the upload pipeline leaves it, written straight into the database so
    /// these tests are about playlists, not media processing (the asset tests cover that).</summary>
    private async Task<string> SeedAssetAsync(string status, string mediaType, long? durationMs = null)
    {
        var id = $"ast_{Guid.NewGuid():N}";
        await using var connection = new SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO asset (asset_id, tenant_id, venue_id, display_name, file_name, status, media_type, content_type, sha256, size_bytes,
                width, height, duration_ms, created_at_utc, updated_at_utc, ready_at_utc, failed_at_utc, failure_reason, failure_detail)
            VALUES ($id, $tenant, $venue, 'seed', 'seed.bin', $status, $type, 'application/octet-stream', $sha, 1000, 1280, 720, $duration,
                '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z',
                CASE WHEN $status = 'READY' THEN '2026-01-01T00:00:00.000Z' END,
                CASE WHEN $status = 'FAILED' THEN '2026-01-01T00:00:00.000Z' END,
                CASE WHEN $status = 'FAILED' THEN 'INVALID_FORMAT' END,
                CASE WHEN $status = 'FAILED' THEN 'Seeded failure.' END);
            """;
        command.Parameters.AddWithValue("$id", id);
        command.Parameters.AddWithValue("$tenant", Api.TenantId);
        command.Parameters.AddWithValue("$venue", Api.VenueId);
        command.Parameters.AddWithValue("$status", status);
        command.Parameters.AddWithValue("$type", mediaType);
        command.Parameters.AddWithValue("$sha", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(id))));
        command.Parameters.AddWithValue("$duration", (object?)durationMs ?? DBNull.Value);
        await command.ExecuteNonQueryAsync();
        return id;
    }
}
