using Signage.Contracts;

namespace Signage.Web.Problems;

/// <summary>
/// Optimistic concurrency (spec 27.1): GET returns an ETag; every mutation must send it back in
/// If-Match. Missing → 428; stale → 412 with the current ETag, so the client can reload and retry.
/// </summary>
public static class Concurrency
{
    public static string ETag(string kind, string id, long version) => $"\"{kind}-{id}-{version}\"";

    /// <summary>Null when the request's If-Match names the current version; the problem otherwise.</summary>
    public static IResult? Check(HttpContext http, string currentETag)
    {
        var ifMatch = http.Request.Headers.IfMatch.ToString();
        if (string.IsNullOrWhiteSpace(ifMatch))
        {
            return ProblemResponses.Problem(StatusCodes.Status428PreconditionRequired, ProblemCodes.PreconditionRequired,
                "Send the ETag you last read in an If-Match header, so a change made meanwhile by someone else is not overwritten.",
                new Dictionary<string, object?> { ["currentEtag"] = currentETag });
        }
        if (ifMatch.Split(',').Select(t => t.Trim()).Any(t => t == currentETag || t == "*")) return null;
        return ProblemResponses.Problem(StatusCodes.Status412PreconditionFailed, ProblemCodes.PreconditionFailed,
            "Resource has changed since it was loaded. Reload it, then make your change again.",
            new Dictionary<string, object?> { ["currentEtag"] = currentETag });
    }

    public static void SetETag(HttpContext http, string etag) => http.Response.Headers.ETag = etag;
}
