using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.Appliance.Auth;

/// <summary>
/// Reads a Bearer token, attaches the <see cref="Caller"/> it names, and enforces the access rules
/// that endpoints declare (spec 25.5) before their parameters are even bound: not signed in → 401;
/// another tenant's or an unknown venue → 404 (never reveal it exists); without the role → 403.
/// Deny by default: an endpoint that declares no rule refuses every caller with 403, so a new route
/// is closed until it says who may use it (docs/ROLES.md lists every route's rule).
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
            var endpoint = context.GetEndpoint();
            var rules = endpoint?.Metadata.GetOrderedMetadata<AccessRule>() ?? [];
            // Only mapped routes: routing's own 405 endpoint (a plain Endpoint) answers as before.
            if (rules.Count == 0 && endpoint is RouteEndpoint)
            {
                await ProblemResponses.Problem(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden,
                    "This endpoint declares no access rule, so it refuses every caller.").ExecuteAsync(context);
                return;
            }
            foreach (var rule in rules)
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

    /// <summary>Open to everyone, signed in or not (health, sign-in, pairing start and status, static
    /// files). Said explicitly, because an endpoint without a rule refuses everyone.</summary>
    public static TBuilder AllowAnyone<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.Anyone, VenueRank.None));

    /// <summary>An admin page or form: at least <paramref name="minimum"/> at the appliance's venue (the
    /// venue the pages show). Not signed in → the sign-in page; <paramref name="openBeforeFirstUser"/>
    /// lets the dashboard show the first-run form while no user exists; a <paramref name="fragment"/>
    /// (what a page's script fetches) answers 401 instead of the sign-in page.</summary>
    public static TBuilder RequirePageRole<TBuilder>(this TBuilder builder, VenueRank minimum, bool openBeforeFirstUser = false, bool fragment = false)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.PageRole, minimum, openBeforeFirstUser, fragment));

    /// <summary>An admin form only a tenant admin may post (managing people).</summary>
    public static TBuilder RequirePageTenantAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.PageTenantAdmin, VenueRank.Viewer));

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

    /// <summary>One line per route: method, pattern (without a group's trailing '/') and access rule
    /// (NONE: refuses everyone).</summary>
    public static void WriteRouteTable(IEndpointRouteBuilder app, TextWriter output)
    {
        var routes = app.DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(method =>
                $"{method} {(e.RoutePattern.RawText is { Length: > 1 } raw ? raw.TrimEnd('/') : e.RoutePattern.RawText)} {string.Join(',', e.Metadata.GetOrderedMetadata<AccessRule>().Select(r => r.Describe()).DefaultIfEmpty("NONE"))}"))
            .Order(StringComparer.Ordinal);
        foreach (var route in routes) output.WriteLine(route);
    }

    public static IResult NotFound(string what) => ProblemResponses.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, $"No such {what}.");

    /// <summary>One access requirement, as endpoint metadata.</summary>
    internal sealed record AccessRule(AccessRule.Kind Requirement, VenueRank Minimum, bool OpenBeforeFirstUser = false, bool Fragment = false)
    {
        public enum Kind { Anyone, SignedIn, TenantAdmin, VenueRole, Device, DeviceOrUser, PageRole, PageTenantAdmin }

        public string Describe() => Requirement is Kind.VenueRole or Kind.PageRole
            ? $"{Requirement}:{Minimum.ToString().ToUpperInvariant()}{(OpenBeforeFirstUser ? "+FirstRun" : "")}{(Fragment ? "+Fragment" : "")}" : Requirement.ToString();

        public async Task<IResult?> CheckAsync(HttpContext http, Database database)
        {
            if (Requirement == Kind.Anyone) return null;
            var caller = Caller.Of(http);
            var device = DeviceCaller.Of(http);
            if (Requirement is Kind.PageRole or Kind.PageTenantAdmin) return await CheckPageAsync(http, database, caller, device);
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

        /// <summary>Pages have no {venueId}: they show the caller's venue at this appliance
        /// (<see cref="Admin.AdminEndpoints.VenueOf"/>), so the rank is taken there.</summary>
        private async Task<IResult?> CheckPageAsync(HttpContext http, Database database, Caller? caller, DeviceCaller? device)
        {
            await using var connection = await database.OpenAsync(http.RequestAborted);
            if (caller is null)
            {
                if (device is not null) return Forbidden("A screen's device token cannot be used on admin pages.");
                if (OpenBeforeFirstUser && connection.Scalar<long>("SELECT COUNT(*) FROM user_account;", null) == 0) return null;
                if (Fragment) return Unauthenticated(http);
                // Back to the page after signing in (the dashboard is where sign-in goes anyway).
                var back = HttpMethods.IsGet(http.Request.Method) && http.Request.Path != "/admin" ? $"{http.Request.Path}{http.Request.QueryString}" : null;
                return Admin.AdminEndpoints.ToSignIn(back);
            }
            var venue = Admin.AdminEndpoints.VenueOf(connection, caller);
            if (venue is null) return Forbidden("You have no role at this appliance's venue. Ask your manager.");
            if (Requirement == Kind.PageTenantAdmin ? caller.IsTenantAdmin : venue.Rank >= Minimum) return null;
            // A refusal is a page (403), as the page's own check would show it.
            var antiforgery = http.RequestServices.GetRequiredService<Microsoft.AspNetCore.Antiforgery.IAntiforgery>();
            var (layout, _) = Admin.AdminEndpoints.Page(http, connection, antiforgery, "Not allowed", "");
            if (Requirement == Kind.PageRole) return Admin.AdminEndpoints.Refused(layout!, venue, Minimum);
            var slice = Admin.Slices.MessagePageSlice.Create(new Admin.MessagePage(layout! with { Title = "Not allowed" },
                "Only a tenant admin may do this. Ask your administrator.", "/admin", "Back to the dashboard"));
            slice.StatusCode = StatusCodes.Status403Forbidden;
            return slice;
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
