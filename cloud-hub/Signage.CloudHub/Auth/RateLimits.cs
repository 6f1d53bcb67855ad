using System.Collections.Concurrent;
using NodaTime;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.CloudHub.Auth;

public sealed record RateLimit(string Name, int Permits, Duration Window)
{
    public static readonly RateLimit LoginPerIp = new("login-ip", 20, Duration.FromMinutes(1));
    public static readonly RateLimit LoginPerAccount = new("login-account", 10, Duration.FromMinutes(1));
    /// <summary>Enrollment codes are short enough to type; guessing one must be slow.</summary>
    public static readonly RateLimit RedeemPerIp = new("redeem-ip", 10, Duration.FromMinutes(1));
}

/// <summary>
/// Fixed-window counters per (limit, key), in this replica's memory: with N replicas an attacker gets
/// at most N times the permits, which still keeps guessing hopeless. Refusals are 429 with Retry-After.
/// </summary>
public sealed class RateLimiter(IClock clock)
{
    private readonly ConcurrentDictionary<(string, string), (Instant WindowStart, int Count)> _windows = new();

    public IResult? Enforce(HttpContext http, RateLimit limit, string key)
    {
        var now = clock.GetCurrentInstant();
        if (_windows.Count > 100_000) _windows.Clear();
        var window = _windows.AddOrUpdate((limit.Name, key), _ => (now, 1),
            (_, w) => now - w.WindowStart >= limit.Window ? (now, 1) : (w.WindowStart, w.Count + 1));
        if (window.Count <= limit.Permits) return null;
        var retryAfter = (int)Math.Ceiling((window.WindowStart + limit.Window - now).TotalSeconds);
        http.Response.Headers.RetryAfter = Math.Max(1, retryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ProblemResponses.Problem(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited, $"Too many attempts; try again in {Math.Max(1, retryAfter)} s.");
    }
}
