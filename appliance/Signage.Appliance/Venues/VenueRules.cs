using Microsoft.Data.Sqlite;
using Signage.Appliance.Data;

namespace Signage.Appliance.Venues;

/// <summary>Cross-feature rules about a venue's content, in one place.</summary>
public static class VenueRules
{
    public static bool PlaylistIsPublished(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string playlistId) =>
        connection.Scalar<long>("SELECT COUNT(*) FROM playlist WHERE playlist_id = $playlist AND venue_id = $venue AND published_version IS NOT NULL;",
            transaction, ("$playlist", playlistId), ("$venue", venueId)) == 1;

    /// <summary>Something screens play has changed: their cached manifests are stale (spec 26.9).</summary>
    public static void BumpManifestEpoch(SqliteConnection connection, SqliteTransaction transaction, string venueId) =>
        connection.Execute("UPDATE venue SET manifest_epoch = manifest_epoch + 1 WHERE venue_id = $venue;", transaction, ("$venue", venueId));

    /// <summary>One line of GET /v1/venues/{venueId}/publishes, in the publishing transaction.</summary>
    public static void RecordPublish(SqliteConnection connection, SqliteTransaction transaction, string venueId, string kind, string targetId,
        long version, bool rollback, string actorUserId, string now) =>
        connection.Execute("""
            INSERT INTO publish_event (venue_id, kind, target_id, version, action, actor_user_id, created_at_utc)
            VALUES ($venue, $kind, $target, $version, $action, $user, $now);
            """, transaction, ("$venue", venueId), ("$kind", kind), ("$target", targetId), ("$version", version),
            ("$action", rollback ? "ROLLBACK" : "PUBLISH"), ("$user", actorUserId), ("$now", now));

    public static bool DeviceExists(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string deviceId) =>
        connection.Scalar<long>("SELECT COUNT(*) FROM device WHERE device_id = $device AND venue_id = $venue;", transaction,
            ("$device", deviceId), ("$venue", venueId)) == 1;

    public static bool GroupExists(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string groupId) =>
        connection.Scalar<long>("SELECT COUNT(*) FROM device_group WHERE group_id = $group AND venue_id = $venue;", transaction,
            ("$group", groupId), ("$venue", venueId)) == 1;
}
