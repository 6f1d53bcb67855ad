using Microsoft.AspNetCore.Http.Features;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.Appliance.Assets;

/// <summary>
/// Upload sessions (spec 13): create one, PUT the bytes (resumable with Content-Range), read how far
/// it got, complete it. Completing hands the asset to the <see cref="AssetProcessor"/>.
/// </summary>
internal static class UploadEndpoints
{
    /// <summary>The UPLOADING timeout of spec 13.5: a session is usable this long after it is created.</summary>
    public static readonly Duration SessionLifetime = Duration.FromMinutes(60);

    public static void MapUploads(RouteGroupBuilder uploads)
    {
        uploads.MapPost("", Create).RequireVenueRole(VenueRank.Editor);
        uploads.MapGet("/{uploadId}", Status).RequireVenueRole(VenueRank.Viewer);
        uploads.MapPut("/{uploadId}/content", PutContent).RequireVenueRole(VenueRank.Editor);
        uploads.MapPost("/{uploadId}/complete", Complete).RequireVenueRole(VenueRank.Editor);
    }

    private static async Task<IResult> Create(string venueId, CreateUploadRequest request, HttpContext http, Database database, Caller caller,
        RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, RateLimit.UploadSessionsPerTenant, caller.TenantId) is { } refused) return refused;
        if (request.SizeBytes > UploadRules.MaxUploadBytes)
        {
            return ProblemResponses.Problem(StatusCodes.Status413PayloadTooLarge, AssetProblemCodes.FileSizeExceeded,
                $"The file is {UploadStore.Describe(request.SizeBytes)} bytes; the largest asset is {UploadStore.Describe(UploadRules.MaxUploadBytes)} bytes (1 GiB).",
                new Dictionary<string, object?> { ["maxSizeBytes"] = UploadRules.MaxUploadBytes });
        }
        var errors = UploadRules.Validate(request);
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        var now = clock.GetCurrentInstant();
        var assetId = Ids.New("ast");
        var uploadId = Ids.New("upl");
        var expires = now + SessionLifetime;
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        connection.Execute("""
            INSERT INTO asset (asset_id, tenant_id, venue_id, display_name, file_name, status, size_bytes, created_by_user_id, created_at_utc, updated_at_utc)
            VALUES ($asset, $tenant, $venue, $display, $file, $uploading, $size, $user, $now, $now);
            """, transaction,
            ("$asset", assetId), ("$tenant", caller.TenantId), ("$venue", venueId), ("$display", request.DisplayName?.Trim() ?? request.FileName),
            ("$file", request.FileName), ("$uploading", AssetStatuses.Uploading), ("$size", request.SizeBytes), ("$user", caller.UserId), ("$now", Sql.Utc(now)));
        connection.Execute("""
            INSERT INTO asset_upload (upload_id, asset_id, size_bytes, sha256, state, created_at_utc, expires_at_utc)
            VALUES ($upload, $asset, $size, $sha, $open, $now, $expires);
            """, transaction,
            ("$upload", uploadId), ("$asset", assetId), ("$size", request.SizeBytes), ("$sha", request.Sha256?.ToLowerInvariant()),
            ("$open", UploadStates.Open), ("$now", Sql.Utc(now)), ("$expires", Sql.Utc(expires)));
        transaction.Commit();
        return TypedResults.Created(UploadStore.StatusUrl(venueId, uploadId),
            new UploadSessionResponse(uploadId, assetId, UploadStore.ContentUrl(venueId, uploadId), Sql.Utc(expires)));
    }

    private static async Task<IResult> Status(string venueId, string uploadId, Database database, IClock clock, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return UploadStore.Load(connection, null, venueId, uploadId) is { } upload
            ? TypedResults.Ok(upload.ToResponse(clock.GetCurrentInstant()))
            : Authentication.NotFound("upload");
    }

    /// <summary>
    /// Appends the body to the upload. Without Content-Range the body is the whole file from byte 0
    /// (a fresh start). With <c>Content-Range: bytes start-end/total</c>, start must be the bytes already
    /// received and total the declared size. A dropped connection keeps what arrived; a body longer than
    /// allowed is 413 and none of it is kept.
    /// </summary>
    private static async Task<IResult> PutContent(string venueId, string uploadId, HttpContext http, Database database, AssetStorage storage,
        UploadGate gate, IClock clock)
    {
        using var claim = gate.TryEnter(uploadId);
        if (claim is null) return InProgress();
        UploadRow? upload;
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            upload = UploadStore.Load(connection, null, venueId, uploadId);
        }
        if (upload is null) return Authentication.NotFound("upload");
        if (NotOpen(upload, clock.GetCurrentInstant()) is { } closed) return closed;

        var (start, end) = (0L, upload.SizeBytes - 1);
        var header = http.Request.Headers.ContentRange.ToString();
        if (header.Length > 0)
        {
            if (!ContentRange.TryParse(header, out var range))
                return InvalidRange($"Content-Range '{header}' is not of the form 'bytes <first>-<last>/<total>'.");
            if (range.Total != upload.SizeBytes)
                return InvalidRange($"Content-Range gives a total of {range.Total} bytes, but the upload was declared as {upload.SizeBytes} bytes.");
            if (range.Start != upload.ReceivedBytes)
            {
                return ProblemResponses.Problem(StatusCodes.Status409Conflict, AssetProblemCodes.UploadOffsetMismatch,
                    $"This upload has {upload.ReceivedBytes} bytes; send the rest starting at byte {upload.ReceivedBytes}, not {range.Start}.",
                    Progress(upload.ReceivedBytes, upload.SizeBytes));
            }
            if (http.Request.ContentLength is { } bodyLength && bodyLength != range.Length)
                return InvalidRange($"Content-Range covers {range.Length} bytes but the body is {bodyLength} bytes.");
            (start, end) = (range.Start, range.End);
        }

        var part = storage.PartPath(upload.UploadId);
        if (start < upload.ReceivedBytes)
        {
            // Starting over: forget the old length durably before the bytes behind it are cut off.
            if (!await RecordAsync(database, upload.UploadId, start)) return Gone(part);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
            bodyLimit.MaxRequestBodySize = end + 1 - start;

        var (outcome, length) = await PartFile.AppendAsync(http.Request.Body, part, start,
            received => Record(database, upload.UploadId, received));
        switch (outcome)
        {
            case AppendOutcome.SessionGone:
                return Gone(part);
            case AppendOutcome.TooLarge:
                if (!await RecordAsync(database, upload.UploadId, start)) return Gone(part);
                if (start == 0) AssetStorage.DeleteQuietly(part);
                else TruncateQuietly(part, start);
                return ProblemResponses.Problem(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge,
                    $"The body is longer than the {end + 1 - start} bytes this request may carry (the upload was declared as {upload.SizeBytes} bytes); nothing of it was kept.",
                    Progress(start, upload.SizeBytes));
            case AppendOutcome.Disconnected:
                // Usually nobody is listening any more; the bytes that arrived are recorded either way.
                return ProblemResponses.Problem(StatusCodes.Status400BadRequest, ProblemCodes.BadRequest,
                    $"The body ended before the bytes it announced had arrived. The first {length} bytes are kept; resume from byte {length}.",
                    Progress(length, upload.SizeBytes));
            default:
                return TypedResults.Ok((upload with { ReceivedBytes = length }).ToResponse(clock.GetCurrentInstant()));
        }
    }

    private static async Task<IResult> Complete(string venueId, string uploadId, HttpContext http, Database database, AssetProcessingSignal signal,
        UploadGate gate, IClock clock)
    {
        using var claim = gate.TryEnter(uploadId);
        if (claim is null) return InProgress();
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var upload = UploadStore.Load(connection, transaction, venueId, uploadId);
        if (upload is null) return Authentication.NotFound("upload");
        if (upload.State == UploadStates.Completed)
        {
            // A retried complete (the first answer was lost) gets the same answer, not an error.
            return TypedResults.Accepted(AssetStore.Url(venueId, upload.AssetId), AssetStore.Load(connection, transaction, venueId, upload.AssetId)!);
        }
        if (upload.IsExpired(now)) return Expired();
        if (upload.ReceivedBytes != upload.SizeBytes)
        {
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, AssetProblemCodes.UploadIncomplete,
                $"Only {upload.ReceivedBytes} of {upload.SizeBytes} bytes have arrived; send the rest starting at byte {upload.ReceivedBytes}, then complete.",
                Progress(upload.ReceivedBytes, upload.SizeBytes));
        }
        connection.Execute("UPDATE asset_upload SET state = $completed, completed_at_utc = $now WHERE upload_id = $upload;", transaction,
            ("$completed", UploadStates.Completed), ("$now", Sql.Utc(now)), ("$upload", upload.UploadId));
        connection.Execute("""
            UPDATE asset SET status = $processing, processing_started_at_utc = $now, updated_at_utc = $now
            WHERE asset_id = $asset AND status = $uploading;
            """, transaction,
            ("$processing", AssetStatuses.Processing), ("$now", Sql.Utc(now)), ("$asset", upload.AssetId), ("$uploading", AssetStatuses.Uploading));
        var asset = AssetStore.Load(connection, transaction, venueId, upload.AssetId);
        transaction.Commit();
        signal.Wake();
        return TypedResults.Accepted(AssetStore.Url(venueId, upload.AssetId), asset!);
    }

    private static IResult? NotOpen(UploadRow upload, Instant now)
    {
        if (upload.State == UploadStates.Completed)
        {
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, AssetProblemCodes.UploadCompleted,
                "This upload is already complete; to change the file, start a new upload.");
        }
        return upload.IsExpired(now) ? Expired() : null;
    }

    private static IResult Expired() => ProblemResponses.Problem(StatusCodes.Status409Conflict, AssetProblemCodes.UploadExpired,
        $"This upload session expired ({SessionLifetime.TotalMinutes:0} minutes after it was started); start a new upload.");

    private static IResult InProgress() => ProblemResponses.Problem(StatusCodes.Status409Conflict, AssetProblemCodes.UploadInProgress,
        "Another request is sending or completing this upload right now; wait for it to finish, then check the upload's progress.");

    private static IResult InvalidRange(string detail) =>
        ProblemResponses.Problem(StatusCodes.Status400BadRequest, AssetProblemCodes.InvalidContentRange, detail);

    private static IResult Gone(string part)
    {
        AssetStorage.DeleteQuietly(part);
        return ProblemResponses.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound,
            "This upload session ended while the bytes were arriving (its asset was deleted or the session expired); start a new upload.");
    }

    private static Dictionary<string, object?> Progress(long received, long size) => new() { ["receivedBytes"] = received, ["sizeBytes"] = size };

    private static bool Record(Database database, string uploadId, long received)
    {
        using var connection = database.Open();
        return UploadStore.RecordReceived(connection, uploadId, received);
    }

    private static async Task<bool> RecordAsync(Database database, string uploadId, long received)
    {
        await using var connection = await database.OpenAsync(CancellationToken.None);
        return UploadStore.RecordReceived(connection, uploadId, received);
    }

    private static void TruncateQuietly(string path, long length)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
            file.SetLength(length);
        }
        catch (FileNotFoundException)
        {
        }
    }
}
