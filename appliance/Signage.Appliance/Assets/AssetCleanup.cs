using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Contracts;

namespace Signage.Appliance.Assets;

/// <summary>What one cleanup pass did.</summary>
public sealed record CleanupReport(int UploadsTimedOut, int ProcessingTimedOut, int FailedPurged, int FilesDeleted)
{
    public bool DidAnything => UploadsTimedOut + ProcessingTimedOut + FailedPurged + FilesDeleted > 0;
}

/// <summary>
/// The timeout and cleanup rules of spec 13.5, as one pass (run hourly by <see cref="AssetCleanupService"/>):
/// <list type="bullet">
/// <item>UPLOADING for 60 minutes → FAILED PROCESSING_TIMEOUT; the session and its part file are deleted
/// (an expired session is never resumed).</item>
/// <item>PROCESSING for 10 minutes → FAILED PROCESSING_TIMEOUT; the part file is deleted.</item>
/// <item>FAILED for 30 days → the asset is hard-deleted with its files.</item>
/// <item>Files nothing refers to (left by a crash between a file operation and its commit) are deleted.</item>
/// </list>
/// </summary>
public sealed partial class AssetCleanup(Database database, AssetStorage storage, IClock clock, ILogger<AssetCleanup> logger)
{
    public static readonly Duration UploadTimeout = UploadEndpoints.SessionLifetime;
    public static readonly Duration ProcessingTimeout = Duration.FromMinutes(10);
    public static readonly Duration FailedRetention = Duration.FromDays(30);

    public async Task<CleanupReport> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        // Under the storage lock: deleting content must not race an asset becoming READY with it.
        using (await storage.LockAsync(cancellationToken))
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            var doomedParts = new List<string>();
            var releasedContent = new List<string>();
            int uploads, processing, purged;
            using (var transaction = connection.BeginTransaction())
            {
                uploads = TimeOutUploads(connection, transaction, now, doomedParts);
                processing = TimeOutProcessing(connection, transaction, now, doomedParts);
                purged = PurgeFailed(connection, transaction, now, doomedParts, releasedContent);
                transaction.Commit();
            }
            var files = doomedParts.Count(id => DeleteIfPresent(storage.PartPath(id)));
            foreach (var sha in releasedContent.Distinct().Where(sha => !AssetRules.ContentIsReferenced(connection, null, sha)))
                files += Convert.ToInt32(DeleteIfPresent(storage.BlobPath(sha))) + Convert.ToInt32(DeleteIfPresent(storage.ThumbnailPath(sha)));
            files += SweepOrphans(connection);

            var report = new CleanupReport(uploads, processing, purged, files);
            if (report.DidAnything) LogReport(logger, uploads, processing, purged, files);
            return report;
        }
    }

    private static int TimeOutUploads(SqliteConnection connection, SqliteTransaction transaction, Instant now, List<string> doomedParts)
    {
        var cutoff = Sql.Utc(now - UploadTimeout);
        doomedParts.AddRange(connection.Query("""
            SELECT u.upload_id FROM asset_upload u JOIN asset a ON a.asset_id = u.asset_id
            WHERE u.state = $open AND (u.expires_at_utc <= $now OR (a.status = $uploading AND a.created_at_utc <= $cutoff));
            """, transaction, r => r.GetString(0),
            ("$open", UploadStates.Open), ("$now", Sql.Utc(now)), ("$uploading", AssetStatuses.Uploading), ("$cutoff", cutoff)));
        var failed = Fail(connection, transaction, now, AssetStatuses.Uploading, "created_at_utc", cutoff,
            $"The upload was not completed within {UploadTimeout.TotalMinutes:0} minutes. Start a new upload.");
        connection.Execute("""
            DELETE FROM asset_upload WHERE state = $open
              AND (expires_at_utc <= $now OR asset_id IN (SELECT asset_id FROM asset WHERE status <> $uploading));
            """, transaction, ("$open", UploadStates.Open), ("$now", Sql.Utc(now)), ("$uploading", AssetStatuses.Uploading));
        return failed;
    }

    private static int TimeOutProcessing(SqliteConnection connection, SqliteTransaction transaction, Instant now, List<string> doomedParts)
    {
        var cutoff = Sql.Utc(now - ProcessingTimeout);
        doomedParts.AddRange(connection.Query("""
            SELECT u.upload_id FROM asset_upload u JOIN asset a ON a.asset_id = u.asset_id
            WHERE a.status = $processing AND a.processing_started_at_utc <= $cutoff;
            """, transaction, r => r.GetString(0), ("$processing", AssetStatuses.Processing), ("$cutoff", cutoff)));
        return Fail(connection, transaction, now, AssetStatuses.Processing, "processing_started_at_utc", cutoff,
            $"Processing did not finish within {ProcessingTimeout.TotalMinutes:0} minutes. Upload the file again.");
    }

    private static int PurgeFailed(SqliteConnection connection, SqliteTransaction transaction, Instant now, List<string> doomedParts, List<string> releasedContent)
    {
        var cutoff = Sql.Utc(now - FailedRetention);
        var old = connection.Query("SELECT asset_id, sha256 FROM asset WHERE status = $failed AND failed_at_utc <= $cutoff;", transaction,
            r => (AssetId: r.GetString(0), Sha256: r.NullableString(1)), ("$failed", AssetStatuses.Failed), ("$cutoff", cutoff));
        foreach (var (assetId, sha) in old)
        {
            doomedParts.AddRange(AssetStore.UploadIds(connection, transaction, assetId));
            if (sha is not null) releasedContent.Add(sha);
            connection.Execute("DELETE FROM asset WHERE asset_id = $asset;", transaction, ("$asset", assetId)); // sessions cascade
        }
        return old.Count;
    }

    private static int Fail(SqliteConnection connection, SqliteTransaction transaction, Instant now, string status, string sinceColumn, string cutoff, string detail) =>
        connection.Execute($"""
            UPDATE asset SET status = $failed, failure_reason = $reason, failure_detail = $detail, failed_at_utc = $now, updated_at_utc = $now
            WHERE status = $status AND {sinceColumn} <= $cutoff;
            """, transaction,
            ("$failed", AssetStatuses.Failed), ("$reason", AssetFailureReasons.ProcessingTimeout), ("$detail", detail),
            ("$now", Sql.Utc(now)), ("$status", status), ("$cutoff", cutoff));

    /// <summary>Deletes part files of no live upload, thumbnail temporaries of no asset in processing, and
    /// blobs and thumbnails of content nothing references. Files are listed before the database is asked, so
    /// a file created meanwhile (by a PUT for a new session) is never mistaken for an orphan.</summary>
    private int SweepOrphans(SqliteConnection connection)
    {
        var parts = Directory.EnumerateFiles(storage.UploadsDirectory, "*" + AssetStorage.PartExtension).ToList();
        var temps = Directory.EnumerateFiles(storage.ThumbnailsDirectory, "*" + AssetStorage.TempExtension).ToList();
        var thumbnailFiles = Directory.EnumerateFiles(storage.ThumbnailsDirectory, "*.jpg").ToList();
        var blobs = Directory.EnumerateFiles(storage.BlobsDirectory, "*", SearchOption.AllDirectories).ToList();

        var liveUploads = connection.Query("""
            SELECT u.upload_id FROM asset_upload u JOIN asset a ON a.asset_id = u.asset_id
            WHERE u.state = $open OR a.status = $processing;
            """, null, r => r.GetString(0), ("$open", UploadStates.Open), ("$processing", AssetStatuses.Processing)).ToHashSet(StringComparer.Ordinal);
        var processing = connection.Query("SELECT asset_id FROM asset WHERE status = $processing;", null, r => r.GetString(0),
            ("$processing", AssetStatuses.Processing)).ToHashSet(StringComparer.Ordinal);
        var referenced = AssetRules.ReferencedContent(connection, null);

        var deleted = 0;
        deleted += parts.Count(p => !liveUploads.Contains(Path.GetFileNameWithoutExtension(p)) && DeleteIfPresent(p));
        // <sha256>.<assetId>.tmp
        deleted += temps.Count(t => !processing.Contains(Path.GetExtension(Path.GetFileNameWithoutExtension(t)).TrimStart('.')) && DeleteIfPresent(t));
        deleted += thumbnailFiles.Count(t => !referenced.Contains(Path.GetFileNameWithoutExtension(t)) && DeleteIfPresent(t));
        deleted += blobs.Count(b => AssetStorage.IsSha256(Path.GetFileName(b)) && !referenced.Contains(Path.GetFileName(b)) && DeleteIfPresent(b));
        return deleted;
    }

    private static bool DeleteIfPresent(string path)
    {
        if (!File.Exists(path)) return false;
        AssetStorage.DeleteQuietly(path);
        return true;
    }

    [LoggerMessage(EventId = 3020, Level = LogLevel.Information,
        Message = "Asset cleanup: {Uploads} uploads and {Processing} processing timed out, {Purged} failed assets purged, {Files} files deleted")]
    private static partial void LogReport(ILogger logger, int uploads, int processing, int purged, int files);
}

/// <summary>Runs <see cref="AssetCleanup"/> at start and then every hour (spec 13.5 recommends hourly).</summary>
public sealed partial class AssetCleanupService(AssetCleanup cleanup, ILogger<AssetCleanupService> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        using var timer = new PeriodicTimer(Interval);
        do
        {
            try
            {
                await cleanup.RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogFailed(logger, e); // try again next hour; never take the appliance down
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 3021, Level = LogLevel.Error, Message = "Asset cleanup failed; it runs again in an hour")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
