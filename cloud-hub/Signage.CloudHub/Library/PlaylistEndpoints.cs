using System.Data.Common;
using System.Text.Json;
using Npgsql;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Sync;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.CloudHub.Library;

/// <summary>
/// Tenant-shared playlists (spec 27.5): a draft edited with If-Match on its ETag, published as an
/// immutable numbered version that venues receive through the change feed, and rolled back by
/// publishing an earlier version's items again as a new version.
/// </summary>
public static class PlaylistEndpoints
{
    public static IEndpointRouteBuilder MapLibraryPlaylists(this IEndpointRouteBuilder app)
    {
        var playlists = app.MapGroup("/v1/library/playlists").RequireTenantMember();
        playlists.MapGet("", List);
        playlists.MapPost("", Create);
        playlists.MapGet("/{playlistId}", Get);
        playlists.MapPut("/{playlistId}/items", SetItems);
        playlists.MapPost("/{playlistId}/publish", Publish);
        playlists.MapPost("/{playlistId}/rollback", Rollback);
        return app;
    }

    private const string Columns = "playlist_id, name, draft_version, published_version, items::text, updated_at";

    private static LibraryPlaylistResponse Read(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt64(2), r.IsDBNull(3) ? null : r.GetInt64(3),
        JsonSerializer.Deserialize(r.GetString(4), ContractsJsonContext.Default.HubPlaylistItemArray) ?? [], Sql.Utc(r.GetDateTime(5)));

    internal static string ETagOf(LibraryPlaylistResponse playlist) => Concurrency.ETag("library-playlist", playlist.PlaylistId, playlist.DraftVersion);

    private static IResult Editors() =>
        Authentication.Forbidden("Changing the shared library needs TENANT_ADMIN or the EDIT_SHARED_LIBRARY capability.");

    /// <summary>By name, cursor-paginated (spec 27.1).</summary>
    internal static async Task<IResult> List(string? cursor, int? limit, HubCaller caller, HubDatabase database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var playlists = await connection.QueryAsync($"""
            SELECT {Columns} FROM library_playlist WHERE tenant_id = @tenant {(page.First ? "" : "AND (name, playlist_id) > (@name, @id)")}
            ORDER BY name, playlist_id LIMIT @limit;
            """, null, Read, ("tenant", caller.TenantId), ("name", page.Text(0, "")), ("id", page.Text(1, "")), ("limit", page.Fetch));
        return TypedResults.Ok(page.Answer(playlists, p => [p.Name, p.PlaylistId]));
    }

    internal static async Task<IResult> Get(string playlistId, HubCaller caller, HttpContext http, HubDatabase database)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (await LoadAsync(connection, null, caller, playlistId) is not { } playlist) return Authentication.NotFound("playlist");
        Concurrency.SetETag(http, ETagOf(playlist));
        return TypedResults.Ok(playlist);
    }

    internal static async Task<IResult> Create(CreateLibraryPlaylistRequest request, HubCaller caller, HttpContext http, HubDatabase database, IClock clock)
    {
        if (!caller.MayEditLibrary) return Editors();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Length > 200) return ProblemResponses.Invalid(new() { ["name"] = ["name is required (at most 200 characters)."] });
        var id = Secrets.NewId("spl");
        await using var connection = await database.OpenAsync(http.RequestAborted);
        await connection.ExecuteAsync("""
            INSERT INTO library_playlist (playlist_id, tenant_id, name, draft_version, updated_at) VALUES (@id, @tenant, @name, 1, @now);
            """, null, ("id", id), ("tenant", caller.TenantId), ("name", request.Name.Trim()), ("now", clock.GetCurrentInstant().ToDateTimeUtc()));
        var playlist = (await LoadAsync(connection, null, caller, id))!;
        Concurrency.SetETag(http, ETagOf(playlist));
        return TypedResults.Created($"/v1/library/playlists/{id}", playlist);
    }

    internal static async Task<IResult> SetItems(string playlistId, SetLibraryPlaylistItemsRequest request, HubCaller caller, HttpContext http, HubDatabase database, IClock clock)
    {
        if (!caller.MayEditLibrary) return Editors();
        if (request.Items.Length > 500) return ProblemResponses.Invalid(new() { ["items"] = ["A playlist has at most 500 items."] });
        if (request.Items.Any(i => i.DurationMs is < 1000 or > 86_400_000))
            return ProblemResponses.Invalid(new() { ["items"] = ["durationMs must be between 1000 and 86400000 when given."] });
        await using var connection = await database.OpenAsync(http.RequestAborted);
        await using var transaction = await connection.BeginTransactionAsync(http.RequestAborted);
        if (await LockAsync(connection, transaction, caller, playlistId) is not { } current) return Authentication.NotFound("playlist");
        if (Concurrency.Check(http, ETagOf(current)) is { } stale) return stale;
        // Items name assets of this tenant's library only: another tenant's asset id is "not found".
        var assetIds = request.Items.Select(i => i.AssetId).Distinct().ToArray();
        var known = await connection.ScalarAsync<long>("SELECT count(*) FROM asset WHERE tenant_id = @tenant AND deleted_at IS NULL AND asset_id = ANY(@ids);",
            transaction, ("tenant", caller.TenantId), ("ids", assetIds));
        if (known != assetIds.Length) return ProblemResponses.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, "An item names an asset that is not in this library.");
        var items = request.Items.Select(i => new HubPlaylistItem(Secrets.NewId("itm"), i.AssetId, i.DurationMs, i.Enabled)).ToArray();
        await connection.ExecuteAsync("UPDATE library_playlist SET items = @items, draft_version = draft_version + 1, updated_at = @now WHERE playlist_id = @id;",
            transaction, ("items", Sql.Jsonb(JsonSerializer.Serialize(items, ContractsJsonContext.Default.HubPlaylistItemArray))),
            ("now", clock.GetCurrentInstant().ToDateTimeUtc()), ("id", playlistId));
        var playlist = (await LoadAsync(connection, transaction, caller, playlistId))!;
        await transaction.CommitAsync(http.RequestAborted);
        Concurrency.SetETag(http, ETagOf(playlist));
        return TypedResults.Ok(playlist);
    }

    /// <summary>Publishes the draft as it is: its draft version becomes the published version.</summary>
    internal static async Task<IResult> Publish(string playlistId, HubCaller caller, HttpContext http, HubDatabase database, IClock clock)
    {
        if (!caller.MayEditLibrary) return Editors();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        await using var transaction = await connection.BeginTransactionAsync(http.RequestAborted);
        if (await LockAsync(connection, transaction, caller, playlistId) is not { } current) return Authentication.NotFound("playlist");
        if (Concurrency.Check(http, ETagOf(current)) is { } stale) return stale;
        if (current.PublishedVersion == current.DraftVersion)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "ALREADY_PUBLISHED", "This draft is already the published version.");
        await PublishAsync(connection, transaction, caller, current, current.Items, current.DraftVersion, null, clock);
        var playlist = (await LoadAsync(connection, transaction, caller, playlistId))!;
        await transaction.CommitAsync(http.RequestAborted);
        Concurrency.SetETag(http, ETagOf(playlist));
        return TypedResults.Ok(playlist);
    }

    /// <summary>Publishes an earlier version's items again, as a new version (history is never rewritten).</summary>
    internal static async Task<IResult> Rollback(string playlistId, RollbackRequest request, HubCaller caller, HttpContext http, HubDatabase database, IClock clock)
    {
        if (!caller.MayEditLibrary) return Editors();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        await using var transaction = await connection.BeginTransactionAsync(http.RequestAborted);
        if (await LockAsync(connection, transaction, caller, playlistId) is not { } current) return Authentication.NotFound("playlist");
        if (Concurrency.Check(http, ETagOf(current)) is { } stale) return stale;
        var itemsJson = await connection.ScalarAsync<string>("SELECT items::text FROM library_playlist_version WHERE playlist_id = @id AND version = @version;",
            transaction, ("id", playlistId), ("version", request.Version));
        if (itemsJson is null) return ProblemResponses.Problem(StatusCodes.Status404NotFound, ProblemCodes.NotFound, $"Version {request.Version} of this playlist was never published.");
        var items = JsonSerializer.Deserialize(itemsJson, ContractsJsonContext.Default.HubPlaylistItemArray) ?? [];
        var version = current.DraftVersion + 1;
        await connection.ExecuteAsync("UPDATE library_playlist SET items = @items::jsonb, draft_version = @version WHERE playlist_id = @id;", transaction,
            ("items", itemsJson), ("version", version), ("id", playlistId));
        await PublishAsync(connection, transaction, caller, current, items, version, request.Version, clock);
        var playlist = (await LoadAsync(connection, transaction, caller, playlistId))!;
        await transaction.CommitAsync(http.RequestAborted);
        Concurrency.SetETag(http, ETagOf(playlist));
        return TypedResults.Ok(playlist);
    }

    private static async Task PublishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, HubCaller caller, LibraryPlaylistResponse current,
        HubPlaylistItem[] items, long version, long? rolledBackFrom, IClock clock)
    {
        var now = clock.GetCurrentInstant().ToDateTimeUtc();
        var itemsJson = JsonSerializer.Serialize(items, ContractsJsonContext.Default.HubPlaylistItemArray);
        await connection.ExecuteAsync("""
            INSERT INTO library_playlist_version (playlist_id, version, items, published_at, published_by, rolled_back_from) VALUES (@id, @version, @items, @now, @by, @from);
            UPDATE library_playlist SET published_version = @version, updated_at = @now WHERE playlist_id = @id;
            """, transaction, ("id", current.PlaylistId), ("version", version), ("items", Sql.Jsonb(itemsJson)), ("now", now), ("by", caller.UserId),
            ("from", rolledBackFrom));
        await ChangeFeed.AppendAsync(connection, transaction, caller.TenantId!, null, SyncProtocol.ChangeKinds.Playlist, current.PlaylistId, SyncProtocol.Operations.Upsert,
            JsonSerializer.Serialize(new HubPlaylist(current.PlaylistId, current.Name, version, items), ContractsJsonContext.Default.HubPlaylist));
    }

    private static Task<LibraryPlaylistResponse?> LoadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, HubCaller caller, string playlistId) =>
        connection.QuerySingleAsync($"SELECT {Columns} FROM library_playlist WHERE playlist_id = @id AND tenant_id = @tenant;", transaction, Read,
            ("id", playlistId), ("tenant", caller.TenantId));

    /// <summary>Reads the playlist and holds its row until commit, so two publishes cannot interleave.</summary>
    private static Task<LibraryPlaylistResponse?> LockAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, HubCaller caller, string playlistId) =>
        connection.QuerySingleAsync($"SELECT {Columns} FROM library_playlist WHERE playlist_id = @id AND tenant_id = @tenant FOR UPDATE;", transaction, Read,
            ("id", playlistId), ("tenant", caller.TenantId));
}
