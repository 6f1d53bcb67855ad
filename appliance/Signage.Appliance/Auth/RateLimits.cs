using System.Collections.Concurrent;
using System.Globalization;
using NodaTime;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.Appliance.Auth;

/// <summary>The spec's limits (27.1) that this appliance enforces, by name.</summary>
public sealed record RateLimit(string Name, int Limit, Duration Window)
{
    public static readonly RateLimit LoginPerIp = new("login-ip", 10, Duration.FromMinutes(1));
    public static readonly RateLimit LoginPerAccount = new("login-account", 5, Duration.FromMinutes(1));
    public static readonly RateLimit RefreshPerUser = new("refresh-user", 30, Duration.FromHours(1));
    public static readonly RateLimit UploadSessionsPerTenant = new("upload-sessions-tenant", 30, Duration.FromHours(1));
    public static readonly RateLimit ManifestPerDevice = new("player-manifest", 2, Duration.FromMinutes(1));
    public static readonly RateLimit HeartbeatPerDevice = new("player-heartbeat", 2, Duration.FromMinutes(1));
    public static readonly RateLimit EventsPerDevice = new("player-events", 6, Duration.FromMinutes(1));
    public static readonly RateLimit CommandsPerDevice = new("player-commands", 2, Duration.FromMinutes(1));
}

/// <param name="FirstRefusal">The first request this window refused for this subject: logged once, so a
/// misbehaving screen shows up in the log without a line for every refused request.</param>
public readonly record struct RateDecision(bool Allowed, int Limit, int Remaining, Instant ResetAt, bool FirstRefusal = false);

/// <summary>
/// Fixed-window counters in memory, keyed by limit and subject (an IP, an account, a device).
/// In memory is right for one appliance: a restart forgets counts, which only ever lets a client
/// through early. Time comes from the injected clock so tests can move it.
/// Settings (configuration or environment, e.g. <c>RateLimits__Enabled=false</c>):
/// <c>RateLimits:Enabled</c> (default true) and, per limit name, <c>RateLimits:{name}:Limit</c> and
/// <c>RateLimits:{name}:WindowSeconds</c> — for a venue with an unusual fleet, or a load test.
/// </summary>
public sealed partial class RateLimiter(IClock clock, IConfiguration? configuration = null, ILogger<RateLimiter>? logger = null)
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimit> _effective = new(StringComparer.Ordinal);
    private readonly bool _enabled = !bool.TryParse(configuration?["RateLimits:Enabled"], out var enabled) || enabled;

    public RateDecision Take(RateLimit limit, string subject)
    {
        limit = Effective(limit);
        var now = clock.GetCurrentInstant();
        if (!_enabled) return new RateDecision(true, limit.Limit, limit.Limit, now + limit.Window);
        if (_windows.Count > 50_000) Prune(now);
        var window = _windows.GetOrAdd($"{limit.Name}:{subject}", _ => new Window());
        lock (window)
        {
            if (now >= window.ResetAt)
            {
                window.ResetAt = now + limit.Window;
                window.Count = 0;
                window.Refused = false;
            }
            var allowed = window.Count < limit.Limit;
            if (allowed) window.Count++;
            var first = !allowed && !window.Refused;
            if (!allowed) window.Refused = true;
            return new RateDecision(allowed, limit.Limit, limit.Limit - window.Count, window.ResetAt, first);
        }
    }

    /// <summary>Gives back one request (a held manifest request that ended because the manifest changed).</summary>
    public void Refund(RateLimit limit, string subject)
    {
        if (_windows.TryGetValue($"{limit.Name}:{subject}", out var window))
        {
            lock (window)
            {
                if (window.Count > 0) window.Count--;
            }
        }
    }

    private RateLimit Effective(RateLimit limit) => configuration is null ? limit : _effective.GetOrAdd(limit.Name, _ => limit with
    {
        Limit = int.TryParse(configuration[$"RateLimits:{limit.Name}:Limit"], CultureInfo.InvariantCulture, out var count) && count > 0 ? count : limit.Limit,
        Window = long.TryParse(configuration[$"RateLimits:{limit.Name}:WindowSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? Duration.FromSeconds(seconds) : limit.Window,
    });

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
        if (decision.FirstRefusal && logger is not null) LogRefused(logger, limit.Name, subject, decision.Limit, retryAfter);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rate limit {Limit} reached for {Subject} ({Count} a window): answering 429 for {RetryAfter} s")]
    private static partial void LogRefused(ILogger logger, string limit, string subject, int count, int retryAfter);

    private sealed class Window
    {
        public Instant ResetAt;
        public int Count;
        public bool Refused;
    }
}
