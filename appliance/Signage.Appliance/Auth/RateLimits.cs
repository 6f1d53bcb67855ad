using System.Collections.Concurrent;
using System.Globalization;
using NodaTime;
using Signage.Appliance.Problems;
using Signage.Contracts;

namespace Signage.Appliance.Auth;

/// <summary>The spec's limits (27.1) that this appliance enforces, by name.</summary>
public sealed record RateLimit(string Name, int Limit, Duration Window)
{
    public static readonly RateLimit LoginPerIp = new("login-ip", 10, Duration.FromMinutes(1));
    public static readonly RateLimit LoginPerAccount = new("login-account", 5, Duration.FromMinutes(1));
    public static readonly RateLimit RefreshPerUser = new("refresh-user", 30, Duration.FromHours(1));
}

public readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, Instant ResetAt);

/// <summary>
/// Fixed-window counters in memory, keyed by limit and subject (an IP, an account, a device).
/// In memory is right for one appliance: a restart forgets counts, which only ever lets a client
/// through early. Time comes from the injected clock so tests can move it.
/// </summary>
public sealed class RateLimiter(IClock clock)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);

    public RateDecision Take(RateLimit limit, string subject)
    {
        var now = clock.GetCurrentInstant();
        if (_windows.Count > 50_000) Prune(now);
        var window = _windows.GetOrAdd($"{limit.Name}:{subject}", _ => new Window());
        lock (window)
        {
            if (now >= window.ResetAt)
            {
                window.ResetAt = now + limit.Window;
                window.Count = 0;
            }
            var allowed = window.Count < limit.Limit;
            if (allowed) window.Count++;
            return new RateDecision(allowed, limit.Limit, limit.Limit - window.Count, window.ResetAt);
        }
    }

    /// <summary>Adds X-RateLimit-* headers; when refused, the 429 problem with Retry-After.</summary>
    public IResult? Enforce(HttpContext http, RateLimit limit, string subject)
    {
        var decision = Take(limit, subject);
        var headers = http.Response.Headers;
        headers["X-RateLimit-Limit"] = decision.Limit.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = decision.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = decision.ResetAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        if (decision.Allowed) return null;
        var retryAfter = Math.Max(1, (int)Math.Ceiling((decision.ResetAt - clock.GetCurrentInstant()).TotalSeconds));
        headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        return ProblemResponses.Problem(StatusCodes.Status429TooManyRequests, ProblemCodes.RateLimited,
            $"Too many attempts; try again in {retryAfter} seconds.", new Dictionary<string, object?> { ["retryAfterSeconds"] = retryAfter });
    }

    private void Prune(Instant now)
    {
        foreach (var (key, window) in _windows)
        {
            if (window.ResetAt <= now) _windows.TryRemove(key, out _);
        }
    }

    private sealed class Window
    {
        public Instant ResetAt;
        public int Count;
    }
}
