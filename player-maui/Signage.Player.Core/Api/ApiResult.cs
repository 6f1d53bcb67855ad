using System.Net;
using System.Text.Json;

namespace Signage.Player.Core.Api;

public enum ApiOutcome
{
    Ok,
    NotModified,
    /// <summary>401: counted towards "token invalid" (spec 28.10).</summary>
    Unauthorized,
    /// <summary>429 or 503: come back after <see cref="ApiResult{T}.RetryAfter"/> when given.</summary>
    Throttled,
    /// <summary>Any other HTTP error status: the appliance is there but said no.</summary>
    HttpError,
    /// <summary>2xx with a body we cannot read.</summary>
    InvalidBody,
    /// <summary>No HTTP answer at all: connection refused, timeout, DNS.</summary>
    Unreachable,
}

/// <summary>One request's outcome, without exceptions for the expected failures of a LAN device.</summary>
/// <param name="Problem">An error's problem+json body (spec 27.2), when it had one.</param>
public sealed record ApiResult<T>(ApiOutcome Outcome, T? Value = default, HttpStatusCode? Status = null, TimeSpan? RetryAfter = null,
    string? Error = null, string? ETag = null, bool WaitApplied = false, bool NeverSent = false, JsonElement? Problem = null)
{
    // NeverSent: the connection was never made, so the appliance cannot have counted the request.
    // WaitApplied: the response carried Preference-Applied: wait=N, i.e. the appliance parked the request
    // (RFC 7240) rather than answering it at once.
    public bool IsOk => Outcome == ApiOutcome.Ok;

    public int? StatusCode => Status is { } s ? (int)s : null;

    /// <summary>The problem's <c>code</c> (spec 27.2), e.g. EVENTS_REJECTED.</summary>
    public string? ProblemCode => Problem is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("code", out var code)
        && code.ValueKind == JsonValueKind.String ? code.GetString() : null;

    public static ApiResult<T> Unreachable(string error) => new(ApiOutcome.Unreachable, Error: error);
}
