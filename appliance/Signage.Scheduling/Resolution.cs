using NodaTime;

namespace Signage.Scheduling;

/// <summary>Why a playlist was chosen. Persisted in logs and manifests: never renumber.</summary>
public enum ResolutionSource
{
    /// <summary>A schedule slot is in force.</summary>
    Slot = 0,

    /// <summary>No slot; the venue's fallback playlist (spec 31.5, step 1).</summary>
    VenueFallback = 1,

    /// <summary>No slot and no venue fallback; the tenant's default playlist (step 2).</summary>
    TenantDefault = 2,

    /// <summary>Nothing to play: the player keeps what it has or shows its idle screen.</summary>
    None = 3,
}

/// <summary>The screen being resolved for, with its effective time zone already chosen.</summary>
public readonly record struct ScreenTarget(string DeviceId, string? GroupId, DateTimeZone TimeZone);

/// <summary>
/// What plays now, and until when. <see cref="ValidToUtc"/> is the next instant at which the
/// playlist changes, or now + the maximum validity, whichever is sooner; it is always after now.
/// </summary>
public sealed record Resolution(string? PlaylistId, ResolutionSource Source, string? SlotId, Instant ValidToUtc);

/// <summary>One stretch of the timeline: <see cref="PlaylistId"/> plays in [From, To); null = nothing.</summary>
public readonly record struct TimelineSegment(Instant FromUtc, Instant ToUtc, string? PlaylistId);

public sealed record ResolverOptions
{
    public static ResolverOptions Default { get; } = new();

    /// <summary>The longest a resolution is valid for (spec 31.6: MAX_VALIDITY).</summary>
    public Duration MaxValidity { get; init; } = Duration.FromHours(6);

    /// <summary>How far ahead the manifest timeline reaches (the control-plane seed's 72-hour plan).</summary>
    public Duration TimelineHorizon { get; init; } = Duration.FromHours(72);
}
