using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Admin.Slices;
using Signage.Appliance.Assets;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Playlists;
using Signage.Contracts;
using Signage.Web.Admin;

namespace Signage.Appliance.Admin;

/// <summary>
/// The playlist editor: one form holds the whole draft (items in order, durations, on/off), so
/// moving, adding, removing and saving all work without JavaScript; dragging rows only reorders
/// that form before it is sent. Saving, publishing and rollback run the JSON API's handlers.
/// </summary>
public static partial class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminPlaylists(this IEndpointRouteBuilder app)
    {
        app.MapPost("/admin/playlists", CreatePlaylist).RequirePageRole(VenueRank.Editor);
        app.MapGet("/admin/playlists/{playlistId}", Playlist).RequirePageRole(VenueRank.Viewer);
        app.MapPost("/admin/playlists/{playlistId}/items", SavePlaylist).RequirePageRole(VenueRank.Editor);
        app.MapPost("/admin/playlists/{playlistId}/publish", PublishPlaylist).RequirePageRole(VenueRank.Manager);
        app.MapPost("/admin/playlists/{playlistId}/rollback", RollbackPlaylist).RequirePageRole(VenueRank.Manager);
        app.MapPost("/admin/playlists/{playlistId}/presence", PlaylistPresence).RequirePageRole(VenueRank.Viewer, fragment: true);
        return app;
    }

    private static async Task<IResult> CreatePlaylist(IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Playlists", "content") is not ({ } layout, { } venue)) return ToSignIn();
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Editor, null, () =>
            PlaylistEndpoints.Create(venue.VenueId, new CreatePlaylistRequest(form["name"].ToString()), http, database, clock));
        if (outcome.Succeeded && outcome.Value is PlaylistResponse created) return Results.Redirect($"/admin/playlists/{created.PlaylistId}");
        return ContentSlice(connection, layout, venue, clock, FormState.From("playlist", form, outcome), AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> Playlist(string playlistId, string? done, HttpContext http, Database database, IAntiforgery antiforgery, EditorPresence presence)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Playlist", "content") is not ({ } layout, { } venue)) return ToSignIn($"/admin/playlists/{playlistId}");
        return PlaylistSlice(http, connection, layout, venue, playlistId, presence, FormState.Empty, done switch
        {
            "saved" => "Draft saved. Publish it when you are ready; screens keep playing the published version until then.",
            "published" => "Published. Screens pick it up within a few seconds.",
            "rolledback" => "Restored as a new published version.",
            _ => null,
        }, null, StatusCodes.Status200OK);
    }

    private static async Task<IResult> SavePlaylist(string playlistId, IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery,
        EditorPresence presence, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Playlist", "content") is not ({ } layout, { } venue)) return ToSignIn();
        if (Refused(layout, venue, VenueRank.Editor) is { } refused) return refused;
        var (items, errors) = ItemsFromForm(form);
        if (errors.Count > 0) return PlaylistSlice(http, connection, layout, venue, playlistId, presence, FormState.Invalid("items", form, errors), null, items, 200);
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Editor, form["etag"], () =>
            PlaylistEndpoints.SetItems(venue.VenueId, playlistId, new SetPlaylistItemsRequest([.. items]), http, database, clock));
        if (outcome.Succeeded) return Results.Redirect($"/admin/playlists/{playlistId}?done=saved");
        return PlaylistSlice(http, connection, layout, venue, playlistId, presence, FormState.From("items", form, outcome), null, items, AdminForms.PageStatus(outcome));
    }

    /// <summary>The draft the form describes: its rows in order, with the move/remove/add button that was pressed applied.</summary>
    private static (List<PlaylistItemRequest> Items, Dictionary<string, string[]> Errors) ItemsFromForm(IFormCollection form)
    {
        var assets = form["asset"];
        var durations = form["duration"];
        var rows = new List<PlaylistItemRequest>();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < assets.Count; i++)
        {
            int? ms = null;
            var text = i < durations.Count ? durations[i]?.Trim() ?? "" : "";
            if (text.Length > 0)
            {
                if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds < 1_000_000) ms = (int)Math.Round(seconds * 1000);
                else errors[$"duration{i}"] = ["Give the seconds as a number, such as 8 or 7.5."];
            }
            // A checkbox is only sent when ticked; each row names its own.
            rows.Add(new PlaylistItemRequest(assets[i] ?? "", ms, form[$"enabled{i}"].ToString() == "on"));
        }
        var action = form["action"].ToString();
        var parts = action.Split(':');
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at < rows.Count)
        {
            switch (parts[0])
            {
                case "up" when at > 0: (rows[at - 1], rows[at]) = (rows[at], rows[at - 1]); break;
                case "down" when at < rows.Count - 1: (rows[at + 1], rows[at]) = (rows[at], rows[at + 1]); break;
                case "remove": rows.RemoveAt(at); break;
            }
        }
        if (action == "add")
        {
            if (form["add"].ToString() is { Length: > 0 } asset) rows.Add(new PlaylistItemRequest(asset));
            else errors["add"] = ["Pick something from the library to add."];
        }
        return (rows, errors);
    }

    private static async Task<IResult> PublishPlaylist(string playlistId, IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery,
        EditorPresence presence, RateLimiter limiter, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Playlist", "content") is not ({ } layout, { } venue)) return ToSignIn();
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, form["etag"], () =>
            PlaylistEndpoints.Publish(venue.VenueId, playlistId, http, database, caller, limiter, clock));
        if (outcome.Succeeded) return Results.Redirect($"/admin/playlists/{playlistId}?done=published");
        return PlaylistSlice(http, connection, layout, venue, playlistId, presence, FormState.From("publish", form, outcome), null, null, AdminForms.PageStatus(outcome));
    }

    private static async Task<IResult> RollbackPlaylist(string playlistId, IFormCollection form, HttpContext http, Database database, IAntiforgery antiforgery,
        EditorPresence presence, RateLimiter limiter, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Playlist", "content") is not ({ } layout, { } venue)) return ToSignIn();
        if (Refused(layout, venue, VenueRank.Manager) is { } refused) return refused;
        if (!long.TryParse(form["version"], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            return PlaylistSlice(http, connection, layout, venue, playlistId, presence, FormState.Invalid("history", form, new() { ["version"] = ["Pick a version to restore."] }), null, null, 200);
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, form["etag"], () =>
            PlaylistEndpoints.Rollback(venue.VenueId, playlistId, new RollbackRequest(version), http, database, caller, limiter, clock));
        if (outcome.Succeeded) return Results.Redirect($"/admin/playlists/{playlistId}?done=rolledback");
        return PlaylistSlice(http, connection, layout, venue, playlistId, presence, FormState.From("history", form, outcome), null, null, AdminForms.PageStatus(outcome));
    }

    /// <summary>The editor page's heartbeat: answers who else has this playlist open, as plain text.</summary>
    private static async Task<IResult> PlaylistPresence(string playlistId, HttpContext http, Database database, EditorPresence presence)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Caller.Of(http) is not { } caller || VenueOf(connection, caller) is not { } venue) return TypedResults.Unauthorized();
        if (PlaylistStore.LoadHeader(connection, null, venue.VenueId, playlistId) is null) return TypedResults.NotFound();
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Text(PresenceText(presence.Beat($"playlist:{playlistId}", caller.UserId, caller.DisplayName)));
    }

    internal static string PresenceText(IReadOnlyList<string> others) => others.Count switch
    {
        0 => "",
        1 => $"{others[0]} is also editing this playlist right now.",
        _ => $"{string.Join(", ", others.Take(others.Count - 1))} and {others[^1]} are also editing this playlist right now.",
    };

    private static IResult PlaylistSlice(HttpContext http, SqliteConnection connection, LayoutModel layout, AdminVenue venue, string playlistId,
        EditorPresence presence, FormState form, string? done, List<PlaylistItemRequest>? typed, int status)
    {
        if (PlaylistStore.LoadHeader(connection, null, venue.VenueId, playlistId) is not { } header)
            return NotFoundPage(layout, "That playlist does not exist (any more).", "/admin/content", "See all playlists");
        var draft = PlaylistStore.LoadDraft(connection, null, header);
        var versions = PlaylistStore.LoadVersions(connection, null, playlistId);
        var assets = AssetStore.List(connection, venue.VenueId, new AssetFilter(null, null, null), null, 500);
        var caller = Caller.Of(http)!;
        // After a refusal the rows are what the person sent (moved, added), so nothing they did is lost.
        var rows = typed?.Select(i => new EditorRow(i.AssetId, i.DurationMs, i.Enabled)).ToList()
            ?? [.. draft.Items.Select(i => new EditorRow(i.AssetId, i.DurationMs, i.Enabled))];
        var published = versions.FirstOrDefault(v => v.Version == header.PublishedVersion);
        var unpublished = published is null || !published.Items.Select(p => (p.AssetId, (int?)p.DurationMs))
            .SequenceEqual(draft.Items.Where(i => i.Enabled).Select(i => (i.AssetId, i.DurationMs ?? DefaultDuration(assets, i.AssetId))));
        var slice = PlaylistPageSlice.Create(new PlaylistPage(layout with { Title = header.Name }, venue, draft, header.ETag, rows,
            assets.ToDictionary(a => a.AssetId), versions, unpublished, PresenceText(presence.Beat($"playlist:{playlistId}", caller.UserId, caller.DisplayName)), form, done));
        slice.StatusCode = status;
        return slice;
    }

    /// <summary>What publishing would freeze for an item without its own duration (the video's length, else the image default).</summary>
    private static int? DefaultDuration(List<AssetResponse> assets, string assetId)
    {
        var asset = assets.FirstOrDefault(a => a.AssetId == assetId);
        return asset?.MediaType == "VIDEO" && asset.DurationMs is { } ms ? (int)ms : PlaylistStore.DefaultImageDurationMs;
    }

    private static IResult ContentSlice(SqliteConnection connection, LayoutModel layout, AdminVenue venue, IClock clock, FormState form, int status)
    {
        var set = Schedules.ScheduleStore.LoadSet(connection, null, venue.VenueId, clock.GetCurrentInstant());
        var schedule = new ScheduleSetResponse(set.DraftVersion, set.PublishedVersion, [.. Schedules.ScheduleStore.DraftSlots(connection, null, venue.VenueId)]);
        var slice = Slices.ContentSlice.Create(new ContentPage(layout, venue, PlaylistStore.List(connection, venue.VenueId), schedule, form));
        slice.StatusCode = status;
        return slice;
    }
}
