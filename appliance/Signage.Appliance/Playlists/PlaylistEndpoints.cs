using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Campaigns;
using Signage.Appliance.Data;
using Signage.Appliance.Player;
using Signage.Appliance.Venues;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Playlists;

/// <summary>
/// Venue playlists (spec 6, 15, 16, 26.7, 27.6): staff edit a draft under If-Match; publishing
/// freezes it into an immutable numbered version that screens play; any earlier version can be
/// restored, as a new version.
/// </summary>
public static class PlaylistEndpoints
{
    public const int MaxItems = 500;
    public static readonly RateLimit PublishPerTenant = new("publish-tenant", 10, Duration.FromMinutes(1));

    public static IEndpointRouteBuilder MapPlaylists(this IEndpointRouteBuilder app)
    {
        var playlists = app.MapGroup("/v1/venues/{venueId}/playlists");
        playlists.MapGet("", List).RequireVenueRole(VenueRank.Viewer);
        playlists.MapPost("", Create).RequireVenueRole(VenueRank.Editor);
        playlists.MapGet("/{playlistId}", Get).RequireVenueRole(VenueRank.Viewer);
        playlists.MapPut("/{playlistId}", Update).RequireVenueRole(VenueRank.Editor);
        playlists.MapPut("/{playlistId}/items", SetItems).RequireVenueRole(VenueRank.Editor);
        playlists.MapPut("/{playlistId}/reorder", Reorder).RequireVenueRole(VenueRank.Editor);
        playlists.MapPost("/{playlistId}/publish", Publish).RequireVenueRole(VenueRank.Manager).ChangesPlayback();
        playlists.MapGet("/{playlistId}/versions", Versions).RequireVenueRole(VenueRank.Viewer);
        playlists.MapPost("/{playlistId}/rollback", Rollback).RequireVenueRole(VenueRank.Manager).ChangesPlayback();
        playlists.MapDelete("/{playlistId}", Delete).RequireVenueRole(VenueRank.Editor);
        return app;
    }

    /// <summary>By name, cursor-paginated (spec 27.1).</summary>
    private static async Task<IResult> List(string venueId, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(page.Answer(PlaylistStore.List(connection, venueId, page), p => [p.Name, p.PlaylistId]));
    }

    internal static async Task<IResult> Create(string venueId, CreatePlaylistRequest request, HttpContext http, Database database, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (ValidateHeader(connection, transaction, venueId, request.Name, request.CampaignId) is { Count: > 0 } errors) return ProblemResponses.Invalid(errors);
        var playlistId = Ids.New("pl");
        var now = Sql.Utc(clock.GetCurrentInstant());
        connection.Execute("""
            INSERT INTO playlist (playlist_id, venue_id, name, campaign_id, created_at_utc, updated_at_utc)
            VALUES ($playlist, $venue, $name, $campaign, $now, $now);
            """, transaction, ("$playlist", playlistId), ("$venue", venueId), ("$name", request.Name.Trim()), ("$campaign", request.CampaignId), ("$now", now));
        transaction.Commit();
        return Draft(http, connection, venueId, playlistId, created: true);
    }

    private static async Task<IResult> Get(string venueId, string playlistId, HttpContext http, Database database)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        return Draft(http, connection, venueId, playlistId);
    }

    internal static Task<IResult> Update(string venueId, string playlistId, UpdatePlaylistRequest request, HttpContext http, Database database, IClock clock) =>
        EditDraftAsync(venueId, playlistId, http, database, clock, (connection, transaction, _) =>
        {
            if (ValidateHeader(connection, transaction, venueId, request.Name, request.CampaignId) is { Count: > 0 } errors) return ProblemResponses.Invalid(errors);
            connection.Execute("UPDATE playlist SET name = $name, campaign_id = $campaign WHERE playlist_id = $playlist;", transaction,
                ("$name", request.Name.Trim()), ("$campaign", request.CampaignId), ("$playlist", playlistId));
            return null;
        });

    internal static Task<IResult> SetItems(string venueId, string playlistId, SetPlaylistItemsRequest request, HttpContext http, Database database, IClock clock) =>
        EditDraftAsync(venueId, playlistId, http, database, clock, (connection, transaction, _) =>
        {
            var problems = new List<string>();
            if (request.Items.Length > MaxItems) problems.Add($"A playlist holds at most {MaxItems} items.");
            for (var i = 0; i < request.Items.Length && problems.Count < 20; i++)
            {
                var item = request.Items[i];
                var asset = PlaylistStore.LoadAsset(connection, transaction, venueId, item.AssetId);
                if (asset is null) problems.Add($"Item {i + 1}: no asset '{item.AssetId}' in this venue.");
                else if (asset.Status == "FAILED") problems.Add($"Item {i + 1}: asset '{item.AssetId}' failed processing and cannot be played.");
                if (item.DurationMs is { } ms && ms is < 1_000 or > 3_600_000) problems.Add($"Item {i + 1}: duration must be between 1 second and 1 hour.");
            }
            if (problems.Count > 0) return ProblemResponses.Invalid(new() { ["items"] = [.. problems] });
            PlaylistStore.ReplaceItems(connection, transaction, playlistId, request.Items);
            return null;
        });

    internal static Task<IResult> Reorder(string venueId, string playlistId, ReorderPlaylistRequest request, HttpContext http, Database database, IClock clock) =>
        EditDraftAsync(venueId, playlistId, http, database, clock, (connection, transaction, header) =>
        {
            var draft = PlaylistStore.LoadDraft(connection, transaction, header);
            var current = draft.Items.Select(i => i.ItemId).Order(StringComparer.Ordinal);
            if (!current.SequenceEqual(request.ItemIds.Order(StringComparer.Ordinal)))
                return ProblemResponses.Invalid(new() { ["itemIds"] = ["List every item id of the draft exactly once."] });
            var byId = draft.Items.ToDictionary(i => i.ItemId);
            PlaylistStore.ReplaceItems(connection, transaction, playlistId,
                request.ItemIds.Select(id => new PlaylistItemRequest(byId[id].AssetId, byId[id].DurationMs, byId[id].Enabled)));
            return null;
        });

    internal static async Task<IResult> Publish(string venueId, string playlistId, HttpContext http, Database database, Caller caller, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, PublishPerTenant, caller.TenantId) is { } refused) return refused;
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (PlaylistStore.LoadHeader(connection, transaction, venueId, playlistId) is not { } header) return Authentication.NotFound("playlist");
        if (Concurrency.Check(http, header.ETag) is { } precondition) return precondition;

        var draft = PlaylistStore.LoadDraft(connection, transaction, header);
        var items = draft.Items.Where(i => i.Enabled).Select(i => new PlaylistItemRequest(i.AssetId, i.DurationMs)).ToList();
        if (Snapshot(connection, transaction, venueId, items) is not { } snapshot) return NotPlayable(connection, transaction, venueId, items);
        Freeze(connection, transaction, venueId, header, snapshot, caller, clock.GetCurrentInstant(), rolledBackFrom: null);
        transaction.Commit();
        http.Response.Headers.Location = $"/v1/venues/{venueId}/playlists/{playlistId}/versions";
        return Draft(http, connection, venueId, playlistId);
    }

    /// <summary>Restores an earlier published version as a new version, and makes it the draft again.</summary>
    internal static async Task<IResult> Rollback(string venueId, string playlistId, RollbackRequest request, HttpContext http, Database database, Caller caller, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, PublishPerTenant, caller.TenantId) is { } refused) return refused;
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (PlaylistStore.LoadHeader(connection, transaction, venueId, playlistId) is not { } header) return Authentication.NotFound("playlist");
        if (Concurrency.Check(http, header.ETag) is { } precondition) return precondition;
        if (PlaylistStore.LoadVersions(connection, transaction, playlistId, request.Version).SingleOrDefault() is not { } target)
            return ProblemResponses.Invalid(new() { ["version"] = [$"This playlist has no published version {request.Version}."] });

        var items = target.Items.Select(i => new PlaylistItemRequest(i.AssetId, i.DurationMs)).ToList();
        if (Snapshot(connection, transaction, venueId, items) is not { } snapshot) return NotPlayable(connection, transaction, venueId, items);
        connection.Execute("UPDATE playlist SET name = $name, campaign_id = $campaign WHERE playlist_id = $playlist;", transaction,
            ("$name", target.Name), ("$campaign", target.CampaignId is { } c && CampaignEndpoints.Exists(connection, transaction, venueId, c) ? c : null), ("$playlist", playlistId));
        PlaylistStore.ReplaceItems(connection, transaction, playlistId, items);
        Freeze(connection, transaction, venueId, PlaylistStore.LoadHeader(connection, transaction, venueId, playlistId)!, snapshot, caller,
            clock.GetCurrentInstant(), rolledBackFrom: request.Version);
        transaction.Commit();
        return Draft(http, connection, venueId, playlistId);
    }

    /// <summary>Published versions, newest first, cursor-paginated (spec 27.1) by version.</summary>
    private static async Task<IResult> Versions(string venueId, string playlistId, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Integer) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        if (PlaylistStore.LoadHeader(connection, null, venueId, playlistId) is null) return Authentication.NotFound("playlist");
        return TypedResults.Ok(page.Answer(PlaylistStore.LoadVersions(connection, null, playlistId, page: page), v => [ListPage.Part(v.Version)]));
    }

    /// <summary>Refused while the schedule (draft or published) or the venue's fallback names the playlist.</summary>
    internal static async Task<IResult> Delete(string venueId, string playlistId, HttpContext http, Database database, Caller caller, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (PlaylistStore.LoadHeader(connection, transaction, venueId, playlistId) is not { } header) return Authentication.NotFound("playlist");
        if (Concurrency.Check(http, header.ETag) is { } precondition) return precondition;
        var uses = connection.Scalar<long>("""
            SELECT (SELECT COUNT(*) FROM schedule_slot WHERE playlist_id = $playlist)
                 + (SELECT COUNT(*) FROM schedule_published_slot p JOIN schedule_set s ON s.venue_id = p.venue_id AND s.published_version = p.version
                    WHERE p.playlist_id = $playlist)
                 + (SELECT COUNT(*) FROM venue WHERE fallback_playlist_id = $playlist);
            """, transaction, ("$playlist", playlistId));
        if (uses > 0)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "PLAYLIST_IN_USE",
                "The schedule or the venue's fallback uses this playlist; change them (and publish) first.");
        connection.Execute("DELETE FROM playlist_published_item WHERE playlist_id = $playlist;", transaction, ("$playlist", playlistId));
        connection.Execute("DELETE FROM playlist_published WHERE playlist_id = $playlist;", transaction, ("$playlist", playlistId));
        connection.Execute("DELETE FROM playlist WHERE playlist_id = $playlist;", transaction, ("$playlist", playlistId));
        AuditLog.Write(connection, transaction, clock.GetCurrentInstant(), "PLAYLIST_DELETED", caller.TenantId, venueId, caller.UserId, "playlist", playlistId,
            new() { ["name"] = header.Name });
        transaction.Commit();
        return TypedResults.NoContent();
    }

    /// <summary>Runs a draft edit: 404, If-Match, the edit, then a new ETag — all in one transaction.</summary>
    private static async Task<IResult> EditDraftAsync(string venueId, string playlistId, HttpContext http, Database database, IClock clock,
        Func<SqliteConnection, SqliteTransaction, PlaylistStore.Header, IResult?> edit)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (PlaylistStore.LoadHeader(connection, transaction, venueId, playlistId) is not { } header) return Authentication.NotFound("playlist");
        if (Concurrency.Check(http, header.ETag) is { } precondition) return precondition;
        if (edit(connection, transaction, header) is { } problem) return problem;
        PlaylistStore.Touch(connection, transaction, playlistId, Sql.Utc(clock.GetCurrentInstant()));
        transaction.Commit();
        return Draft(http, connection, venueId, playlistId);
    }

    /// <summary>The frozen items, or null when an asset is missing or not READY (spec 27.10).</summary>
    private static List<PublishedItem>? Snapshot(SqliteConnection connection, SqliteTransaction transaction, string venueId, List<PlaylistItemRequest> items)
    {
        if (items.Count == 0) return null;
        var frozen = new List<PublishedItem>();
        foreach (var item in items)
        {
            var asset = PlaylistStore.LoadAsset(connection, transaction, venueId, item.AssetId);
            if (asset is not { Status: "READY", Sha256: { } sha, MediaType: { } type }) return null;
            var duration = item.DurationMs ?? (type == "VIDEO" && asset.DurationMs is { } ms ? (int)ms : PlaylistStore.DefaultImageDurationMs);
            frozen.Add(new PublishedItem(item.AssetId, sha, type, duration));
        }
        return frozen;
    }

    private static IResult NotPlayable(SqliteConnection connection, SqliteTransaction transaction, string venueId, List<PlaylistItemRequest> items)
    {
        if (items.Count == 0)
            return ProblemResponses.Invalid(new() { ["items"] = ["Add at least one enabled item before publishing."] });
        var problems = items.Select((item, i) => (i, item.AssetId, Asset: PlaylistStore.LoadAsset(connection, transaction, venueId, item.AssetId)))
            .Where(x => x.Asset?.Status != "READY")
            .Select(x => x.Asset is null
                ? $"Item {x.i + 1}: asset '{x.AssetId}' no longer exists."
                : $"Item {x.i + 1}: asset '{x.AssetId}' is {x.Asset.Status}; only READY assets can be published.");
        return ProblemResponses.Invalid(new() { ["items"] = [.. problems] });
    }

    private static long Freeze(SqliteConnection connection, SqliteTransaction transaction, string venueId, PlaylistStore.Header header,
        List<PublishedItem> items, Caller caller, Instant now, long? rolledBackFrom)
    {
        var version = PlaylistStore.NextVersion(connection, transaction, header.PlaylistId);
        connection.Execute("""
            INSERT INTO playlist_published (playlist_id, version, name, campaign_id, published_at_utc, published_by_user_id, rolled_back_from_version)
            VALUES ($playlist, $version, $name, $campaign, $now, $user, $from);
            """, transaction, ("$playlist", header.PlaylistId), ("$version", version), ("$name", header.Name), ("$campaign", header.CampaignId),
            ("$now", Sql.Utc(now)), ("$user", caller.UserId), ("$from", rolledBackFrom));
        for (var position = 0; position < items.Count; position++)
        {
            connection.Execute("""
                INSERT INTO playlist_published_item (playlist_id, version, position, asset_id, sha256, media_type, duration_ms)
                VALUES ($playlist, $version, $position, $asset, $sha, $type, $duration);
                """, transaction, ("$playlist", header.PlaylistId), ("$version", version), ("$position", position), ("$asset", items[position].AssetId),
                ("$sha", items[position].Sha256), ("$type", items[position].MediaType), ("$duration", items[position].DurationMs));
        }
        connection.Execute("UPDATE playlist SET published_version = $version WHERE playlist_id = $playlist;", transaction,
            ("$version", version), ("$playlist", header.PlaylistId));
        PlaylistStore.Touch(connection, transaction, header.PlaylistId, Sql.Utc(now));
        VenueRules.BumpManifestEpoch(connection, transaction, venueId);
        VenueRules.RecordPublish(connection, transaction, venueId, "PLAYLIST", header.PlaylistId, version, rolledBackFrom is not null, caller.UserId, Sql.Utc(now));
        AuditLog.Write(connection, transaction, now, rolledBackFrom is null ? "PLAYLIST_PUBLISHED" : "PLAYLIST_ROLLED_BACK", caller.TenantId, venueId, caller.UserId,
            "playlist", header.PlaylistId, new() { ["version"] = version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["rolledBackFrom"] = rolledBackFrom?.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return version;
    }

    private static Dictionary<string, string[]> ValidateHeader(SqliteConnection connection, SqliteTransaction transaction, string venueId, string name, string? campaignId)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100) errors["name"] = ["Enter a playlist name of 1 to 100 characters."];
        if (campaignId is not null && !CampaignEndpoints.Exists(connection, transaction, venueId, campaignId)) errors["campaignId"] = [$"No campaign '{campaignId}' in this venue."];
        return errors;
    }

    private static IResult Draft(HttpContext http, SqliteConnection connection, string venueId, string playlistId, bool created = false)
    {
        if (PlaylistStore.LoadHeader(connection, null, venueId, playlistId) is not { } header) return Authentication.NotFound("playlist");
        Concurrency.SetETag(http, header.ETag);
        var draft = PlaylistStore.LoadDraft(connection, null, header);
        return created ? TypedResults.Created($"/v1/venues/{venueId}/playlists/{playlistId}", draft) : TypedResults.Ok(draft);
    }
}
