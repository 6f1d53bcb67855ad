namespace Signage.Contracts;

// The venue media library (spec 13, 26.6, 27.6): upload sessions, resumable content, assets.

/// <summary>Asset lifecycle (spec 13.1). Persisted and on the wire.</summary>
public static class AssetStatuses
{
    public const string Uploading = "UPLOADING";
    public const string Processing = "PROCESSING";
    public const string Ready = "READY";
    public const string Failed = "FAILED";

    public static readonly string[] All = [Uploading, Processing, Ready, Failed];
}

/// <summary>What kind of media an asset is (spec 27.1 <c>?type=</c>).</summary>
public static class AssetMediaTypes
{
    public const string Image = "IMAGE";
    public const string Video = "VIDEO";

    public static readonly string[] All = [Image, Video];
}

/// <summary>The reasons of spec 13.2 that the processing pipeline itself decides; the media
/// reasons (INVALID_FORMAT … FILE_CORRUPT) come from the media inspector by the same names.</summary>
public static class AssetFailureReasons
{
    public const string ChecksumMismatch = "CHECKSUM_MISMATCH";
    public const string ProcessingTimeout = "PROCESSING_TIMEOUT";
    public const string InternalError = "INTERNAL_ERROR";
}

/// <summary>Upload-session states. EXPIRED is reported for an OPEN session past its expiry until
/// the cleanup job removes it.</summary>
public static class UploadStates
{
    public const string Open = "OPEN";
    public const string Completed = "COMPLETED";
    public const string Expired = "EXPIRED";
}

/// <summary>Problem codes of the asset endpoints, beside the general <see cref="ProblemCodes"/>.</summary>
public static class AssetProblemCodes
{
    public const string FileSizeExceeded = "FILE_SIZE_EXCEEDED";
    public const string InvalidContentRange = "INVALID_CONTENT_RANGE";
    public const string UploadOffsetMismatch = "UPLOAD_OFFSET_MISMATCH";
    public const string UploadIncomplete = "UPLOAD_INCOMPLETE";
    public const string UploadExpired = "UPLOAD_EXPIRED";
    public const string UploadCompleted = "UPLOAD_COMPLETED";
    public const string UploadInProgress = "UPLOAD_IN_PROGRESS";
    public const string AssetInUse = "ASSET_IN_USE";
}

/// <summary>POST /v1/venues/{venueId}/assets/uploads. <paramref name="Sha256"/> (64 hex digits), when
/// given, is checked against the bytes received; <paramref name="DisplayName"/> defaults to the file name.</summary>
public sealed record CreateUploadRequest(string FileName, long SizeBytes, string? Sha256 = null, string? DisplayName = null);

/// <summary>201 from POST …/assets/uploads: where to PUT the bytes, and until when.</summary>
public sealed record UploadSessionResponse(string UploadId, string AssetId, string UploadUrl, string ExpiresAtUtc);

/// <summary>GET …/assets/uploads/{uploadId}, and the answer to every PUT of content: how far the
/// upload got, so a client can resume with <c>Content-Range: bytes {receivedBytes}-…</c>.</summary>
public sealed record UploadStatusResponse(string UploadId, string AssetId, long SizeBytes, long ReceivedBytes, string ExpiresAtUtc, string State);

/// <summary>One asset (spec 13.2 and 26.6). Media fields are null until the bytes have been read;
/// failure fields are set only when <see cref="Status"/> is FAILED.</summary>
public sealed record AssetResponse(
    string AssetId,
    string VenueId,
    string Status,
    string DisplayName,
    string FileName,
    string? MediaType,
    string? ContentType,
    string? Sha256,
    long SizeBytes,
    int? Width,
    int? Height,
    long? DurationMs,
    string? FailureReason,
    string? FailureDetail,
    string? FailedAtUtc,
    string CreatedAtUtc,
    string UpdatedAtUtc,
    string? ReadyAtUtc,
    string? ThumbnailUrl);
