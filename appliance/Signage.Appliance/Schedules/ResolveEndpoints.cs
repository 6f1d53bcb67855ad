using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Venues;
using Signage.Contracts;
using Signage.Scheduling;
using Signage.Web.Problems;

namespace Signage.Appliance.Schedules;

/// <summary>
/// "What will this screen (or group) play at this instant, until when, and over the next 72
/// hours?" — the resolver over the *published* schedule, exactly as screens will get it.
/// </summary>
public static class ResolveEndpoints
{
    private static readonly ScheduleResolver Resolver = new();

    public static IEndpointRouteBuilder MapResolvePreview(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/venues/{venueId}/schedule/resolve", Resolve).RequireVenueRole(VenueRank.Viewer);
        return app;
    }

    internal static async Task<IResult> Resolve(string venueId, string? deviceId, string? groupId, string? at, Database database, IClock clock, CancellationToken cancellationToken)
    {
        if ((deviceId is null) == (groupId is null))
            return ProblemResponses.Problem(400, ProblemCodes.BadRequest, "Give exactly one of deviceId or groupId.");
        var instant = clock.GetCurrentInstant();
        if (at is not null)
        {
            var parsed = InstantPattern.ExtendedIso.Parse(at);
            if (!parsed.Success) return ProblemResponses.Problem(400, ProblemCodes.BadRequest, $"'{at}' is not a UTC instant such as 2026-11-23T18:00:00Z.");
            instant = parsed.Value;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        if (groupId is not null && !VenueRules.GroupExists(connection, null, venueId, groupId)) return Authentication.NotFound("group");
        if (deviceId is not null && !VenueRules.DeviceExists(connection, null, venueId, deviceId)) return Authentication.NotFound("screen");
        var published = ScheduleStore.LoadPublished(connection, null, venueId);
        var (zone, _) = TimeZones.Effective(null, published.VenueZone, published.TenantZone);
        // A group preview resolves for a screen that has no slots of its own.
        var screen = new ScreenTarget(deviceId ?? "", groupId, zone);
        var resolution = Resolver.Resolve(published.Schedule, screen, instant);
        var timeline = Resolver.Timeline(published.Schedule, screen, instant)
            .Select(s => new TimelineSegmentResponse(Sql.Utc(s.FromUtc), Sql.Utc(s.ToUtc), s.PlaylistId)).ToArray();
        return TypedResults.Ok(new ResolveResponse(resolution.PlaylistId, resolution.Source.ToString(), resolution.SlotId,
            Sql.Utc(resolution.ValidToUtc), zone.Id, published.Version, timeline));
    }
}
