using System.Net;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.Media.Tests;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>The worker across settings and restarts: without ffmpeg, and after a crash mid-processing.</summary>
public sealed class AssetProcessingTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string DataDirectory => _temp.Combine("data");

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("none")]
    [InlineData("/nonexistent/bin/ffmpeg")]
    public async Task Without_a_usable_ffmpeg_the_asset_is_ready_and_its_thumbnail_is_the_placeholder(string ffmpeg)
    {
        await using var api = await ApplianceApi.StartAsync(DataDirectory, new Dictionary<string, string> { ["SIGNAGE_FFMPEG"] = ffmpeg });
        var asset = await new AssetClient(api).UploadAsync("poster.jpg", Fixture.Read(Fixture.Jpeg));

        Assert.Equal(AssetStatuses.Ready, asset.Status);
        var thumbnail = await api.AsAdmin(HttpMethod.Get, asset.ThumbnailUrl!);
        Assert.Equal(HttpStatusCode.OK, thumbnail.StatusCode);
        Assert.Equal("image/svg+xml", thumbnail.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<svg", await thumbnail.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-cache", thumbnail.Headers.CacheControl?.ToString());
        var folders = new AssetFolders(DataDirectory);
        Assert.Empty(folders.Files(folders.Thumbnails));
    }

    [Fact]
    public async Task An_asset_left_processing_by_a_crash_is_processed_at_the_next_start()
    {
        var bytes = Fixture.Read(Fixture.H264Aac);
        string assetId;
        await using (var before = await ApplianceApi.StartAsync(DataDirectory))
        {
            var assets = new AssetClient(before);
            var session = await assets.StartOkAsync("clip.mp4", bytes.Length);
            Assert.Equal(HttpStatusCode.OK, (await assets.PutAsync(session.UploadUrl, bytes)).StatusCode);
            assetId = session.AssetId;
            Assert.Equal(0, await before.Process.StopAsync());
        }
        // As if the appliance died right after accepting the complete, before the worker ran.
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "appliance.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = """
                UPDATE asset_upload SET state = 'COMPLETED', completed_at_utc = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
                UPDATE asset SET status = 'PROCESSING', processing_started_at_utc = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');
                """;
            command.ExecuteNonQuery();
        }

        await using var after = await ApplianceApi.StartAsync(DataDirectory);
        var asset = await new AssetClient(after).SettledAsync(assetId);

        Assert.Equal((AssetStatuses.Ready, AssetClient.Sha256(bytes)), (asset.Status, asset.Sha256));
        var folders = new AssetFolders(DataDirectory);
        Assert.Empty(folders.Files(folders.Uploads));
        Assert.True(File.Exists(folders.BlobOf(asset.Sha256!)));
    }
}
