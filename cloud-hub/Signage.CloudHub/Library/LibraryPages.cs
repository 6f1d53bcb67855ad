using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Pages;
using Signage.Contracts;
using Signage.Media;
using Signage.Web.Admin;

namespace Signage.CloudHub.Library;

public sealed record LibraryView(HubLayout Layout, bool CanEdit, IReadOnlyList<HubAsset> Assets, IReadOnlyList<LibraryPlaylistResponse> Playlists,
    FormState Form, string? Done);

/// <summary>
/// The shared library's page (every tenant member reads it; editing needs TENANT_ADMIN or
/// EDIT_SHARED_LIBRARY, as in the API): assets with thumbnails, uploads (the page's script sends each
/// file to <c>POST /v1/library/assets</c> with a progress bar; without JavaScript the form posts here),
/// and the shared playlists.
/// </summary>
public static class LibraryPages
{
    public static IEndpointRouteBuilder MapLibraryPages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapPageGroup().RequireTenantMember();
        pages.MapGet("/library", Library);
        pages.MapPost("/library", Upload)
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MediaLimits.Default.MaxVideoBytes))
            .WithFormOptions(multipartBodyLengthLimit: MediaLimits.Default.MaxVideoBytes);
        pages.MapPost("/library/playlists", CreatePlaylist);
        return app;
    }

    private static Task<IResult> Library(string? done, HttpContext http, HubCaller caller, HubDatabase database) =>
        LibraryPage(http, caller, database, FormState.Empty, done == "uploaded" ? "Uploaded." : null);

    /// <summary>The form without JavaScript: one file, checked and stored exactly as the API's upload.</summary>
    private static async Task<IResult> Upload(IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IBlobStore blobs, Thumbnailer thumbnails,
        IClock clock)
    {
        if (form.Files.GetFile("file") is not { Length: > 0 } file)
            return await LibraryPage(http, caller, database, FormState.Invalid("upload", form, new() { ["file"] = ["Choose a picture or video first."] }), null);
        await using var content = file.OpenReadStream();
        var outcome = AdminForms.Outcome(await AssetEndpoints.UploadAsync(Path.GetFileName(file.FileName), content, caller, database, blobs, thumbnails, clock,
            http.RequestAborted));
        if (outcome.Succeeded) return Results.Redirect("/admin/library?done=uploaded");
        return HubPages.RefusedPage(http, outcome) ?? await LibraryPage(http, caller, database, FormState.From("upload", form, outcome), null);
    }

    private static async Task<IResult> CreatePlaylist(IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        var outcome = AdminForms.Outcome(await PlaylistEndpoints.Create(new CreateLibraryPlaylistRequest(form["name"].ToString()), caller, http, database, clock));
        if (outcome.Value is LibraryPlaylistResponse created) return Results.Redirect($"/admin/library/playlists/{created.PlaylistId}");
        return HubPages.RefusedPage(http, outcome) ?? await LibraryPage(http, caller, database, FormState.From("playlist", form, outcome), null);
    }

    private static async Task<IResult> LibraryPage(HttpContext http, HubCaller caller, HubDatabase database, FormState form, string? done)
    {
        var assets = await HubPages.AllAsync<HubAsset>((cursor, limit) => AssetEndpoints.List(cursor, limit, caller, database, http.RequestAborted));
        var playlists = await HubPages.AllAsync<LibraryPlaylistResponse>((cursor, limit) => PlaylistEndpoints.List(cursor, limit, caller, database, http.RequestAborted));
        return LibrarySlice.Create(new LibraryView(HubPages.Layout(http, "Shared library", "library"), caller.MayEditLibrary, assets, playlists, form, done));
    }
}
