using Microsoft.Data.Sqlite;
using Signage.Appliance.Data;
using Signage.Contracts;

namespace Signage.Appliance.Assets;

/// <summary>Rules about assets that other features' tables decide.</summary>
public static class AssetRules
{
    /// <summary>True when the asset is an item of the version of a playlist that screens play now; such
    /// an asset may not be deleted (409 ASSET_IN_USE).</summary>
    public static bool IsInPublishedPlaylist(SqliteConnection c, SqliteTransaction? t, string assetId) =>
        c.Scalar<long>("""
            SELECT EXISTS (SELECT 1 FROM playlist p JOIN playlist_published_item i ON i.playlist_id = p.playlist_id AND i.version = p.published_version
                           WHERE i.asset_id = $asset);
            """, t, ("$asset", assetId)) == 1;

    /// <summary>True while something still needs the stored bytes of this content: a READY asset, or
    /// any published playlist version (a rollback, or a screen's cached manifest, names blobs by hash).</summary>
    public static bool ContentIsReferenced(SqliteConnection c, SqliteTransaction? t, string sha256) =>
        c.Scalar<long>("SELECT EXISTS (SELECT 1 FROM asset WHERE sha256 = $sha AND status = $ready);", t,
            ("$sha", sha256), ("$ready", AssetStatuses.Ready)) == 1 ||
        c.Scalar<long>("SELECT EXISTS (SELECT 1 FROM playlist_published_item WHERE sha256 = $sha);", t, ("$sha", sha256)) == 1;

    /// <summary>Every content hash <see cref="ContentIsReferenced"/> would keep, in one query (the cleanup sweep).</summary>
    public static HashSet<string> ReferencedContent(SqliteConnection c, SqliteTransaction? t)
    {
        return [.. c.Query("SELECT sha256 FROM asset WHERE status = $ready AND sha256 IS NOT NULL UNION SELECT sha256 FROM playlist_published_item;", t,
            r => r.GetString(0), ("$ready", AssetStatuses.Ready))];
    }
}
