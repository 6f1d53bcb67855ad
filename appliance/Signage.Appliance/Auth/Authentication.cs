using Signage.Appliance.Data;
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
                var tokens = context.RequestServices.GetRequiredService<AccessTokens>();
                if (tokens.Validate(header["Bearer ".Length..].Trim()) is var (userId, tenantId))
                {
                    await using var connection = await database.OpenAsync(context.RequestAborted);
                    Caller.Load(connection, userId, tenantId)?.AttachTo(context);
                }
            }
            foreach (var rule in context.GetEndpoint()?.Metadata.GetOrderedMetadata<AccessRule>() ?? [])
            {
                if (await rule.CheckAsync(context, Caller.Of(context), database) is { } denied)
                {
                    await denied.ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
        return app;
    }

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
        public enum Kind { SignedIn, TenantAdmin, VenueRole }

        public async Task<IResult?> CheckAsync(HttpContext http, Caller? caller, Database database)
        {
            if (caller is null) return Unauthenticated(http);
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
