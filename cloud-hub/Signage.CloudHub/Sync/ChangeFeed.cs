using System.Text.Json;
using Npgsql;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.Contracts;

namespace Signage.CloudHub.Sync;

/// <summary>
/// Writes the change feed of hub-owned data (sync down), in the same transaction as the change
/// itself. Every writer first takes the tenant's advisory lock, so sequence numbers of one tenant are
/// handed out in commit order: a reader that has seen sequence N never later finds a smaller one.
/// </summary>
public static class ChangeFeed
{
    private const int LockSpace = 0x5EED;

    public static Task LockTenantAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId) =>
        connection.ExecuteAsync("SELECT pg_advisory_xact_lock(@space, hashtext(@tenant));", transaction, ("space", LockSpace), ("tenant", tenantId));

    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, string? venueId,
        string kind, string entityId, string operation, string? dataJson)
    {
        await LockTenantAsync(connection, transaction, tenantId);
        await connection.ExecuteAsync("""
            INSERT INTO change_log (tenant_id, venue_id, kind, entity_id, operation, data, created_at)
            VALUES (@tenant, @venue, @kind, @entity, @operation, @data, now());
            """, transaction, ("tenant", tenantId), ("venue", venueId), ("kind", kind), ("entity", entityId), ("operation", operation),
            ("data", dataJson is null ? DBNull.Value : Sql.Jsonb(dataJson)));
    }

    /// <summary>The venue's settings changed (or it was created): its appliance gets them, and the
    /// people who can reach it through a tenant role.</summary>
    public static async Task VenueChangedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, string venueId)
    {
        var venue = await connection.QuerySingleAsync("SELECT name, timezone, opening_hours::text FROM venue WHERE venue_id = @venue AND tenant_id = @tenant;",
            transaction, r => new HubVenue(venueId, tenantId, r.GetString(0), r.GetString(1),
                JsonSerializer.Deserialize(r.GetString(2), ContractsJsonContext.Default.OpeningHoursArray) ?? []),
            ("venue", venueId), ("tenant", tenantId));
        if (venue is null) return;
        await AppendAsync(connection, transaction, tenantId, venueId, SyncProtocol.ChangeKinds.Venue, venueId, SyncProtocol.Operations.Upsert,
            JsonSerializer.Serialize(venue, ContractsJsonContext.Default.HubVenue));
    }

    /// <summary>A user, their roles or their access changed: every venue of the tenant learns whether
    /// they may sign in there (UPSERT with the password hash and role) or not any more (DELETE).</summary>
    public static async Task UserChangedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId, string userId)
    {
        var user = await connection.QuerySingleAsync(
            "SELECT email, display_name, password_hash, disabled FROM user_account WHERE user_id = @user AND tenant_id = @tenant;", transaction,
            r => new { Email = r.GetString(0), DisplayName = r.GetString(1), Hash = r.GetString(2), Disabled = r.GetBoolean(3) },
            ("user", userId), ("tenant", tenantId));
        if (user is null) return;
        var tenantRoles = await connection.QueryAsync("SELECT role FROM tenant_user_role WHERE user_id = @user ORDER BY role;", transaction, r => r.GetString(0), ("user", userId));
        var venueRoles = (await connection.QueryAsync("SELECT venue_id, role FROM venue_user_role WHERE user_id = @user;", transaction,
            r => (Venue: r.GetString(0), Role: r.GetString(1)), ("user", userId))).ToDictionary(v => v.Venue, v => v.Role);
        var access = new HubCaller(userId, tenantId, user.Email, user.DisplayName, false, tenantRoles, venueRoles, []);
        var venues = await connection.QueryAsync("SELECT venue_id FROM venue WHERE tenant_id = @tenant ORDER BY venue_id;", transaction, r => r.GetString(0), ("tenant", tenantId));
        foreach (var venueId in venues)
        {
            if (access.RoleAt(venueId) is { } role)
            {
                var data = new HubUser(userId, user.Email, user.DisplayName, user.Hash, user.Disabled, [.. tenantRoles], role);
                await AppendAsync(connection, transaction, tenantId, venueId, SyncProtocol.ChangeKinds.User, userId, SyncProtocol.Operations.Upsert,
                    JsonSerializer.Serialize(data, ContractsJsonContext.Default.HubUser));
            }
            else
            {
                await AppendAsync(connection, transaction, tenantId, venueId, SyncProtocol.ChangeKinds.User, userId, SyncProtocol.Operations.Delete, null);
            }
        }
    }

    /// <summary>A new venue: the users who reach it through their tenant role, so its appliance can sign them in.</summary>
    public static async Task TenantWideUsersForNewVenueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string tenantId)
    {
        var users = await connection.QueryAsync("""
            SELECT DISTINCT u.user_id FROM user_account u JOIN tenant_user_role r ON r.user_id = u.user_id
            WHERE u.tenant_id = @tenant ORDER BY u.user_id;
            """, transaction, r => r.GetString(0), ("tenant", tenantId));
        foreach (var userId in users) await UserChangedAsync(connection, transaction, tenantId, userId);
    }
}
