using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Contracts;

namespace Signage.Appliance.Sync;

/// <summary>The enrolled hub (table hub_connection): link, cursor and the health the dashboard shows.</summary>
public sealed record HubConnection(HubLink Link, string ApplianceId, string HubTenantId, string HubVenueId, string VenueId, string TenantId,
    string EnrolledAtUtc, long ChangeCursor, string? LastSyncAtUtc, string? LastError, string? LastErrorAtUtc)
{
    /// <summary>The enrolled hub, or null while the appliance is standalone.</summary>
    public static HubConnection? Load(SqliteConnection connection, SqliteTransaction? transaction = null) =>
        connection.QuerySingle("""
            SELECT h.hub_url, h.credential, h.appliance_id, h.hub_tenant_id, h.hub_venue_id, h.venue_id, v.tenant_id, h.enrolled_at_utc,
                   h.change_cursor, h.last_sync_at_utc, h.last_error, h.last_error_at_utc
            FROM hub_connection h JOIN venue v ON v.venue_id = h.venue_id;
            """, transaction,
            r => new HubConnection(new HubLink(new Uri(r.GetString(0)), r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.GetString(6), r.GetString(7), r.GetInt64(8), r.NullableString(9), r.NullableString(10), r.NullableString(11)));

    /// <summary>Records waiting for the hub: outbox rows plus plays after the upload cursor (play_seq is
    /// handed out once, in order, so the newest play_seq minus the cursor counts them without a scan).</summary>
    public static long Backlog(SqliteConnection connection) => connection.Scalar<long>("""
        SELECT (SELECT COUNT(*) FROM outbox)
             + MAX(0, COALESCE((SELECT MAX(play_seq) FROM proof_of_play), 0) - (SELECT sent_through FROM play_upload));
        """, null);

    public static HubConnectionResponse Describe(SqliteConnection connection)
    {
        var hub = Load(connection);
        return new HubConnectionResponse(hub is not null, hub?.Link.HubUrl.ToString(), hub?.HubTenantId, hub?.HubVenueId, hub?.EnrolledAtUtc,
            hub?.LastSyncAtUtc, Backlog(connection), hub?.LastError, hub?.LastErrorAtUtc, hub?.ChangeCursor ?? 0);
    }

    public static void RecordSuccess(SqliteConnection connection, Instant now) =>
        connection.Execute("UPDATE hub_connection SET last_sync_at_utc = $now, last_error = NULL, last_error_at_utc = NULL;", null, ("$now", Sql.Utc(now)));

    public static void RecordError(SqliteConnection connection, Instant now, string error) =>
        connection.Execute("UPDATE hub_connection SET last_error = $error, last_error_at_utc = $now;", null, ("$error", error), ("$now", Sql.Utc(now)));
}
