using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Admin.Slices;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Groups;
using Signage.Appliance.Player;
using Signage.Contracts;
using Signage.Web.Admin;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Admin;

/// <summary>Screens: the list (with groups), one screen's detail, its settings, support commands and removal.
/// Every change runs the JSON API's own handler through <see cref="VenueForms.CallAsync"/>.</summary>
public static partial class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminScreens(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/screens", Screens).RequirePageRole(VenueRank.Viewer);
        app.MapPost("/admin/groups", CreateGroup).RequirePageRole(VenueRank.Editor);
        app.MapGet("/admin/screens/{deviceId}", Screen).RequirePageRole(VenueRank.Viewer);
        app.MapPost("/admin/screens/{deviceId}/settings", SaveScreen).RequirePageRole(VenueRank.Manager);
        app.MapPost("/admin/screens/{deviceId}/command", SendCommand).RequirePageRole(VenueRank.Manager);
        app.MapPost("/admin/screens/{deviceId}/remove", RemoveScreen).RequirePageRole(VenueRank.Manager);
        return app;
    }

    private static async Task<IResult> Screens(string? done, HttpContext http, Database database, IAntiforgery antiforgery, ManifestService manifests, ScreenPresence presence, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Screens", "screens") is not ({ } layout, { } venue)) return ToSignIn("/admin/screens");
        return ScreensSlice(connection, layout, venue, manifests, presence, FormState.Empty, done, StatusCodes.Status200OK);
    }

    private static async Task<IResult> CreateGroup(IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, ManifestService manifests, ScreenPresence presence, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Screens", "screens") is not ({ } layout, { } venue)) return ToSignIn();
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Editor, null, () =>
            GroupEndpoints.Create(venue.VenueId, new GroupRequest(form["name"].ToString()), database, clock, http.RequestAborted));
        if (outcome.Succeeded) return Results.Redirect("/admin/screens?done=group");
        return ScreensSlice(connection, layout, venue, manifests, presence, FormState.From("group", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    private static IResult ScreensSlice(SqliteConnection connection, LayoutModel layout, AdminVenue venue, ManifestService manifests, ScreenPresence presence,
        FormState form, string? done, int status)
    {
        var slice = ScreensPageSlice.Create(new ScreensPage(layout, venue, LoadCards(connection, venue, manifests, presence), Groups(connection, venue.VenueId), form,
            done == "group" ? "Group created." : done == "removed" ? "The screen was removed." : null));
        slice.StatusCode = status;
        return slice;
    }

    private static async Task<IResult> Screen(string deviceId, string? done, string? commands, HttpContext http, Database database, IAntiforgery antiforgery,
        ManifestService manifests, ScreenPresence presence, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Screen", "screens") is not ({ } layout, { } venue)) return ToSignIn($"/admin/screens/{deviceId}");
        return await ScreenSliceAsync(http, connection, database, layout, venue, deviceId, manifests, presence, clock, FormState.Empty, done switch
        {
            "settings" => "Saved. The screen picks the change up within a few seconds.",
            "command" => "Sent. The screen runs it on its next check-in; its result appears below.",
            _ => null,
        }, StatusCodes.Status200OK, commands);
    }

    private static async Task<IResult> SaveScreen(string deviceId, IFormCollection form, HttpContext http, Database database, DeviceDirectory directory,
        IAntiforgery antiforgery, ManifestService manifests, ScreenPresence presence, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Screen", "screens") is not ({ } layout, { } venue)) return ToSignIn();
        if (Refused(layout, venue, VenueRank.Manager) is { } refused) return refused;
        // Only turning typed text into the request happens here; the rules are the API's.
        long? budget = null;
        if (form["cacheBudgetMb"].ToString().Trim() is { Length: > 0 } mb)
        {
            if (!long.TryParse(mb, NumberStyles.None, CultureInfo.InvariantCulture, out var megabytes) || megabytes > 1_048_576)
                return await ScreenSliceAsync(http, connection, database, layout, venue, deviceId, manifests, presence, clock,
                    FormState.Invalid("settings", form, new() { ["cacheBudgetBytes"] = ["Give the cache budget as a whole number of megabytes, such as 2048."] }), null, 200);
            budget = megabytes * 1024 * 1024;
        }
        var request = new UpdateDeviceRequest(form["name"].ToString(), form["groupId"].ToString(), form["runMode"].ToString(), On(form, "launchOnBoot"),
            On(form, "autoRelaunch"), On(form, "keepAwake"), On(form, "watchdogReturnToForeground"), form["orientation"].ToString(),
            form["timezone"].ToString(), budget);
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, form["etag"], () =>
            DeviceEndpoints.Update(venue.VenueId, deviceId, request, http, database, directory, manifests, caller, presence, clock));
        if (outcome.Succeeded) return Results.Redirect($"/admin/screens/{deviceId}?done=settings");
        return await ScreenSliceAsync(http, connection, database, layout, venue, deviceId, manifests, presence, clock, FormState.From("settings", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> SendCommand(string deviceId, IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery,
        ManifestService manifests, ScreenPresence presence, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Screen", "screens") is not ({ } layout, { } venue)) return ToSignIn();
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, null, () =>
            CommandEndpoints.Send(venue.VenueId, deviceId, new CommandRequest(form["commandType"].ToString(), CommandParametersOf(form)), http, database, caller, clock));
        if (outcome.Succeeded) return Results.Redirect($"/admin/screens/{deviceId}?done=command");
        return await ScreenSliceAsync(http, connection, database, layout, venue, deviceId, manifests, presence, clock, FormState.From("command", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    /// <summary>The form always shows the level and duration pickers; only the command that takes one sends it.</summary>
    private static JsonElement? CommandParametersOf(IFormCollection form)
    {
        var names = PlayerProtocol.CommandParameters.For(form["commandType"].ToString());
        if (names.Length == 0) return null;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var name in names)
            {
                var value = form[name].ToString();
                if (name == PlayerProtocol.CommandParameters.DurationSeconds && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
                    json.WriteNumber(name, seconds);
                else if (value.Length > 0) json.WriteString(name, value);
            }
            json.WriteEndObject();
        }
        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static async Task<IResult> RemoveScreen(string deviceId, IFormCollection form, HttpContext http, Database database, DeviceDirectory directory,
        IAntiforgery antiforgery, ManifestService manifests, ScreenPresence presence, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Screen", "screens") is not ({ } layout, { } venue)) return ToSignIn();
        if (Refused(layout, venue, VenueRank.Manager) is { } refused) return refused;
        // The confirmation works without JavaScript: the box must be ticked.
        if (form["confirm"] != "yes")
            return await ScreenSliceAsync(http, connection, database, layout, venue, deviceId, manifests, presence, clock,
                FormState.Invalid("remove", form, new() { ["confirm"] = ["Tick the box to confirm you want to remove this screen."] }), null, 200);
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, null, () =>
            DeviceEndpoints.Remove(venue.VenueId, deviceId, http, database, directory, manifests, caller, clock));
        if (outcome.Succeeded) return Results.Redirect("/admin/screens?done=removed");
        return await ScreenSliceAsync(http, connection, database, layout, venue, deviceId, manifests, presence, clock, FormState.From("remove", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> ScreenSliceAsync(HttpContext http, SqliteConnection connection, Database database, LayoutModel layout, AdminVenue venue,
        string deviceId, ManifestService manifests, ScreenPresence presence, IClock clock, FormState form, string? done, int status, string? commandsCursor = null)
    {
        var card = LoadCards(connection, venue, manifests, presence).FirstOrDefault(c => c.Device.DeviceId == deviceId);
        if (card is null) return NotFoundPage(layout, "That screen is not paired here (any more).", "/admin/screens", "See all screens");
        // The API's own paging: ?commands=<cursor> shows older commands, 20 at a time.
        var commandsOutcome = AdminForms.Outcome(await CommandEndpoints.List(venue.VenueId, deviceId, commandsCursor, 20, database, clock, http.RequestAborted));
        if (!commandsOutcome.Succeeded) return BadCursorPage(layout, $"/admin/screens/{deviceId}");
        var commands = commandsOutcome.Value as ItemsResponse<CommandResponse>;
        var slice = ScreenPageSlice.Create(new ScreenPage(layout with { Title = card.Device.Name }, venue, card,
            Concurrency.ETag("device", deviceId, DeviceStore.RowVersion(connection, null, deviceId)), Groups(connection, venue.VenueId),
            Incidents(connection, venue.VenueId, deviceId, openOnly: false, limit: 20), commands?.Items ?? [], Zones, form, done)
        {
            CommandsCursor = commandsCursor,
            OlderCommands = commands?.NextCursor,
        });
        slice.StatusCode = status;
        return slice;
    }

    internal static readonly string[] Zones = [.. DateTimeZoneProviders.Tzdb.Ids.Order(StringComparer.Ordinal)];

    internal static List<(string Id, string Name)> Groups(SqliteConnection connection, string venueId) =>
        connection.Query("SELECT group_id, name FROM device_group WHERE venue_id = $venue ORDER BY name COLLATE NOCASE;", null,
            r => (r.GetString(0), r.GetString(1)), ("$venue", venueId));

    /// <summary>Read in the order of index incident_by_venue, or incident_by_device for one screen (migration 0012): no
    /// sort. The screen's condition is left out, not made optional in SQL, so the planner can pick the screen's index.</summary>
    internal static string IncidentsSql(bool oneScreen) => $"""
        SELECT i.incident_id, i.device_id, d.name, i.type, i.severity, i.opened_at_utc, i.resolved_at_utc FROM incident i
        LEFT JOIN device d ON d.device_id = i.device_id
        WHERE i.venue_id = $venue {(oneScreen ? "AND i.device_id = $device" : "")} AND ($open = 0 OR i.resolved_at_utc IS NULL)
          AND ((i.resolved_at_utc IS NOT NULL) > $resolved
            OR ((i.resolved_at_utc IS NOT NULL) = $resolved AND (i.opened_at_utc, i.incident_id) < ($opened, $id)))
        ORDER BY i.resolved_at_utc IS NOT NULL, i.opened_at_utc DESC, i.incident_id DESC LIMIT $limit;
        """;

    /// <summary>Incidents for the pages (open first, newest first), with the screen's name; with a page, those
    /// after its cursor (the API's key: resolved or not, opened at, id; one more than the page).</summary>
    internal static List<IncidentView> Incidents(SqliteConnection connection, string venueId, string? deviceId, bool openOnly, int limit, ListPage? page = null) =>
        connection.Query(IncidentsSql(deviceId is not null), null, r => new IncidentView(r.GetString(0), r.GetString(1), r.NullableString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.NullableString(6)),
            ("$venue", venueId), ("$device", deviceId), ("$open", openOnly ? 1 : 0),
            ("$resolved", page?.Integer(0, 0) ?? 0), ("$opened", page?.Text(1, "~") ?? "~"), ("$id", page?.Text(2, "~") ?? "~"), ("$limit", page?.Fetch ?? limit));

    /// <summary>A page's cursor that no link of ours gave out (edited by hand, or from another list).</summary>
    internal static IResult BadCursorPage(LayoutModel layout, string back)
    {
        var slice = MessagePageSlice.Create(new MessagePage(layout with { Title = "Not found" }, "That page of the list does not exist: start again from the newest.", back, "Back to the newest"));
        slice.StatusCode = StatusCodes.Status400BadRequest;
        return slice;
    }

    private static bool On(IFormCollection form, string field) => form[field] == "on";

    /// <summary>The 403 page, before a form is even read, when the signed-in person lacks the role.
    /// (The API handler a form runs checks again; this keeps a viewer from seeing form-level notes.)</summary>
    internal static IResult? Refused(LayoutModel layout, AdminVenue venue, VenueRank minimum)
    {
        if (venue.Rank >= minimum) return null;
        var slice = MessagePageSlice.Create(new MessagePage(layout with { Title = "Not allowed" },
            $"This needs the {minimum.ToString().ToUpperInvariant()} role; you have {venue.Rank.ToString().ToUpperInvariant()}. Ask your manager.", "/admin", "Back to the dashboard"));
        slice.StatusCode = StatusCodes.Status403Forbidden;
        return slice;
    }

    internal static IResult NotFoundPage(LayoutModel layout, string message, string back, string backText)
    {
        var slice = MessagePageSlice.Create(new MessagePage(layout with { Title = "Not found" }, message, back, backText));
        slice.StatusCode = StatusCodes.Status404NotFound;
        return slice;
    }
}
