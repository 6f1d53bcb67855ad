using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Accounts;
using Signage.Appliance.Admin.Slices;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Playlists;
using Signage.Appliance.Venues;
using Signage.Contracts;
using Signage.Web.Admin;
using Signage.Web.Data;

namespace Signage.Appliance.Admin;

/// <summary>Settings: the venue (name, zone, opening hours, fallback), the people and their roles,
/// and the hub connection. Changes run the JSON API's handlers.</summary>
public static partial class AdminEndpoints
{
    private static readonly LocalTimePattern HourMinute = LocalTimePattern.CreateWithInvariantCulture("HH':'mm");

    public static IEndpointRouteBuilder MapAdminSettings(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/settings", Settings).RequirePageRole(VenueRank.Viewer);
        app.MapPost("/admin/settings/venue", SaveVenue).RequirePageRole(VenueRank.Manager);
        app.MapPost("/admin/settings/users", CreateUser).RequirePageTenantAdmin();
        app.MapPost("/admin/settings/users/{userId}/role", ChangeRole).RequirePageTenantAdmin();
        app.MapPost("/admin/settings/users/{userId}/disabled", SetUserDisabled).RequirePageTenantAdmin();
        return app;
    }

    private static async Task<IResult> Settings(string? done, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Settings", "settings") is not ({ } layout, { } venue)) return ToSignIn("/admin/settings");
        return await SettingsSliceAsync(http, connection, database, layout, venue, FormState.Empty, done switch
        {
            "venue" => "Venue saved.",
            "user" => "Person added. They can sign in now.",
            "role" => "Role changed. It applies from their next click.",
            "disabled" => "Saved. A disabled person is signed out at once.",
            _ => null,
        }, StatusCodes.Status200OK);
    }

    private static async Task<IResult> SaveVenue(IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Settings", "settings") is not ({ } layout, { } venue)) return ToSignIn();
        if (Refused(layout, venue, VenueRank.Manager) is { } refused) return refused;
        var errors = new Dictionary<string, string[]>();
        var hours = OpeningHoursFromForm(form, errors);
        if (errors.Count > 0) return await SettingsSliceAsync(http, connection, database, layout, venue, FormState.Invalid("venue", form, errors), null, 200);
        var request = new UpdateVenueRequest(form["name"].ToString(), form["timezone"].ToString(), hours, Blank(form["fallbackPlaylistId"]));
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, form["etag"], () =>
            VenueEndpoints.Update(venue.VenueId, request, http, database, caller, clock));
        if (outcome.Succeeded) return Results.Redirect("/admin/settings?done=venue");
        return await SettingsSliceAsync(http, connection, database, layout, venue, FormState.From("venue", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> CreateUser(IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Settings", "settings") is not ({ } layout, { } venue)) return ToSignIn();
        var caller = Caller.Of(http)!;
        var request = new CreateUserRequest(form["email"].ToString(), form["displayName"].ToString(), form["password"].ToString(), [],
            [new VenueRoleGrant(venue.VenueId, form["role"].ToString())]);
        var outcome = await AdminForms.CallAsync(http, caller.IsTenantAdmin, "Only an administrator can add people.", null, () =>
            UserEndpoints.Create(caller.TenantId, request, database, caller, clock, http.RequestAborted));
        if (outcome.Succeeded) return Results.Redirect("/admin/settings?done=user");
        return await SettingsSliceAsync(http, connection, database, layout, venue, FormState.From("user", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> ChangeRole(string userId, IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Settings", "settings") is not ({ } layout, { } venue)) return ToSignIn();
        var caller = Caller.Of(http)!;
        var outcome = await AdminForms.CallAsync(http, caller.IsTenantAdmin, "Only an administrator can change roles.", null, () =>
            UserEndpoints.SetVenueRoles(caller.TenantId, userId, new SetVenueRolesRequest([new VenueRoleGrant(venue.VenueId, form["role"].ToString())]),
                database, caller, clock, http.RequestAborted));
        if (outcome.Succeeded) return Results.Redirect("/admin/settings?done=role");
        return await SettingsSliceAsync(http, connection, database, layout, venue, FormState.From($"user-{userId}", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> SetUserDisabled(string userId, IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Settings", "settings") is not ({ } layout, { } venue)) return ToSignIn();
        var caller = Caller.Of(http)!;
        var outcome = await AdminForms.CallAsync(http, caller.IsTenantAdmin, "Only an administrator can disable people.", null, () =>
            UserEndpoints.SetDisabled(caller.TenantId, userId, new SetUserDisabledRequest(form["disabled"].ToString() == "true"), database, caller, clock, http.RequestAborted));
        if (outcome.Succeeded) return Results.Redirect("/admin/settings?done=disabled");
        return await SettingsSliceAsync(http, connection, database, layout, venue, FormState.From($"user-{userId}", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    /// <summary>Seven rows of the form (Monday first): a ticked "closed", or an opening and a closing time.</summary>
    internal static OpeningHours[] OpeningHoursFromForm(IFormCollection form, Dictionary<string, string[]> errors)
    {
        var hours = new List<OpeningHours>();
        for (var day = 0; day < 7; day++)
        {
            // Ticked "closed", or both times left empty: not open that day.
            if (form[$"closed{day}"].ToString() == "on" || (form[$"open{day}"].ToString().Trim().Length == 0 && form[$"close{day}"].ToString().Trim().Length == 0)) continue;
            var open = HourMinute.Parse(form[$"open{day}"].ToString().Trim());
            var close = HourMinute.Parse(form[$"close{day}"].ToString().Trim());
            if (!open.Success || !close.Success)
            {
                errors[$"hours{day}"] = ["Give opening and closing times such as 11:00 and 23:30, or tick Closed."];
                continue;
            }
            hours.Add(new OpeningHours(day + 1, open.Value.Hour * 60 + open.Value.Minute, close.Value.Hour * 60 + close.Value.Minute));
        }
        return [.. hours];
    }

    private static async Task<IResult> SettingsSliceAsync(HttpContext http, SqliteConnection connection, Database database, LayoutModel layout, AdminVenue venue,
        FormState form, string? done, int status)
    {
        var caller = Caller.Of(http)!;
        var (details, etag) = VenueEndpoints.Load(connection, null, venue.VenueId)!.Value;
        var users = caller.IsTenantAdmin
            ? (AdminForms.Outcome(await UserEndpoints.List(caller.TenantId, null, ListPage.MaxLimit, database, http.RequestAborted)).Value as ItemsResponse<UserResponse>)?.Items ?? []
            : [];
        var fallbacks = PlaylistStore.List(connection, venue.VenueId).Where(p => p.PublishedVersion is not null).Select(p => (p.PlaylistId, p.Name)).ToList();
        var slice = SettingsPageSlice.Create(new SettingsPage(layout, venue, details, etag, Zones, fallbacks, caller.IsTenantAdmin, caller.UserId, users,
            HubConnection(connection), form, done));
        slice.StatusCode = status;
        return slice;
    }

    /// <summary>The hub connection shown on the settings page and the dashboard; null while the
    /// appliance is standalone (it works fully on its own).</summary>
    internal static HubConnectionView? HubConnection(SqliteConnection connection) =>
        Sync.HubConnection.Load(connection) is { } hub
            ? new HubConnectionView(hub.Link.HubUrl.ToString(), hub.LastError is null ? "Connected" : "Retrying", hub.LastSyncAtUtc, hub.LastError,
                (int)Sync.HubConnection.Backlog(connection))
            : null;
}
