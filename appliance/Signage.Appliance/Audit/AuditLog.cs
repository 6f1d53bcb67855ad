using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;

namespace Signage.Appliance.Audit;

/// <summary>
/// Who did what (spec 25.9): logins, role changes, publishes, rollbacks, deletions. Written in the
/// same transaction as the change it records, so the log never claims what did not happen.
/// </summary>
public static class AuditLog
{
    public static void Write(SqliteConnection connection, SqliteTransaction? transaction, Instant at, string action,
        string? tenantId, string? venueId, string? actorUserId, string? targetType = null, string? targetId = null,
        Dictionary<string, string?>? details = null)
    {
        connection.Execute("""
            INSERT INTO audit_log (tenant_id, venue_id, actor_user_id, action, target_type, target_id, details_json, created_at_utc)
            VALUES ($tenant, $venue, $actor, $action, $targetType, $targetId, $details, $at);
            """, transaction,
            ("$tenant", tenantId), ("$venue", venueId), ("$actor", actorUserId), ("$action", action),
            ("$targetType", targetType), ("$targetId", targetId),
            ("$details", JsonSerializer.Serialize(details ?? [], AuditJsonContext.Default.DictionaryStringString)), ("$at", Sql.Utc(at)));
    }

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/venues/{venueId}/audit", List).RequireVenueRole(VenueRank.Manager);
        return app;
    }

    /// <summary>Newest first, cursor-paginated (spec 27.1) by id. Includes the
    /// tenant-wide and appliance-wide entries (a failed login with an unknown email has no tenant).</summary>
    internal static async Task<IResult> List(string venueId, string? cursor, int? limit, Database database, Caller caller, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Integer) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = connection.Query("""
            SELECT audit_id, action, actor_user_id, target_type, target_id, details_json, created_at_utc FROM audit_log
            WHERE (venue_id = $venue OR (venue_id IS NULL AND (tenant_id = $tenant OR tenant_id IS NULL))) AND audit_id < $before
            ORDER BY audit_id DESC LIMIT $limit;
            """, null,
            r => new AuditEntry(r.GetInt64(0), r.GetString(1), r.NullableString(2), r.NullableString(3), r.NullableString(4), r.GetString(5), r.GetString(6)),
            ("$venue", venueId), ("$tenant", caller.TenantId), ("$before", page.Integer(0, long.MaxValue)), ("$limit", page.Fetch));
        return TypedResults.Ok(page.Answer(rows, e => [ListPage.Part(e.AuditId)]));
    }
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, string?>))]
internal sealed partial class AuditJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
