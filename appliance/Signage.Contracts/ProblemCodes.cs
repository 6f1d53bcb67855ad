namespace Signage.Contracts;

/// <summary>
/// The machine-readable <c>code</c> of every problem+json error (spec 27.2). Clients branch on
/// these, so a code, once shipped, never changes meaning.
/// </summary>
public static class ProblemCodes
{
    public const string BadRequest = "BAD_REQUEST";
    public const string MalformedJson = "MALFORMED_JSON";
    public const string ValidationFailed = "VALIDATION_FAILED";
    public const string Unauthorized = "UNAUTHORIZED";
    public const string Forbidden = "FORBIDDEN";
    public const string NotFound = "NOT_FOUND";
    public const string MethodNotAllowed = "METHOD_NOT_ALLOWED";
    public const string Conflict = "CONFLICT";
    public const string PreconditionFailed = "PRECONDITION_FAILED";
    public const string PayloadTooLarge = "PAYLOAD_TOO_LARGE";
    public const string UnsupportedMediaType = "UNSUPPORTED_MEDIA_TYPE";
    public const string PreconditionRequired = "PRECONDITION_REQUIRED";
    public const string RateLimited = "RATE_LIMITED";
    public const string InternalError = "INTERNAL_ERROR";
    public const string ServiceUnavailable = "SERVICE_UNAVAILABLE";
    public const string DatabaseUnavailable = "DATABASE_UNAVAILABLE";
    public const string InvalidRange = "INVALID_RANGE";
    public const string RangeNotSatisfiable = "RANGE_NOT_SATISFIABLE";
    public const string StorageFull = "STORAGE_FULL";
    public const string EmailTaken = "EMAIL_TAKEN";

    /// <summary>The code for a status when the endpoint did not name a more precise one.</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => BadRequest,
        401 => Unauthorized,
        403 => Forbidden,
        404 => NotFound,
        405 => MethodNotAllowed,
        409 => Conflict,
        412 => PreconditionFailed,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        422 => ValidationFailed,
        428 => PreconditionRequired,
        429 => RateLimited,
        503 => ServiceUnavailable,
        507 => StorageFull,
        >= 500 => InternalError,
        _ => BadRequest,
    };

    /// <summary>The problem <c>type</c> URI for a code.</summary>
    public static string TypeUri(string code) => $"urn:signage:error:{code}";
}
