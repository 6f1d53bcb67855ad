using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Devices;

namespace Signage.Appliance.Player;

/// <summary>
/// GET /v1/player/manifest (spec 27.8.1): 200 with the manifest and its ETag, or 304 when the
/// screen already has it. A conditional request may send <c>Prefer: wait=N</c> (RFC 7240, N ≤ 60):
/// it is then held until the manifest changes (200 at once) or N seconds pass (304). Held requests
/// are parked on a per-venue signal, not a thread, so hundreds cost almost nothing.
/// </summary>
public static partial class ManifestEndpoints
{
    public const int MaxWaitSeconds = 60;

    public static IEndpointRouteBuilder MapManifest(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/player/manifest", GetAsync).RequireDevice();
        return app;
    }

    private static async Task<IResult> GetAsync(HttpContext http, DeviceCaller device, DeviceDirectory directory, ManifestService manifests,
        ManifestEpochs epochs, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, RateLimit.ManifestPerDevice, device.DeviceId) is { } refused) return refused;
        var baseUrl = $"{http.Request.Scheme}://{http.Request.Host}";
        var ifNoneMatch = http.Request.Headers.IfNoneMatch;
        var manifest = manifests.Get(directory.Find(device.DeviceId)!, baseUrl);

        var wait = RequestedWait(http);
        if (wait > 0 && Matches(ifNoneMatch, manifest.ETag))
        {
            http.Response.Headers["Preference-Applied"] = $"wait={wait}";
            var deadline = clock.GetCurrentInstant() + Duration.FromSeconds(wait);
            while (Matches(ifNoneMatch, manifest.ETag))
            {
                var remaining = Instant.Min(deadline, manifest.ValidTo) - clock.GetCurrentInstant();
                if (remaining <= Duration.Zero) break;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
                timeout.CancelAfter(remaining.ToTimeSpan());
                try
                {
                    await epochs.WaitForChangeAsync(device.VenueId, manifest.Epoch, timeout.Token);
                }
                catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested)
                {
                    // Waited as long as asked: recheck once (validity may have run out), then answer.
                }
                if (directory.Find(device.DeviceId) is not { } current) return Results.Unauthorized();
                manifest = manifests.Get(current, baseUrl);
                if (clock.GetCurrentInstant() >= deadline) break;
            }
            // A held request that ends with news does not use up the screen's allowance.
            if (!Matches(ifNoneMatch, manifest.ETag)) limiter.Refund(RateLimit.ManifestPerDevice, device.DeviceId);
        }

        http.Response.Headers.ETag = manifest.ETag;
        http.Response.Headers.CacheControl = "no-cache";
        if (Matches(ifNoneMatch, manifest.ETag)) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Bytes(manifest.Body, "application/json");
    }

    /// <summary>
    /// If-None-Match (RFC 9110 13.1.2): a comma-separated list of entity tags, each maybe weak
    /// (<c>W/</c>; the weak comparison applies), or <c>*</c>. The common case, a screen sending back
    /// exactly the ETag it got, is one string comparison against the ETag built with the manifest.
    /// </summary>
    internal static bool Matches(StringValues ifNoneMatch, string etag)
    {
        foreach (var value in ifNoneMatch)
        {
            if (value is null) continue;
            if (value == etag) return true;
            var header = value.AsSpan();
            foreach (var range in header.Split(','))
            {
                var tag = header[range].Trim();
                if (tag is "*") return true;
                if (tag.StartsWith("W/", StringComparison.Ordinal)) tag = tag[2..];
                if (tag.SequenceEqual(etag)) return true;
            }
        }
        return false;
    }

    private static int RequestedWait(HttpContext http)
    {
        foreach (var preference in http.Request.Headers["Prefer"])
        {
            if (preference is not null && WaitPreference().Match(preference) is { Success: true } match
                && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                return Math.Clamp(seconds, 0, MaxWaitSeconds);
            }
        }
        return 0;
    }

    [GeneratedRegex(@"(?:^|[,;\s])wait\s*=\s*(\d{1,5})\b", RegexOptions.IgnoreCase)]
    private static partial Regex WaitPreference();
}
