using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;
using Signage.Appliance.Accounts;
using Signage.Appliance.Assets;
using Signage.Appliance.Data;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.Media;
using Signage.Media.Tests;

namespace Signage.Appliance.Tests;

/// <summary>The processing pipeline in process, on a real SQLite file, without ffmpeg.</summary>
public sealed class AssetsPipelineTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Pipeline_makes_a_valid_upload_ready_and_moves_its_bytes_into_the_blob_store()
    {
        var (pipeline, storage, database, assetId, uploadId) = Arrange(Fixture.Read(Fixture.Png));

        await pipeline.ProcessAsync(assetId, default);

        using var connection = database.Open();
        var row = connection.QuerySingle("SELECT status, media_type, content_type, width, height, sha256 FROM asset;", null,
            r => new { Status = r.GetString(0), Type = r.GetString(1), ContentType = r.GetString(2), Width = r.GetInt32(3), Height = r.GetInt32(4), Sha = r.GetString(5) })!;
        Assert.Equal((AssetStatuses.Ready, AssetMediaTypes.Image, "image/png", 160, 90), (row.Status, row.Type, row.ContentType, row.Width, row.Height));
        Assert.Equal(Fixture.Read(Fixture.Png), File.ReadAllBytes(storage.BlobPath(row.Sha)));
        Assert.False(File.Exists(storage.PartPath(uploadId)));
    }

    [Fact]
    public async Task Pipeline_fails_an_upload_whose_part_file_is_missing_with_INTERNAL_ERROR()
    {
        var (pipeline, storage, database, assetId, uploadId) = Arrange(Fixture.Read(Fixture.Jpeg));
        File.Delete(storage.PartPath(uploadId));

        await pipeline.ProcessAsync(assetId, default);

        using var connection = database.Open();
        Assert.Equal(AssetFailureReasons.InternalError, connection.Scalar<string>("SELECT failure_reason FROM asset;", null));
        Assert.Equal(AssetStatuses.Failed, connection.Scalar<string>("SELECT status FROM asset;", null));
    }

    /// <summary>A migrated database with one completed upload of <paramref name="bytes"/>, PROCESSING, and a
    /// pipeline without ffmpeg.</summary>
    private (AssetPipeline, AssetStorage, Database, string AssetId, string UploadId) Arrange(byte[] bytes)
    {
        var clock = new FakeClock(Instant.FromUtc(2026, 11, 23, 12, 0));
        var database = new Database(_temp.Combine("p.db"));
        Migrator.Migrate(database);
        var storage = new AssetStorage(_temp.Path);
        var pipeline = new AssetPipeline(database, storage, new Thumbnailer(null, NullLogger<Thumbnailer>.Instance), clock, NullLogger<AssetPipeline>.Instance);
        var assetId = Ids.New("ast");
        var uploadId = Ids.New("upl");
        var now = Sql.Utc(clock.GetCurrentInstant());
        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        var (tenantId, venueId) = FirstAdmin.CreateTenantAndVenue(connection, transaction, "Tenant", "Venue", "UTC", clock.GetCurrentInstant());
        connection.Execute("""
            INSERT INTO asset (asset_id, tenant_id, venue_id, display_name, file_name, status, size_bytes, processing_started_at_utc, created_at_utc, updated_at_utc)
            VALUES ($asset, $tenant, $venue, 'x', 'x', 'PROCESSING', $size, $now, $now, $now);
            INSERT INTO asset_upload (upload_id, asset_id, size_bytes, received_bytes, state, created_at_utc, expires_at_utc, completed_at_utc)
            VALUES ($upload, $asset, $size, $size, 'COMPLETED', $now, $now, $now);
            """, transaction,
            ("$asset", assetId), ("$tenant", tenantId), ("$venue", venueId), ("$size", bytes.Length), ("$now", now), ("$upload", uploadId));
        transaction.Commit();
        File.WriteAllBytes(storage.PartPath(uploadId), bytes);
        return (pipeline, storage, database, assetId, uploadId);
    }
}
