using System.Globalization;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Pages;
using Signage.Contracts;
using Signage.Web.Admin;

namespace Signage.CloudHub.Library;

public sealed record PlaylistVersionView(long Version, string PublishedAtUtc, long? RolledBackFrom);

public sealed record PlaylistView(HubLayout Layout, bool CanEdit, LibraryPlaylistResponse Playlist, string ETag, IReadOnlyList<LibraryPlaylistItemRequest> Rows,
    IReadOnlyDictionary<string, HubAsset> Assets, IReadOnlyList<PlaylistVersionView> Versions, FormState Form, string? Done);

/// <summary>
/// A shared playlist's page: edit the draft (add, remove, reorder, durations; no JavaScript needed),
/// publish it, or roll back to an earlier version. Each form carries the ETag of the draft it showed
/// and calls the API's handler with it as If-Match, so someone else's newer edit is never overwritten.
/// </summary>
public static class PlaylistPages
{
    public static IEndpointRouteBuilder MapPlaylistPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapPageGroup().RequireTenantMember();
        pages.MapGet("/library/playlists/{playlistId}", Playlist);
        pages.MapPost("/library/playlists/{playlistId}/items", SaveItems);
        pages.MapPost("/library/playlists/{playlistId}/publish", Publish);
        pages.MapPost("/library/playlists/{playlistId}/rollback", Rollback);
        return app;
    }

    private static Task<IResult> Playlist(string playlistId, HttpContext http, HubCaller caller, HubDatabase database) =>
        PlaylistPage(http, caller, database, playlistId, null, FormState.Empty, null);

    /// <summary>The rows as the form posted them, then the button's action: save, add, remove:i, up:i, down:i.</summary>
    private static async Task<IResult> SaveItems(string playlistId, IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        var assets = form["asset"];
        var durations = form["duration"];
        var rows = new List<LibraryPlaylistItemRequest>();
        var errors = new Dictionary<string, string[]>();
        for (var i = 0; i < assets.Count; i++)
        {
            var text = i < durations.Count ? durations[i]?.Trim() ?? "" : "";
            int? ms = null;
            if (text.Length > 0)
            {
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 86_400) ms = (int)Math.Round(seconds * 1000);
                else errors["items"] = ["Give the seconds as a number from 1 to 86400, or leave it blank for the content's own length."];
            }
            rows.Add(new LibraryPlaylistItemRequest(assets[i] ?? "", ms, form[$"enabled{i}"].Count > 0));
        }
        if (errors.Count > 0) return await PlaylistPage(http, caller, database, playlistId, rows, FormState.Invalid("items", form, errors), null);
        var action = form["action"].ToString().Split(':');
        var index = action is [_, var number] && int.TryParse(number, CultureInfo.InvariantCulture, out var n) && n >= 0 && n < rows.Count ? n : -1;
        switch (action[0])
        {
            case "add" when form["add"].ToString() is { Length: > 0 } added: rows.Add(new LibraryPlaylistItemRequest(added)); break;
            case "remove" when index >= 0: rows.RemoveAt(index); break;
            case "up" when index > 0: (rows[index - 1], rows[index]) = (rows[index], rows[index - 1]); break;
            case "down" when index >= 0 && index < rows.Count - 1: (rows[index + 1], rows[index]) = (rows[index], rows[index + 1]); break;
        }
        var outcome = await AdminForms.CallAsync(http, caller.MayEditLibrary, EditorsOnly, form["etag"].ToString(),
            () => PlaylistEndpoints.SetItems(playlistId, new SetLibraryPlaylistItemsRequest([.. rows]), caller, http, database, clock));
        return HubPages.RefusedPage(http, outcome) ?? await PlaylistPage(http, caller, database, playlistId, outcome.Succeeded ? null : rows,
            outcome.Succeeded ? FormState.Empty : FormState.From("items", form, outcome), outcome.Succeeded ? "Draft saved." : null);
    }

    private static async Task<IResult> Publish(string playlistId, IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        var outcome = await AdminForms.CallAsync(http, caller.MayEditLibrary, EditorsOnly, form["etag"].ToString(),
            () => PlaylistEndpoints.Publish(playlistId, caller, http, database, clock));
        return HubPages.RefusedPage(http, outcome) ?? await PlaylistPage(http, caller, database, playlistId, null,
            outcome.Succeeded ? FormState.Empty : FormState.From("publish", form, outcome), outcome.Value is LibraryPlaylistResponse p ? $"Published · version {p.PublishedVersion}" : null);
    }

    private static async Task<IResult> Rollback(string playlistId, IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        if (!long.TryParse(form["version"].ToString(), CultureInfo.InvariantCulture, out var version))
            return await PlaylistPage(http, caller, database, playlistId, null, FormState.Invalid("rollback", form, new() { ["version"] = ["Choose a version."] }), null);
        var outcome = await AdminForms.CallAsync(http, caller.MayEditLibrary, EditorsOnly, form["etag"].ToString(),
            () => PlaylistEndpoints.Rollback(playlistId, new RollbackRequest(version), caller, http, database, clock));
        return HubPages.RefusedPage(http, outcome) ?? await PlaylistPage(http, caller, database, playlistId, null,
            outcome.Succeeded ? FormState.Empty : FormState.From("rollback", form, outcome),
            outcome.Value is LibraryPlaylistResponse p ? $"Version {version} is playing again, published as version {p.PublishedVersion}." : null);
    }

    private const string EditorsOnly = "Changing the shared library needs TENANT_ADMIN or the EDIT_SHARED_LIBRARY capability.";

    /// <summary>The page; <paramref name="rows"/> are what was typed when a save was refused (so nothing is lost), else the stored draft.</summary>
    private static async Task<IResult> PlaylistPage(HttpContext http, HubCaller caller, HubDatabase database, string playlistId,
        IReadOnlyList<LibraryPlaylistItemRequest>? rows, FormState form, string? done)
    {
        var outcome = AdminForms.Outcome(await PlaylistEndpoints.Get(playlistId, caller, http, database));
        if (outcome.Value is not LibraryPlaylistResponse playlist) return HubPages.RefusedPage(http, outcome)!;
        var assets = await HubPages.AllAsync<HubAsset>((cursor, limit) => AssetEndpoints.List(cursor, limit, caller, database, http.RequestAborted));
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var versions = await connection.QueryAsync("""
            SELECT v.version, v.published_at, v.rolled_back_from FROM library_playlist_version v JOIN library_playlist p ON p.playlist_id = v.playlist_id
            WHERE v.playlist_id = @id AND p.tenant_id = @tenant ORDER BY v.version DESC;
            """, null, r => new PlaylistVersionView(r.GetInt64(0), Sql.Utc(r.GetDateTime(1)), r.IsDBNull(2) ? null : r.GetInt64(2)),
            ("id", playlistId), ("tenant", caller.TenantId));
        rows ??= [.. playlist.Items.Select(i => new LibraryPlaylistItemRequest(i.AssetId, i.DurationMs, i.Enabled))];
        return PlaylistSlice.Create(new PlaylistView(HubPages.Layout(http, playlist.Name, "library"), caller.MayEditLibrary, playlist,
            PlaylistEndpoints.ETagOf(playlist), rows, assets.ToDictionary(a => a.AssetId), versions, form, done));
    }
}
