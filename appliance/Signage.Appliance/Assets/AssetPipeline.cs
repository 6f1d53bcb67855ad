using System.Security.Cryptography;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Media;

namespace Signage.Appliance.Assets;

/// <summary>
/// Processes one completed upload (spec 13): checksum, media validation, thumbnail, then READY, or
/// FAILED with the reason and a sentence for the person who uploaded it. Every status change is one
/// transaction that only applies while the asset is still PROCESSING (the cleanup job may have timed it
/// out, or someone deleted it); the files it made are removed on every path that does not end READY.
/// </summary>
public sealed partial class AssetPipeline(Database database, AssetStorage storage, Thumbnailer thumbnails, IClock clock, ILogger<AssetPipeline> logger)
{
    private const int HashBufferBytes = 1024 * 1024;

    private sealed record Job(string AssetId, string UploadId, long SizeBytes, string? DeclaredSha256);

    private sealed record Verdict(string? Sha256, MediaCheck? Check, string? FailureReason, string? FailureDetail);

    /// <summary>Anything wrong with the file or its processing ends in FAILED. Only a database that cannot be
    /// read at all (the worker tries again) and <see cref="OperationCanceledException"/> when the appliance
    /// stops (the asset stays PROCESSING and is taken up again at the next start) escape.</summary>
    public async Task ProcessAsync(string assetId, CancellationToken cancellationToken)
    {
        var job = await LoadAsync(assetId, cancellationToken);
        if (job is null) return;
        var part = storage.PartPath(job.UploadId);
        string? thumbnail = null;
        try
        {
            var verdict = await JudgeAsync(job, part, cancellationToken);
            if (verdict.FailureReason is not null)
            {
                // Files first: whoever sees FAILED finds nothing left behind.
                AssetStorage.DeleteQuietly(part);
                await FailAsync(job, verdict.FailureReason, verdict.FailureDetail!, verdict.Sha256, verdict.Check?.Info);
                return;
            }
            var sha = verdict.Sha256!;
            var media = verdict.Check!.Info!;
            if (!File.Exists(storage.ThumbnailPath(sha)))
            {
                thumbnail = storage.ThumbnailTempPath(sha, job.AssetId);
                if (!await thumbnails.TryMakeAsync(part, media, thumbnail, cancellationToken)) thumbnail = null;
            }
            await FinishAsync(job, part, sha, media, thumbnail);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            AssetStorage.DeleteQuietly(thumbnail);
            throw;
        }
        catch (Exception e)
        {
            LogUnexpected(logger, e, job.AssetId);
            try
            {
                AssetStorage.DeleteQuietly(part);
                AssetStorage.DeleteQuietly(thumbnail);
                await FailAsync(job, AssetFailureReasons.InternalError, "Processing failed unexpectedly on the appliance. Upload the file again.", null, null);
            }
            catch (Exception again)
            {
                // The cleanup job's processing timeout marks it FAILED later, and sweeps what is left.
                LogUnexpected(logger, again, job.AssetId);
            }
        }
    }

    private async Task<Job?> LoadAsync(string assetId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return connection.QuerySingle("""
            SELECT a.asset_id, u.upload_id, u.size_bytes, u.sha256 FROM asset a
            JOIN asset_upload u ON u.asset_id = a.asset_id AND u.state = $completed
            WHERE a.asset_id = $asset AND a.status = $processing
            ORDER BY u.completed_at_utc DESC LIMIT 1;
            """, null, r => new Job(r.GetString(0), r.GetString(1), r.GetInt64(2), r.NullableString(3)),
            ("$asset", assetId), ("$completed", UploadStates.Completed), ("$processing", AssetStatuses.Processing));
    }

    /// <summary>Hashes the bytes as received (streaming), compares with the declared checksum, then asks
    /// the media inspector, which reads only what it needs and never the whole file into memory.</summary>
    private static async Task<Verdict> JudgeAsync(Job job, string part, CancellationToken cancellationToken)
    {
        if (!File.Exists(part))
            return new Verdict(null, null, AssetFailureReasons.InternalError, "The uploaded file is missing on the appliance. Upload it again.");
        string sha;
        await using (var stream = new FileStream(part, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, HashBufferBytes, FileOptions.SequentialScan))
        {
            if (stream.Length != job.SizeBytes)
            {
                return new Verdict(null, null, AssetFailureReasons.InternalError,
                    $"The appliance holds {stream.Length} bytes of this upload instead of {job.SizeBytes}. Upload the file again.");
            }
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
        }
        if (job.DeclaredSha256 is { } declared && declared != sha)
        {
            return new Verdict(sha, null, AssetFailureReasons.ChecksumMismatch,
                $"The file received has SHA-256 {sha}, but the upload declared {declared}: it was changed or damaged on the way. Upload it again.");
        }
        var check = MediaInspector.Inspect(part);
        return check.Failure is { } failure
            ? new Verdict(sha, check, failure.ToWireName(), check.Detail)
            : new Verdict(sha, check, null, null);
    }

    /// <summary>Moves the bytes into the blob store and marks the asset READY, as one step under the
    /// storage lock (see <see cref="AssetStorage"/>). If the asset stopped being PROCESSING meanwhile,
    /// its files are dropped instead.</summary>
    private async Task FinishAsync(Job job, string part, string sha, MediaInfo media, string? thumbnail)
    {
        using (await storage.LockAsync())
        {
            await using var connection = await database.OpenAsync();
            using var transaction = connection.BeginTransaction();
            var stillProcessing = connection.Scalar<long>("SELECT COUNT(*) FROM asset WHERE asset_id = $asset AND status = $processing;", transaction,
                ("$asset", job.AssetId), ("$processing", AssetStatuses.Processing)) == 1;
            if (!stillProcessing)
            {
                AssetStorage.DeleteQuietly(part);
                AssetStorage.DeleteQuietly(thumbnail);
                return;
            }
            storage.StoreBlob(part, sha);
            storage.PlaceThumbnail(thumbnail, sha);
            var now = Sql.Utc(clock.GetCurrentInstant());
            connection.Execute("""
                UPDATE asset SET status = $ready, media_type = $type, content_type = $contentType, sha256 = $sha,
                    width = $width, height = $height, duration_ms = $duration, ready_at_utc = $now, updated_at_utc = $now
                WHERE asset_id = $asset;
                """, transaction, [("$ready", AssetStatuses.Ready), .. MediaColumns(sha, media), ("$now", now), ("$asset", job.AssetId)]);
            transaction.Commit();
        }
        LogReady(logger, job.AssetId, media.ContentType, sha);
    }

    private async Task FailAsync(Job job, string reason, string detail, string? sha, MediaInfo? media)
    {
        await using var connection = await database.OpenAsync();
        var now = Sql.Utc(clock.GetCurrentInstant());
        connection.Execute("""
            UPDATE asset SET status = $failed, failure_reason = $reason, failure_detail = $detail, failed_at_utc = $now, updated_at_utc = $now,
                sha256 = $sha, media_type = $type, content_type = $contentType, width = $width, height = $height, duration_ms = $duration
            WHERE asset_id = $asset AND status = $processing;
            """, null,
            [("$failed", AssetStatuses.Failed), ("$reason", reason), ("$detail", detail), ("$now", now),
             .. MediaColumns(sha, media), ("$asset", job.AssetId), ("$processing", AssetStatuses.Processing)]);
        LogFailed(logger, job.AssetId, reason, detail);
    }

    private static (string, object?)[] MediaColumns(string? sha, MediaInfo? media) =>
    [
        ("$sha", sha),
        ("$type", media?.Type switch { MediaType.Image => AssetMediaTypes.Image, MediaType.Video => AssetMediaTypes.Video, _ => null }),
        ("$contentType", media?.ContentType),
        ("$width", media?.Width),
        ("$height", media?.Height),
        ("$duration", media?.Duration is { } d ? (long)Math.Round(d.TotalMilliseconds) : null),
    ];

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Asset {AssetId} is READY ({ContentType}, sha256 {Sha256})")]
    private static partial void LogReady(ILogger logger, string assetId, string contentType, string sha256);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Asset {AssetId} FAILED {Reason}: {Detail}")]
    private static partial void LogFailed(ILogger logger, string assetId, string reason, string detail);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Processing asset {AssetId} failed unexpectedly")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string assetId);
}
