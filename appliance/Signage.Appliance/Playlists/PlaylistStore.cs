using Microsoft.Data.Sqlite;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Playlists;

/// <summary>The playlist feature's SQL: drafts, published snapshots, and the assets they name.</summary>
internal static class PlaylistStore
{
    public const int DefaultImageDurationMs = 10_000;

    public sealed record Header(string PlaylistId, string Name, string? CampaignId, long DraftVersion, long? PublishedVersion, string UpdatedAtUtc)
    {
        public string ETag => Concurrency.ETag("playlist", PlaylistId, DraftVersion);
    }

    /// <summary>What publishing needs to know about an asset (null when it does not exist in the venue).</summary>
    public sealed record AssetFacts(string Status, string? MediaType, string? Sha256, long? DurationMs);

    /// <summary>The venue's playlists by name (the JSON list and the admin page).</summary>
    /// <summary>By name, then id; with a page, the rows after its cursor (one more than the page, see <see cref="ListPage"/>), else all.</summary>
    public static List<PlaylistSummary> List(SqliteConnection connection, string venueId, ListPage? page = null) =>
        connection.Query("""
            SELECT p.playlist_id, p.name, p.campaign_id, p.draft_version, p.published_version,
                   (SELECT COUNT(*) FROM playlist_item i WHERE i.playlist_id = p.playlist_id), p.updated_at_utc
            FROM playlist p WHERE p.venue_id = $venue
              AND ($first = 1 OR p.name COLLATE NOCASE > $name OR (p.name COLLATE NOCASE = $name AND p.playlist_id > $id))
            ORDER BY p.name COLLATE NOCASE, p.playlist_id LIMIT $limit;
            """, null,
            r => new PlaylistSummary(r.GetString(0), r.GetString(1), r.NullableString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetInt32(5), r.GetString(6)),
            ("$venue", venueId), ("$first", page?.First ?? true), ("$name", page?.Text(0, "")), ("$id", page?.Text(1, "")), ("$limit", page?.Fetch ?? -1));

    public static Header? LoadHeader(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string playlistId) =>
        connection.QuerySingle("""
            SELECT playlist_id, name, campaign_id, draft_version, published_version, updated_at_utc
            FROM playlist WHERE playlist_id = $playlist AND venue_id = $venue;
            """, transaction,
            r => new Header(r.GetString(0), r.GetString(1), r.NullableString(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5)),
            ("$playlist", playlistId), ("$venue", venueId));

    public static PlaylistResponse LoadDraft(SqliteConnection connection, SqliteTransaction? transaction, Header header)
    {
        var items = connection.Query("""
            SELECT i.item_id, i.asset_id, i.duration_ms, i.enabled, a.status, a.media_type
            FROM playlist_item i LEFT JOIN asset a ON a.asset_id = i.asset_id
            WHERE i.playlist_id = $playlist ORDER BY i.position;
            """, transaction,
            r => new PlaylistItemResponse(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt32(2), r.GetInt64(3) == 1,
                r.NullableString(4) ?? "DELETED", r.NullableString(5)),
            ("$playlist", header.PlaylistId));
        return new PlaylistResponse(header.PlaylistId, header.Name, header.CampaignId, header.DraftVersion, header.PublishedVersion, [.. items], header.UpdatedAtUtc);
    }

    public static AssetFacts? LoadAsset(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string assetId) =>
        connection.QuerySingle("SELECT status, media_type, sha256, duration_ms FROM asset WHERE asset_id = $asset AND venue_id = $venue;", transaction,
            r => new AssetFacts(r.GetString(0), r.NullableString(1), r.NullableString(2), r.IsDBNull(3) ? null : r.GetInt64(3)),
            ("$asset", assetId), ("$venue", venueId));

    public static void ReplaceItems(SqliteConnection connection, SqliteTransaction transaction, string playlistId, IEnumerable<PlaylistItemRequest> items)
    {
        connection.Execute("DELETE FROM playlist_item WHERE playlist_id = $playlist;", transaction, ("$playlist", playlistId));
        var position = 0;
        foreach (var item in items)
        {
            connection.Execute("""
                INSERT INTO playlist_item (item_id, playlist_id, position, asset_id, duration_ms, enabled)
                VALUES ($item, $playlist, $position, $asset, $duration, $enabled);
                """, transaction, ("$item", Ids.New("itm")), ("$playlist", playlistId), ("$position", position++),
                ("$asset", item.AssetId), ("$duration", item.DurationMs), ("$enabled", item.Enabled ? 1 : 0));
        }
    }

    /// <summary>Marks a draft change: new ETag, new updated time.</summary>
    public static void Touch(SqliteConnection connection, SqliteTransaction transaction, string playlistId, string now) =>
        connection.Execute("UPDATE playlist SET draft_version = draft_version + 1, updated_at_utc = $now WHERE playlist_id = $playlist;",
            transaction, ("$now", now), ("$playlist", playlistId));

    public static long NextVersion(SqliteConnection connection, SqliteTransaction transaction, string playlistId) =>
        connection.Scalar<long>("SELECT COALESCE(MAX(version), 0) + 1 FROM playlist_published WHERE playlist_id = $playlist;", transaction, ("$playlist", playlistId));

    /// <summary>Newest first; with a page, the versions before its cursor (one more than the page, see <see cref="ListPage"/>).</summary>
    public static List<PlaylistVersionResponse> LoadVersions(SqliteConnection connection, SqliteTransaction? transaction, string playlistId, long? onlyVersion = null,
        ListPage? page = null)
    {
        var versions = connection.Query("""
            SELECT version, name, campaign_id, published_at_utc, published_by_user_id, rolled_back_from_version
            FROM playlist_published WHERE playlist_id = $playlist AND ($only IS NULL OR version = $only) AND version < $before
            ORDER BY version DESC LIMIT $limit;
            """, transaction,
            r => (Version: r.GetInt64(0), Name: r.GetString(1), Campaign: r.NullableString(2), At: r.GetString(3), By: r.NullableString(4),
                From: r.IsDBNull(5) ? (long?)null : r.GetInt64(5)),
            ("$playlist", playlistId), ("$only", onlyVersion), ("$before", page?.Integer(0, long.MaxValue) ?? long.MaxValue), ("$limit", page?.Fetch ?? -1));
        return versions.Select(v => new PlaylistVersionResponse(v.Version, v.Name, v.Campaign, v.At, v.By, v.From, [.. connection.Query("""
            SELECT asset_id, sha256, media_type, duration_ms FROM playlist_published_item
            WHERE playlist_id = $playlist AND version = $version ORDER BY position;
            """, transaction, r => new PublishedItem(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3)),
            ("$playlist", playlistId), ("$version", v.Version))])).ToList();
    }
}
