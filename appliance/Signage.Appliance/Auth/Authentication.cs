using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Problems;
using Signage.Contracts;

namespace Signage.Appliance.Auth;

/// <summary>
/// Reads a Bearer token, attaches the <see cref="Caller"/> it names, and enforces the access rules
/// that endpoints declare (spec 25.5) before their parameters are even bound: not signed in → 401;
/// another tenant's or an unknown venue → 404 (never reveal it exists); without the role → 403.
/// </summary>
public static class Authentication
{
    public static WebApplication UseBearerAuthentication(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            var database = context.RequestServices.GetRequiredService<Database>();
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                switch (context.RequestServices.GetRequiredService<AccessTokens>().Read(header["Bearer ".Length..].Trim()))
                {
                    case UserClaims user:
                        await using (var connection = await database.OpenAsync(context.RequestAborted))
                        {
                            Caller.Load(connection, user.UserId, user.TenantId)?.AttachTo(context);
                        }
                        break;
                    case DeviceClaims device:
                        // Removed, moved or re-paired devices fail here: their token is dead at once.
                        if (context.RequestServices.GetRequiredService<DeviceDirectory>().Find(device.DeviceId) is { } entry
                            && entry.VenueId == device.VenueId && entry.TenantId == device.TenantId && entry.TokenVersion == device.TokenVersion)
                        {
                            new DeviceCaller(entry.DeviceId, entry.VenueId, entry.TenantId).AttachTo(context);
                        }
                        break;
                }
            }
            foreach (var rule in context.GetEndpoint()?.Metadata.GetOrderedMetadata<AccessRule>() ?? [])
            {
                if (await rule.CheckAsync(context, database) is { } denied)
                {
                    await denied.ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
        return app;
    }

    /// <summary>A paired screen (player endpoints). A person's token here is 403.</summary>
    public static TBuilder RequireDevice<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.Device, VenueRank.None));

    /// <summary>A paired screen or a signed-in person (media downloads).</summary>
    public static TBuilder RequireDeviceOrUser<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.DeviceOrUser, VenueRank.None));

    /// <summary>Any signed-in user.</summary>
    public static TBuilder RequireUser<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.SignedIn, VenueRank.None));

    /// <summary>A tenant admin of the tenant named by the route's {tenantId}.</summary>
    public static TBuilder RequireTenantAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.TenantAdmin, VenueRank.None));

    /// <summary>At least <paramref name="minimum"/> at the venue named by the route's {venueId}.</summary>
    public static TBuilder RequireVenueRole<TBuilder>(this TBuilder builder, VenueRank minimum) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.VenueRole, minimum));

    public static IResult NotFound(string what) => ProblemResponses.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, $"No such {what}.");

    /// <summary>One access requirement, as endpoint metadata.</summary>
    internal sealed record AccessRule(AccessRule.Kind Requirement, VenueRank Minimum)
    {
        public enum Kind { SignedIn, TenantAdmin, VenueRole, Device, DeviceOrUser }

        public async Task<IResult?> CheckAsync(HttpContext http, Database database)
        {
            var caller = Caller.Of(http);
            var device = DeviceCaller.Of(http);
            if (Requirement == Kind.DeviceOrUser) return caller is null && device is null ? Unauthenticated(http) : null;
            if (Requirement == Kind.Device)
            {
                if (device is not null) return null;
                return caller is null ? Unauthenticated(http) : Forbidden("This endpoint is for screens; sign in as a screen with its device token.");
            }
            if (caller is null)
                return device is null ? Unauthenticated(http) : Forbidden("A screen's device token cannot be used on management endpoints.");
            switch (Requirement)
            {
                case Kind.TenantAdmin:
                    if (http.GetRouteValue("tenantId") as string != caller.TenantId) return NotFound("tenant");
                    return caller.IsTenantAdmin ? null : Forbidden("Only a tenant admin may do this.");
                case Kind.VenueRole:
                    var venueId = http.GetRouteValue("venueId") as string ?? "";
                    var rank = caller.RankAt(venueId);
                    if (rank == VenueRank.None || !await VenueBelongsToAsync(http, database, venueId, caller.TenantId)) return NotFound("venue");
                    return rank >= Minimum ? null
                        : Forbidden($"This needs the {Minimum.ToString().ToUpperInvariant()} role at this venue; you have {rank.ToString().ToUpperInvariant()}.");
                default:
                    return null;
            }
        }

        private static async Task<bool> VenueBelongsToAsync(HttpContext http, Database database, string venueId, string tenantId)
        {
            await using var connection = await database.OpenAsync(http.RequestAborted);
            return connection.Scalar<long>("SELECT COUNT(*) FROM venue WHERE venue_id = $venue AND tenant_id = $tenant;", null,
                ("$venue", venueId), ("$tenant", tenantId)) == 1;
        }

        private static IResult Unauthenticated(HttpContext http)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return ProblemResponses.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized,
                "Sign in first: send a valid, unexpired access token as 'Authorization: Bearer <token>'.");
        }

        private static IResult Forbidden(string detail) => ProblemResponses.Problem(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, detail);
    }
}
