using Microsoft.Extensions.Logging.Abstractions;
using NodaTime;
using NodaTime.Testing;
using Signage.Appliance.Accounts;
using Signage.Appliance.Assets;
using Signage.Appliance.Data;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests;

/// <summary>The timeout and cleanup rules of spec 13.5, in process on a real SQLite file, with a fake clock.</summary>
public sealed class AssetsCleanupTests : IDisposable
{
    private static readonly Instant Start = Instant.FromUtc(2026, 11, 23, 12, 0);
    private readonly TempDirectory _temp = new();
    private readonly FakeClock _clock = new(Start);
    private readonly Database _database;
    private readonly AssetStorage _storage;
    private readonly AssetCleanup _cleanup;
    private readonly string _tenantId;
    private readonly string _venueId;

    public AssetsCleanupTests()
    {
        _database = new Database(_temp.Combine("appliance.db"));
        Migrator.Migrate(_database);
        _storage = new AssetStorage(_temp.Path);
        _cleanup = new AssetCleanup(_database, _storage, _clock, NullLogger<AssetCleanup>.Instance);
        using var connection = _database.Open();
        using var transaction = connection.BeginTransaction();
        (_tenantId, _venueId) = FirstAdmin.CreateTenantAndVenue(connection, transaction, "Tenant", "Venue", "UTC", Start);
        transaction.Commit();
    }

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_upload_not_completed_within_60_minutes_fails_PROCESSING_TIMEOUT_and_its_session_and_part_file_go()
    {
        var (assetId, uploadId) = Seed(AssetStatuses.Uploading);
        WritePart(uploadId);

        _clock.Advance(Duration.FromMinutes(59));
        Assert.Equal(new CleanupReport(0, 0, 0, 0), await _cleanup.RunOnceAsync(default));
        Assert.Equal(AssetStatuses.Uploading, Status(assetId));
        Assert.True(File.Exists(_storage.PartPath(uploadId)));

        _clock.Advance(Duration.FromMinutes(1));
        var report = await _cleanup.RunOnceAsync(default);

        Assert.Equal((1, 1), (report.UploadsTimedOut, report.FilesDeleted));
        Assert.Equal((AssetStatuses.Failed, AssetFailureReasons.ProcessingTimeout), (Status(assetId), Reason(assetId)));
        Assert.Equal(Sql.Utc(_clock.GetCurrentInstant()), Scalar<string>("SELECT failed_at_utc FROM asset;"));
        Assert.False(File.Exists(_storage.PartPath(uploadId)));
        Assert.Equal(0, Scalar<long>("SELECT COUNT(*) FROM asset_upload;"));
    }

    [Fact]
    public async Task An_unused_session_expires_and_is_deleted()
    {
        var (assetId, _) = Seed(AssetStatuses.Uploading);

        _clock.Advance(Duration.FromMinutes(61));
        await _cleanup.RunOnceAsync(default);

        Assert.Equal(0, Scalar<long>("SELECT COUNT(*) FROM asset_upload;"));
        Assert.Equal(AssetStatuses.Failed, Status(assetId)); // the record stays, for 30 days
    }

    [Fact]
    public async Task Processing_for_10_minutes_fails_PROCESSING_TIMEOUT_and_its_part_file_goes()
    {
        var (assetId, uploadId) = Seed(AssetStatuses.Processing, processingFor: Duration.Zero);
        WritePart(uploadId);

        _clock.Advance(Duration.FromMinutes(9));
        Assert.Equal(0, (await _cleanup.RunOnceAsync(default)).ProcessingTimedOut);
        Assert.True(File.Exists(_storage.PartPath(uploadId)));

        _clock.Advance(Duration.FromMinutes(1));
        Assert.Equal(1, (await _cleanup.RunOnceAsync(default)).ProcessingTimedOut);

        Assert.Equal((AssetStatuses.Failed, AssetFailureReasons.ProcessingTimeout), (Status(assetId), Reason(assetId)));
        Assert.Contains("10 minutes", Scalar<string>("SELECT failure_detail FROM asset;"), StringComparison.Ordinal);
        Assert.False(File.Exists(_storage.PartPath(uploadId)));
    }

    [Fact]
    public async Task Failed_assets_are_kept_30_days_then_deleted_with_their_files()
    {
        var (assetId, uploadId) = Seed(AssetStatuses.Failed);

        _clock.Advance(Duration.FromDays(30) - Duration.FromMinutes(1));
        Assert.Equal(0, (await _cleanup.RunOnceAsync(default)).FailedPurged);
        Assert.Equal(AssetStatuses.Failed, Status(assetId));

        WritePart(uploadId); // as if a crash had left it
        _clock.Advance(Duration.FromMinutes(1));
        var report = await _cleanup.RunOnceAsync(default);

        Assert.Equal((1, 1), (report.FailedPurged, report.FilesDeleted));
        Assert.Equal(0, Scalar<long>("SELECT COUNT(*) FROM asset;"));
        Assert.Equal(0, Scalar<long>("SELECT COUNT(*) FROM asset_upload;"));
        Assert.False(File.Exists(_storage.PartPath(uploadId)));
    }

    [Fact]
    public async Task Ready_assets_and_their_content_are_never_touched()
    {
        var sha = new string('a', 64);
        var (assetId, _) = Seed(AssetStatuses.Ready, sha: sha);
        WriteContent(sha);

        _clock.Advance(Duration.FromDays(400));
        Assert.Equal(new CleanupReport(0, 0, 0, 0), await _cleanup.RunOnceAsync(default));

        Assert.Equal(AssetStatuses.Ready, Status(assetId));
        Assert.True(File.Exists(_storage.BlobPath(sha)) && File.Exists(_storage.ThumbnailPath(sha)));
    }

    [Fact]
    public async Task Files_nothing_refers_to_are_swept_and_files_in_use_are_kept()
    {
        var (_, liveUpload) = Seed(AssetStatuses.Uploading);
        var (processingAsset, processingUpload) = Seed(AssetStatuses.Processing, processingFor: Duration.Zero);
        WritePart(liveUpload);
        WritePart(processingUpload);
        var working = _storage.ThumbnailTempPath(new string('b', 64), processingAsset);
        File.WriteAllText(working, "ffmpeg is writing this");

        var orphanPart = _storage.PartPath("upl_" + new string('0', 32));
        WritePart("upl_" + new string('0', 32));
        var orphanTemp = _storage.ThumbnailTempPath(new string('c', 64), "ast_" + new string('0', 32));
        File.WriteAllText(orphanTemp, "left by a crash");
        var orphanSha = new string('d', 64);
        WriteContent(orphanSha);

        var report = await _cleanup.RunOnceAsync(default);

        Assert.Equal(4, report.FilesDeleted);
        Assert.False(File.Exists(orphanPart) || File.Exists(orphanTemp) || File.Exists(_storage.BlobPath(orphanSha)) || File.Exists(_storage.ThumbnailPath(orphanSha)));
        Assert.True(File.Exists(_storage.PartPath(liveUpload)) && File.Exists(_storage.PartPath(processingUpload)) && File.Exists(working));
    }

    /// <summary>An asset in the given state, created at the current fake time, with one upload session.</summary>
    private (string AssetId, string UploadId) Seed(string status, Duration? processingFor = null, string? sha = null)
    {
        var now = _clock.GetCurrentInstant();
        var assetId = Ids.New("ast");
        var uploadId = Ids.New("upl");
        using var connection = _database.Open();
        connection.Execute("""
            INSERT INTO asset (asset_id, tenant_id, venue_id, display_name, file_name, status, media_type, sha256, size_bytes,
                failure_reason, failure_detail, failed_at_utc, ready_at_utc, processing_started_at_utc, created_at_utc, updated_at_utc)
            VALUES ($asset, $tenant, $venue, 'x', 'x.jpg', $status, CASE WHEN $status = 'READY' THEN 'IMAGE' END, $sha, 100,
                CASE WHEN $status = 'FAILED' THEN 'INVALID_FORMAT' END, CASE WHEN $status = 'FAILED' THEN 'Not a picture.' END,
                CASE WHEN $status = 'FAILED' THEN $now END, CASE WHEN $status = 'READY' THEN $now END, $processing, $now, $now);
            """, null,
            ("$asset", assetId), ("$tenant", _tenantId), ("$venue", _venueId), ("$status", status), ("$sha", sha), ("$now", Sql.Utc(now)),
            ("$processing", processingFor is { } p ? Sql.Utc(now - p) : null));
        connection.Execute("""
            INSERT INTO asset_upload (upload_id, asset_id, size_bytes, state, created_at_utc, expires_at_utc)
            VALUES ($upload, $asset, 100, $state, $now, $expires);
            """, null,
            ("$upload", uploadId), ("$asset", assetId), ("$state", status == AssetStatuses.Uploading ? UploadStates.Open : UploadStates.Completed),
            ("$now", Sql.Utc(now)), ("$expires", Sql.Utc(now + Duration.FromMinutes(60))));
        return (assetId, uploadId);
    }

    private void WritePart(string uploadId) => File.WriteAllBytes(_storage.PartPath(uploadId), new byte[100]);

    private void WriteContent(string sha)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_storage.BlobPath(sha))!);
        File.WriteAllBytes(_storage.BlobPath(sha), [1]);
        File.WriteAllBytes(_storage.ThumbnailPath(sha), [0xFF, 0xD8]);
    }

    private string? Status(string assetId) => Scalar<string>("SELECT status FROM asset WHERE asset_id = $asset;", ("$asset", assetId));

    private string? Reason(string assetId) => Scalar<string>("SELECT failure_reason FROM asset WHERE asset_id = $asset;", ("$asset", assetId));

    private T? Scalar<T>(string sql, params (string, object?)[] parameters)
    {
        using var connection = _database.Open();
        return connection.Scalar<T>(sql, null, parameters);
    }
}
