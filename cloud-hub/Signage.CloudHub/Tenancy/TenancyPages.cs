using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Pages;
using Signage.Contracts;
using NodaTime;
using Signage.Web.Admin;

namespace Signage.CloudHub.Tenancy;

public sealed record VenuesView(HubLayout Layout, IReadOnlyList<HubVenueResponse> Venues, IReadOnlyDictionary<string, string> Appliances, FormState Form);

/// <summary>One venue: its details form, and a fresh enrollment code when one was just made (shown this once only).</summary>
public sealed record VenueView(HubLayout Layout, HubVenueResponse Venue, string? Appliance, EnrollmentCodeResponse? Code, FormState Form, string? Done);

public sealed record UsersView(HubLayout Layout, IReadOnlyList<UserResponse> Users, FormState Form);

public sealed record UserView(HubLayout Layout, UserResponse User, IReadOnlyList<HubVenueResponse> Venues, IReadOnlyList<string> Capabilities, FormState Form, string? Done);

public sealed record TenantsView(HubLayout Layout, IReadOnlyList<TenantResponse> Tenants, FormState Form, string? Done);

/// <summary>
/// Tenant admins' pages for venues and people, and the platform admin's tenants page. Every form
/// calls the JSON API's own handler for the caller's own tenant, so validation, the change feed
/// and tenant isolation are exactly the API's: another tenant's venue or user is a 404 page.
/// </summary>
public static class TenancyPages
{
    public static IEndpointRouteBuilder MapTenancyPages(this IEndpointRouteBuilder app)
    {
        var admin = app.MapPageGroup().RequireOwnTenantAdmin();
        admin.MapGet("/venues", Venues);
        admin.MapPost("/venues", CreateVenue);
        admin.MapGet("/venues/{venueId}", Venue);
        admin.MapPost("/venues/{venueId}", UpdateVenue);
        admin.MapGet("/users", Users);
        admin.MapPost("/users", CreateUser);
        admin.MapGet("/users/{userId}", User);
        admin.MapPost("/users/{userId}/venue-roles", SetVenueRoles);
        admin.MapPost("/users/{userId}/capabilities", SetCapabilities);
        var platform = app.MapPageGroup().RequirePlatformAdmin();
        platform.MapGet("/tenants", Tenants);
        platform.MapPost("/tenants", CreateTenant);
        return app;
    }

    // ---- venues ----

    private static Task<IResult> Venues(HttpContext http, HubCaller caller, HubDatabase database) => VenuesPage(http, caller, database, FormState.Empty);

    private static async Task<IResult> CreateVenue(IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        var outcome = AdminForms.Outcome(await VenueEndpoints.Create(caller.TenantId!, new HubVenueRequest(form["name"].ToString(), form["timezone"].ToString(), []),
            database, clock, http.RequestAborted));
        if (outcome.Value is HubVenueResponse created) return Results.Redirect($"/admin/venues/{created.VenueId}?done=created");
        return HubPages.RefusedPage(http, outcome) ?? await VenuesPage(http, caller, database, FormState.From("venue", form, outcome));
    }

    private static async Task<IResult> VenuesPage(HttpContext http, HubCaller caller, HubDatabase database, FormState form)
    {
        var venues = await HubPages.AllAsync<HubVenueResponse>((cursor, limit) => VenueEndpoints.List(caller.TenantId!, cursor, limit, database, http.RequestAborted));
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var appliances = (await connection.QueryAsync("SELECT venue_id, appliance_id FROM appliance WHERE tenant_id = @tenant ORDER BY enrolled_at;", null,
            r => (Venue: r.GetString(0), Appliance: r.GetString(1)), ("tenant", caller.TenantId))).ToDictionary(a => a.Venue, a => a.Appliance);
        return VenuesSlice.Create(new VenuesView(HubPages.Layout(http, "Venues", "venues"), venues, appliances, form));
    }

    private static Task<IResult> Venue(string venueId, string? done, HttpContext http, HubCaller caller, HubDatabase database) =>
        VenuePageAsync(http, caller, database, venueId, null, FormState.Empty, done == "created" ? "Venue created. Make an enrollment code for its appliance below." : null);

    private static async Task<IResult> UpdateVenue(string venueId, IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        // The page edits name and time zone; the opening hours stay as they are.
        if (AdminForms.Outcome(await VenueEndpoints.Get(caller.TenantId!, venueId, database, http.RequestAborted)) is not { Value: HubVenueResponse current })
            return HubPages.Message(http, StatusCodes.Status404NotFound, "Not found", "No such venue.");
        var outcome = AdminForms.Outcome(await VenueEndpoints.Update(caller.TenantId!, venueId,
            new HubVenueRequest(form["name"].ToString(), form["timezone"].ToString(), current.OpeningHours), database, clock, http.RequestAborted));
        return HubPages.RefusedPage(http, outcome) ?? await VenuePageAsync(http, caller, database, venueId, null,
            outcome.Succeeded ? FormState.Empty : FormState.From("venue", form, outcome), outcome.Succeeded ? "Saved." : null);
    }

    /// <summary>The venue page (also after an enrollment code was made, see <c>EnrollmentPages</c>); 404 page for another tenant's venue.</summary>
    internal static async Task<IResult> VenuePageAsync(HttpContext http, HubCaller caller, HubDatabase database, string venueId, EnrollmentCodeResponse? code,
        FormState form, string? done)
    {
        var outcome = AdminForms.Outcome(await VenueEndpoints.Get(caller.TenantId!, venueId, database, http.RequestAborted));
        if (outcome.Value is not HubVenueResponse venue) return HubPages.RefusedPage(http, outcome)!;
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var appliance = await connection.ScalarAsync<string>("SELECT appliance_id FROM appliance WHERE venue_id = @venue AND tenant_id = @tenant LIMIT 1;", null,
            ("venue", venueId), ("tenant", caller.TenantId));
        return VenueSlice.Create(new VenueView(HubPages.Layout(http, venue.Name.Length > 0 ? venue.Name : "Venue", "venues"), venue, appliance, code, form, done));
    }

    // ---- people ----

    private static Task<IResult> Users(HttpContext http, HubCaller caller, HubDatabase database) => UsersPage(http, caller, database, FormState.Empty);

    private static async Task<IResult> CreateUser(IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        var role = form["tenantRole"].ToString();
        var request = new CreateUserRequest(form["email"].ToString(), form["displayName"].ToString(), form["password"].ToString(), role.Length > 0 ? [role] : []);
        var outcome = AdminForms.Outcome(await UserEndpoints.Create(caller.TenantId!, request, database, clock, http.RequestAborted));
        if (outcome.Value is UserResponse created) return Results.Redirect($"/admin/users/{created.UserId}?done=created");
        return HubPages.RefusedPage(http, outcome) ?? await UsersPage(http, caller, database, FormState.From("user", form, outcome));
    }

    private static async Task<IResult> UsersPage(HttpContext http, HubCaller caller, HubDatabase database, FormState form)
    {
        var users = await HubPages.AllAsync<UserResponse>((cursor, limit) => UserEndpoints.List(caller.TenantId!, cursor, limit, database, http.RequestAborted));
        return UsersSlice.Create(new UsersView(HubPages.Layout(http, "People", "users"), users, form));
    }

    private static Task<IResult> User(string userId, string? done, HttpContext http, HubCaller caller, HubDatabase database) =>
        UserPage(http, caller, database, userId, FormState.Empty, done == "created" ? "Person added. Give them venue roles below." : null);

    /// <summary>One select per venue, named <c>role:&lt;venueId&gt;</c>; blank = no role there.</summary>
    private static async Task<IResult> SetVenueRoles(string userId, IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database)
    {
        VenueRoleGrant[] grants = [.. form.Keys.Where(k => k.StartsWith("role:", StringComparison.Ordinal) && form[k].ToString().Length > 0)
            .Select(k => new VenueRoleGrant(k["role:".Length..], form[k].ToString()))];
        var outcome = AdminForms.Outcome(await UserEndpoints.SetVenueRoles(caller.TenantId!, userId, new SetVenueRolesRequest(grants), database, http.RequestAborted));
        return HubPages.RefusedPage(http, outcome) ?? await UserPage(http, caller, database, userId,
            outcome.Succeeded ? FormState.Empty : FormState.From("roles", form, outcome), outcome.Succeeded ? "Venue roles saved." : null);
    }

    private static async Task<IResult> SetCapabilities(string userId, IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database)
    {
        var outcome = AdminForms.Outcome(await UserEndpoints.SetCapabilities(caller.TenantId!, userId,
            new SetCapabilitiesRequest([.. form["capability"].Select(c => c ?? "")]), database, http.RequestAborted));
        return HubPages.RefusedPage(http, outcome) ?? await UserPage(http, caller, database, userId,
            outcome.Succeeded ? FormState.Empty : FormState.From("capabilities", form, outcome), outcome.Succeeded ? "Capabilities saved." : null);
    }

    private static async Task<IResult> UserPage(HttpContext http, HubCaller caller, HubDatabase database, string userId, FormState form, string? done)
    {
        var outcome = AdminForms.Outcome(await UserEndpoints.Get(caller.TenantId!, userId, database, http.RequestAborted));
        if (outcome.Value is not UserResponse user) return HubPages.RefusedPage(http, outcome)!;
        var venues = await HubPages.AllAsync<HubVenueResponse>((cursor, limit) => VenueEndpoints.List(caller.TenantId!, cursor, limit, database, http.RequestAborted));
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var capabilities = await connection.QueryAsync("SELECT capability FROM user_capability WHERE user_id = @id ORDER BY capability;", null,
            r => r.GetString(0), ("id", userId));
        return UserSlice.Create(new UserView(HubPages.Layout(http, user.DisplayName, "users"), user, venues, capabilities, form, done));
    }

    // ---- tenants (platform admin) ----

    private static Task<IResult> Tenants(HttpContext http, HubDatabase database) => TenantsPage(http, database, FormState.Empty, null);

    private static async Task<IResult> CreateTenant(IFormCollection form, HttpContext http, HubDatabase database, IClock clock)
    {
        var request = new CreateTenantRequest(form["name"].ToString(), form["adminEmail"].ToString(), form["adminDisplayName"].ToString(), form["adminPassword"].ToString());
        var outcome = AdminForms.Outcome(await TenantEndpoints.Create(request, database, clock, http.RequestAborted));
        return HubPages.RefusedPage(http, outcome) ?? await TenantsPage(http, database,
            outcome.Succeeded ? FormState.Empty : FormState.From("tenant", form, outcome),
            outcome.Value is TenantResponse created ? $"Tenant '{created.Name}' created; its admin can sign in now." : null);
    }

    private static async Task<IResult> TenantsPage(HttpContext http, HubDatabase database, FormState form, string? done)
    {
        var tenants = await HubPages.AllAsync<TenantResponse>((cursor, limit) => TenantEndpoints.List(cursor, limit, database, http.RequestAborted));
        return TenantsSlice.Create(new TenantsView(HubPages.Layout(http, "Tenants", "tenants"), tenants, form, done));
    }
}
