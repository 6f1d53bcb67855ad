using Signage.CloudHub.Data;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.CloudHub.Auth;

/// <summary>
/// Reads the bearer token (a user's JWT or an appliance's opaque credential), attaches the caller,
/// and enforces the access rule the endpoint declares before its parameters are bound (spec 25.5):
/// not signed in → 401; another tenant's tenant id → 404 (never reveal it exists); no right → 403.
/// Entity ids inside a tenant are checked by each query's own tenant filter (404 when not found).
/// </summary>
public static class Authentication
{
    public static WebApplication UseBearerAuthentication(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var header = context.Request.Headers.Authorization.ToString();
            if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                var token = header["Bearer ".Length..].Trim();
                var database = context.RequestServices.GetRequiredService<HubDatabase>();
                // A JWT has two dots; an appliance credential is one base64url string without any.
                if (token.Contains('.'))
                {
                    if (context.RequestServices.GetRequiredService<HubTokens>().Validate(token) is { } userId)
                    {
                        await using var connection = await database.OpenAsync(context.RequestAborted);
                        (await HubCaller.LoadAsync(connection, userId))?.AttachTo(context);
                    }
                }
                else if (token.Length > 0)
                {
                    await using var connection = await database.OpenAsync(context.RequestAborted);
                    (await ApplianceCaller.FindAsync(connection, token))?.AttachTo(context);
                }
            }
            foreach (var rule in context.GetEndpoint()?.Metadata.GetOrderedMetadata<AccessRule>() ?? [])
            {
                if (rule.Check(context) is { } denied)
                {
                    // A page shows the refusal as a page (sign-in, 403, 404), decided by the very same rule.
                    var page = context.GetEndpoint()?.Metadata.GetMetadata<PageRefusal>();
                    await (page?.Render(context, denied) ?? denied).ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
        return app;
    }

    /// <summary>Any signed-in person.</summary>
    public static TBuilder RequireUser<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.User));

    public static TBuilder RequirePlatformAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.PlatformAdmin));

    /// <summary>A tenant admin of the tenant named by the route's {tenantId}.</summary>
    public static TBuilder RequireTenantAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.TenantAdmin));

    /// <summary>A tenant admin acting on their own tenant (pages, whose addresses carry no tenant id).</summary>
    public static TBuilder RequireOwnTenantAdmin<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.OwnTenantAdmin));

    /// <summary>A member of a tenant (the library, head office): the tenant is the caller's own.</summary>
    public static TBuilder RequireTenantMember<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.TenantMember));

    /// <summary>Head office: a tenant admin or tenant viewer.</summary>
    public static TBuilder RequireHeadOffice<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.HeadOffice));

    /// <summary>An enrolled appliance (sync endpoints).</summary>
    public static TBuilder RequireAppliance<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AccessRule(AccessRule.Kind.Appliance));

    public static IResult NotFound(string what) => ProblemResponses.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, $"No such {what}.");

    public static IResult Forbidden(string detail) => ProblemResponses.Problem(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, detail);

    /// <summary>Endpoint metadata of a browser page: how it shows a refusal instead of problem+json.</summary>
    public sealed record PageRefusal(Func<HttpContext, IResult, IResult> Render);

    internal sealed record AccessRule(AccessRule.Kind Requirement)
    {
        public enum Kind { User, PlatformAdmin, TenantAdmin, OwnTenantAdmin, TenantMember, HeadOffice, Appliance }

        public IResult? Check(HttpContext http)
        {
            var caller = HubCaller.Of(http);
            var appliance = ApplianceCaller.Of(http);
            if (Requirement == Kind.Appliance)
            {
                if (appliance is not null) return null;
                return caller is null ? Unauthenticated(http, "an enrolled appliance's credential") : Forbidden("This endpoint is for enrolled appliances.");
            }
            if (caller is null)
                return appliance is null ? Unauthenticated(http, "a valid, unexpired access token") : Forbidden("An appliance credential cannot be used on management endpoints.");
            return Requirement switch
            {
                Kind.PlatformAdmin => caller.IsPlatformAdmin ? null : Forbidden("Only a platform admin may do this."),
                Kind.TenantAdmin when http.GetRouteValue("tenantId") as string != caller.TenantId || caller.TenantId is null => NotFound("tenant"),
                Kind.TenantAdmin => caller.IsTenantAdmin ? null : Forbidden("Only a tenant admin may do this."),
                Kind.OwnTenantAdmin => caller.IsTenantAdmin && caller.TenantId is not null ? null : Forbidden("Only a tenant admin may do this."),
                Kind.TenantMember => caller.TenantId is null ? Forbidden("A platform admin has no tenant library; sign in as a tenant user.") : null,
                Kind.HeadOffice => caller.SeesWholeTenant ? null : Forbidden("Head-office views need the TENANT_ADMIN or TENANT_VIEWER role."),
                _ => null,
            };
        }

        private static IResult Unauthenticated(HttpContext http, string what)
        {
            http.Response.Headers.WWWAuthenticate = "Bearer";
            return ProblemResponses.Problem(StatusCodes.Status401Unauthorized, ProblemCodes.Unauthorized,
                $"Sign in first: send {what} as 'Authorization: Bearer <token>'.");
        }
    }
}
