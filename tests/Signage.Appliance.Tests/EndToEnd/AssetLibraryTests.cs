using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.Media.Tests;
using Signage.Media.Tests.Builders;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>The venue library: listing, reading, deleting, storage once per content, roles, isolation.</summary>
public sealed class AssetLibraryTests : ApplianceApiTests
{
    private AssetClient? _assetClient;

    private AssetClient AssetApi => _assetClient ??= new AssetClient(Api);

    private AssetFolders Folders => new(Temp.Combine("data"));

    [Fact]
    public async Task Same_bytes_uploaded_twice_are_stored_once_and_go_with_the_last_asset_that_uses_them()
    {
        var bytes = Fixture.Read(Fixture.Jpeg);
        var first = await AssetApi.UploadAsync("poster.jpg", bytes);
        var second = await AssetApi.UploadAsync("poster-copy.jpg", bytes);

        Assert.Equal((AssetStatuses.Ready, AssetStatuses.Ready), (first.Status, second.Status));
        Assert.Equal(first.Sha256, second.Sha256);
        Assert.Equal([Folders.BlobOf(first.Sha256!)], Folders.Files(Folders.Blobs));
        Assert.Equal([Folders.ThumbnailOf(first.Sha256!)], Folders.Files(Folders.Thumbnails));

        Assert.Equal(HttpStatusCode.NoContent, (await AssetApi.DeleteAsync(first.AssetId)).StatusCode);
        Assert.True(File.Exists(Folders.BlobOf(first.Sha256!)));
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Get, second.ThumbnailUrl!)).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await AssetApi.DeleteAsync(second.AssetId)).StatusCode);
        Assert.Empty(Folders.Files(Folders.Blobs));
        Assert.Empty(Folders.Files(Folders.Thumbnails));
    }

    [Fact]
    public async Task Deleting_an_asset_is_audited_and_it_is_gone()
    {
        var asset = await AssetApi.UploadAsync("poster.jpg", Fixture.Read(Fixture.Jpeg), displayName: "Quiz night");

        Assert.Equal(HttpStatusCode.NoContent, (await AssetApi.DeleteAsync(asset.AssetId)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await AssetApi.GetAsync(asset.AssetId)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AssetApi.DeleteAsync(asset.AssetId)).StatusCode);
        var audit = await (await Api.AsAdmin(HttpMethod.Get, $"/v1/venues/{Api.VenueId}/audit?limit=1")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseAuditEntry);
        var entry = audit!.Items.Single();
        Assert.Equal(("ASSET_DELETED", "asset", asset.AssetId, Api.Admin.User.UserId), (entry.Action, entry.TargetType, entry.TargetId, entry.ActorUserId));
        Assert.Contains("Quiz night", entry.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_an_upload_in_progress_removes_its_part_file()
    {
        var session = await AssetApi.StartOkAsync("poster.jpg", 10_000);
        await AssetApi.PutAsync(session.UploadUrl, new byte[4000], start: 0, total: 10_000);
        Assert.Single(Folders.Files(Folders.Uploads));

        Assert.Equal(HttpStatusCode.NoContent, (await AssetApi.DeleteAsync(session.AssetId)).StatusCode);

        Assert.Empty(Folders.Files(Folders.Uploads));
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"{AssetApi.AssetsPath}/uploads/{session.UploadId}")).StatusCode);
    }

    [Fact]
    public async Task List_is_newest_first_with_a_cursor_and_filters_by_status_type_and_name()
    {
        var jpeg = await AssetApi.UploadAsync("poster.jpg", Fixture.Read(Fixture.Jpeg), displayName: "Quiz night poster");
        var video = await AssetApi.UploadAsync("clip.mp4", Fixture.Read(Fixture.H264Aac), displayName: "Quiz night trailer");
        var png = await AssetApi.UploadAsync("logo.png", Fixture.Read(Fixture.Png), displayName: "Logo 100%");
        var broken = await AssetApi.UploadAsync("broken.jpg", [1, 2, 3], displayName: "Broken");
        var uploading = (await AssetApi.StartOkAsync("later.jpg", 10)).AssetId;

        var page1 = await AssetApi.ListAsync("?limit=2");
        var page2 = await AssetApi.ListAsync($"?limit=2&cursor={page1.NextCursor}");
        var page3 = await AssetApi.ListAsync($"?limit=2&cursor={page2.NextCursor}");
        Assert.Equal([uploading, broken.AssetId, png.AssetId, video.AssetId, jpeg.AssetId],
            page1.Items.Concat(page2.Items).Concat(page3.Items).Select(a => a.AssetId));
        Assert.Null(page3.NextCursor);

        Assert.Equal([png.AssetId, video.AssetId, jpeg.AssetId], (await AssetApi.ListAsync("?status=READY")).Items.Select(a => a.AssetId));
        Assert.Equal([video.AssetId], (await AssetApi.ListAsync("?type=VIDEO")).Items.Select(a => a.AssetId));
        Assert.Equal([video.AssetId, jpeg.AssetId], (await AssetApi.ListAsync("?q=quiz%20NIGHT")).Items.Select(a => a.AssetId));
        Assert.Equal([png.AssetId], (await AssetApi.ListAsync("?q=100%25")).Items.Select(a => a.AssetId)); // % is literal
        Assert.Equal([jpeg.AssetId], (await AssetApi.ListAsync("?status=READY&type=IMAGE&q=poster")).Items.Select(a => a.AssetId));
    }

    [Theory]
    [InlineData("?status=DONE", 422, "status")]
    [InlineData("?type=AUDIO", 422, "type")]
    [InlineData("?cursor=../../etc", 400, null)]
    [InlineData("?limit=many", 400, null)]
    [InlineData("?limit=500", 400, "limit")] // spec 27.1: at most 200
    public async Task Invalid_list_filters_are_422_and_a_foreign_cursor_or_a_limit_over_200_is_400(string query, int status, string? field)
    {
        var response = await Api.AsAdmin(HttpMethod.Get, $"{AssetApi.AssetsPath}{query}");
        Assert.Equal(status, (int)response.StatusCode);
        var problem = await ProblemAsync(response);
        if (field is not null) Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task Viewer_reads_the_library_and_thumbnails_but_may_not_upload_or_delete()
    {
        var asset = await AssetApi.UploadAsync("poster.jpg", Fixture.Read(Fixture.Jpeg));
        var viewer = await Api.CreateUserAsync("viewer@venue.test", Roles.VenueViewer);
        var asViewer = new AssetClient(Api, viewer.AccessToken);

        Assert.Single((await asViewer.ListAsync()).Items);
        Assert.Equal(AssetStatuses.Ready, (await asViewer.AssetAsync(asset.AssetId)).Status);
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Get, asset.ThumbnailUrl!, viewer.AccessToken)).StatusCode);

        var upload = await asViewer.StartAsync("mine.jpg", 100);
        Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
        Assert.Equal("FORBIDDEN", (await ProblemAsync(upload)).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.DeleteAsync(asset.AssetId)).StatusCode);
        var session = await AssetApi.StartOkAsync("admins.jpg", 100);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.PutAsync(session.UploadUrl, new byte[100])).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await asViewer.CompleteAsync(session.UploadId)).StatusCode);

        var editor = await Api.CreateUserAsync("editor@venue.test", Roles.VenueEditor);
        Assert.Equal(HttpStatusCode.NoContent, (await new AssetClient(Api, editor.AccessToken).DeleteAsync(asset.AssetId)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.SendAsync(HttpMethod.Get, AssetApi.AssetsPath, null)).StatusCode);
    }

    [Fact]
    public async Task Another_venues_assets_and_uploads_are_404_through_this_venue()
    {
        var otherVenue = await AddVenueOfThisTenantAsync();
        var otherPath = $"/v1/venues/{otherVenue}/assets";
        var created = await Api.AsAdmin(HttpMethod.Post, $"{otherPath}/uploads",
            JsonContent.Create(new CreateUploadRequest("elsewhere.jpg", 100), ContractsJsonContext.Default.CreateUploadRequest));
        var session = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.UploadSessionResponse))!;

        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Get, $"{otherPath}/{session.AssetId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AssetApi.GetAsync(session.AssetId)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AssetApi.DeleteAsync(session.AssetId)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"{AssetApi.AssetsPath}/{session.AssetId}/thumbnail")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, $"{AssetApi.AssetsPath}/uploads/{session.UploadId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AssetApi.PutAsync($"{AssetApi.AssetsPath}/uploads/{session.UploadId}/content", new byte[100])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AssetApi.CompleteAsync(session.UploadId)).StatusCode);
        Assert.Empty((await AssetApi.ListAsync()).Items);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, "/v1/venues/ven_unknown/assets")).StatusCode);
    }

    [Fact]
    public async Task Unknown_asset_ids_are_404_problems()
    {
        foreach (var (method, path) in new[]
        {
            (HttpMethod.Get, $"{AssetApi.AssetsPath}/ast_00000000000000000000000000000000"),
            (HttpMethod.Delete, $"{AssetApi.AssetsPath}/ast_00000000000000000000000000000000"),
            (HttpMethod.Get, $"{AssetApi.AssetsPath}/ast_00000000000000000000000000000000/thumbnail"),
        })
        {
            var response = await Api.AsAdmin(method, path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Equal("NOT_FOUND", (await ProblemAsync(response)).GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task A_video_ffmpeg_cannot_decode_is_still_ready_with_the_placeholder_thumbnail()
    {
        // Valid structure, but its frames are zeros: the inspector accepts it, ffmpeg cannot draw it.
        var asset = await AssetApi.UploadAsync("synthetic.mp4", Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 2, 2_000) }));

        Assert.Equal(AssetStatuses.Ready, asset.Status);
        var thumbnail = await Api.AsAdmin(HttpMethod.Get, asset.ThumbnailUrl!);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/svg+xml", thumbnail.Content.Headers.ContentType?.MediaType);
        Assert.Empty(Folders.Files(Folders.Thumbnails));
    }

    [Fact]
    public async Task An_asset_not_ready_yet_shows_the_placeholder_thumbnail()
    {
        var session = await AssetApi.StartOkAsync("later.jpg", 10);
        var thumbnail = await Api.AsAdmin(HttpMethod.Get, $"{AssetApi.AssetsPath}/{session.AssetId}/thumbnail");
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/svg+xml", thumbnail.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<svg", await thumbnail.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A second venue of the same tenant, as the hub would sync it down.</summary>
    private async Task<string> AddVenueOfThisTenantAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc)
            VALUES ('ven_second', $tenant, 'The Anchor', 'Europe/London', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
            """;
        command.Parameters.AddWithValue("$tenant", Api.TenantId);
        await command.ExecuteNonQueryAsync();
        return "ven_second";
    }
}
