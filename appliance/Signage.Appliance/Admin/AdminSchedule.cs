using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Admin.Slices;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Playlists;
using Signage.Appliance.Schedules;
using Signage.Contracts;
using Signage.Scheduling;
using Signage.Web.Admin;

namespace Signage.Appliance.Admin;

/// <summary>
/// The schedule: a week drawn in venue-local time, the slot form, "what plays on screen X at
/// time T" (the API's resolve preview, over the published schedule), publish and rollback.
/// </summary>
public static partial class AdminEndpoints
{
    private static readonly LocalDateTimePattern LocalInput = LocalDateTimePattern.CreateWithInvariantCulture("uuuu'-'MM'-'dd'T'HH':'mm");

    public static IEndpointRouteBuilder MapAdminSchedule(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/schedule", Schedule).RequirePageRole(VenueRank.Viewer);
        app.MapPost("/admin/schedule/slots", SaveSlot).RequirePageRole(VenueRank.Editor);
        app.MapPost("/admin/schedule/slots/{slotId}/delete", DeleteSlot).RequirePageRole(VenueRank.Editor);
        app.MapPost("/admin/schedule/publish", PublishSchedule).RequirePageRole(VenueRank.Manager);
        app.MapPost("/admin/schedule/rollback", RollbackSchedule).RequirePageRole(VenueRank.Manager);
        return app;
    }

    private static async Task<IResult> Schedule(string? edit, string? target, string? at, string? done, HttpContext http, Database database,
        IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Schedule", "schedule") is not ({ } layout, { } venue)) return ToSignIn("/admin/schedule");
        var preview = target is null ? null : await PreviewAsync(venue, target, at, database, clock, http.RequestAborted);
        return ScheduleSlice(connection, layout, venue, clock, edit, preview, FormState.Empty, done switch
        {
            "saved" => "Slot saved in the draft. Publish the schedule to make screens follow it.",
            "deleted" => "Slot deleted from the draft. Publish the schedule to make it count.",
            "published" => "Schedule published. Screens follow it within a few seconds.",
            "rolledback" => "Earlier schedule restored as a new published version.",
            _ => null,
        }, StatusCodes.Status200OK);
    }

    /// <summary>Adds a slot, or updates the one named by the form's slotId.</summary>
    private static async Task<IResult> SaveSlot(IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Schedule", "schedule") is not ({ } layout, { } venue)) return ToSignIn();
        if (Refused(layout, venue, VenueRank.Editor) is { } refused) return refused;
        var slotId = form["slotId"].ToString();
        var (request, errors) = SlotFromForm(form);
        if (request is null) return ScheduleSlice(connection, layout, venue, clock, slotId, null, FormState.Invalid("slot", form, errors), null, 200);
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Editor, form["etag"], () => slotId.Length == 0
            ? ScheduleEndpoints.AddSlot(venue.VenueId, request, http, database, clock)
            : ScheduleEndpoints.UpdateSlot(venue.VenueId, slotId, request, http, database, clock));
        if (outcome.Succeeded) return Results.Redirect("/admin/schedule?done=saved");
        return ScheduleSlice(connection, layout, venue, clock, slotId, null, FormState.From("slot", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    /// <summary>The slot the form describes; the page only turns text into numbers, the API judges the slot.</summary>
    private static (SlotRequest?, Dictionary<string, string[]>) SlotFromForm(IFormCollection form)
    {
        var errors = new Dictionary<string, string[]>();
        var target = form["target"].ToString().Split(':', 2);
        if (target.Length != 2) errors["targetId"] = ["Pick the screens this slot plays on."];
        var mask = 0;
        for (var day = 0; day < 7; day++)
        {
            if (form[$"day{day}"].ToString() == "on") mask |= 1 << day;
        }
        if (mask == 0) errors["slot"] = ["Tick at least one day."];
        var start = ParseTime(form["start"], "start", errors);
        var end = ParseTime(form["end"], "end", errors);
        var priority = 0;
        if (form["priority"].ToString().Trim() is { Length: > 0 } p && !int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out priority))
            errors["priority"] = ["Priority is a whole number, such as 0 or 10."];
        if (errors.Count > 0) return (null, errors);
        return (new SlotRequest(target[0], target[1], form["playlistId"].ToString(), mask, start, end, priority,
            Blank(form["validFrom"]), Blank(form["validTo"]), form["enabled"].ToString() == "on"), errors);
    }

    private static int ParseTime(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (LocalTimePattern.CreateWithInvariantCulture("HH':'mm").Parse(text?.Trim() ?? "") is { Success: true } parsed) return parsed.Value.Hour * 60 + parsed.Value.Minute;
        errors[field] = ["Give a time such as 17:30."];
        return 0;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static async Task<IResult> DeleteSlot(string slotId, IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Schedule", "schedule") is not ({ } layout, { } venue)) return ToSignIn();
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Editor, form["etag"], () =>
            ScheduleEndpoints.DeleteSlot(venue.VenueId, slotId, http, database, clock));
        if (outcome.Succeeded) return Results.Redirect("/admin/schedule?done=deleted");
        return ScheduleSlice(connection, layout, venue, clock, slotId, null, FormState.From("slot", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> PublishSchedule(IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, RateLimiter limiter, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Schedule", "schedule") is not ({ } layout, { } venue)) return ToSignIn();
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, form["etag"], () =>
            ScheduleEndpoints.Publish(venue.VenueId, http, database, caller, limiter, clock));
        if (outcome.Succeeded) return Results.Redirect("/admin/schedule?done=published");
        return ScheduleSlice(connection, layout, venue, clock, null, null, FormState.From("publish", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> RollbackSchedule(IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, RateLimiter limiter, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Schedule", "schedule") is not ({ } layout, { } venue)) return ToSignIn();
        if (Refused(layout, venue, VenueRank.Manager) is { } refused) return refused;
        if (!long.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            return ScheduleSlice(connection, layout, venue, clock, null, null, FormState.Invalid("publish", form, new() { ["version"] = ["Pick a version to restore."] }), null, 200);
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, form["etag"], () =>
            ScheduleEndpoints.Rollback(venue.VenueId, new RollbackRequest(version), http, database, caller, limiter, clock));
        if (outcome.Succeeded) return Results.Redirect("/admin/schedule?done=rolledback");
        return ScheduleSlice(connection, layout, venue, clock, null, null, FormState.From("publish", form, outcome), null, AdminForms.PageStatus(outcome));
    }

    /// <summary>The API's resolve preview for "DEVICE:id" or "GROUP:id" at a venue-local time typed in the page.</summary>
    private static async Task<PreviewView> PreviewAsync(AdminVenue venue, string target, string? at, Database database, IClock clock, CancellationToken cancellationToken)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(venue.Timezone) ?? DateTimeZone.Utc;
        var instant = clock.GetCurrentInstant();
        if (!string.IsNullOrWhiteSpace(at))
        {
            if (LocalInput.Parse(at.Trim()) is not { Success: true } local)
                return new PreviewView(target, at, null, "Give the time as a date and time, such as 2026-11-27T18:30.");
            instant = local.Value.InZoneLeniently(zone).ToInstant();
        }
        var parts = target.Split(':', 2);
        if (parts.Length != 2 || parts[0] is not ("DEVICE" or "GROUP")) return new PreviewView(target, at, null, "Pick a screen or a group.");
        var outcome = AdminForms.Outcome(await ResolveEndpoints.Resolve(venue.VenueId, parts[0] == "DEVICE" ? parts[1] : null, parts[0] == "GROUP" ? parts[1] : null,
            InstantPattern.ExtendedIso.Format(instant), database, clock, cancellationToken));
        return new PreviewView(target, string.IsNullOrWhiteSpace(at) ? LocalInput.Format(instant.InZone(zone).LocalDateTime) : at, outcome.Value as ResolveResponse, outcome.Detail);
    }

    private static IResult ScheduleSlice(SqliteConnection connection, LayoutModel layout, AdminVenue venue, IClock clock, string? editSlotId,
        PreviewView? preview, FormState form, string? done, int status)
    {
        var set = ScheduleStore.LoadSet(connection, null, venue.VenueId, clock.GetCurrentInstant());
        var slots = ScheduleStore.DraftSlots(connection, null, venue.VenueId);
        var playlists = PlaylistStore.List(connection, venue.VenueId);
        var targets = Groups(connection, venue.VenueId).Select(g => ($"GROUP:{g.Id}", $"Group: {g.Name}"))
            .Concat(connection.Query("SELECT device_id, name FROM device WHERE venue_id = $venue ORDER BY name COLLATE NOCASE;", null,
                r => ($"DEVICE:{r.GetString(0)}", $"Screen: {r.GetString(1)}"), ("$venue", venue.VenueId)))
            .ToList();
        var versions = connection.Query("""
            SELECT version, published_at_utc, rolled_back_from_version, (SELECT COUNT(*) FROM schedule_published_slot s WHERE s.venue_id = p.venue_id AND s.version = p.version)
            FROM schedule_published p WHERE venue_id = $venue ORDER BY version DESC LIMIT 20;
            """, null, r => new ScheduleVersionView(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetInt32(3)), ("$venue", venue.VenueId));
        var slice = SchedulePageSlice.Create(new SchedulePage(layout, venue, set.ETag, set.PublishedVersion, slots, playlists, targets,
            slots.FirstOrDefault(s => s.SlotId == editSlotId), versions, preview, form, done));
        slice.StatusCode = status;
        return slice;
    }
}
