using NodaTime;
using Serilog;
using Signage.Appliance.Audit;
using Signage.Appliance.Data;
using Signage.Appliance.Hosting;
using Signage.Contracts;
using Signage.Scheduling;

namespace Signage.Appliance.Accounts;

/// <summary>
/// Scripted installs: when the database has no user yet and SIGNAGE_ADMIN_EMAIL and
/// SIGNAGE_ADMIN_PASSWORD are set, start-up creates the tenant, this appliance's venue
/// (SIGNAGE_VENUE_NAME, SIGNAGE_VENUE_TIMEZONE; defaults "My venue" and the machine's zone) and the
/// first tenant admin, in one transaction. Otherwise the first-run page does it.
/// </summary>
public static class FirstAdmin
{
    /// <returns>Whether it created them (false: not asked to, or there are users already).</returns>
    public static bool CreateFromEnvironment(Database database, Func<string, string?> environment, IClock clock)
    {
        var email = environment("SIGNAGE_ADMIN_EMAIL");
        var password = environment("SIGNAGE_ADMIN_PASSWORD");
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)) return false;

        using var connection = database.Open();
        using var transaction = connection.BeginTransaction();
        if (connection.Scalar<long>("SELECT COUNT(*) FROM user_account;", transaction) > 0) return false;
        if (!UserEndpoints.IsEmail(email)) throw new StartupException($"SIGNAGE_ADMIN_EMAIL '{email}' is not a valid email address.");
        if (password.Length < UserEndpoints.MinimumPasswordLength)
            throw new StartupException($"SIGNAGE_ADMIN_PASSWORD is too short: use at least {UserEndpoints.MinimumPasswordLength} characters.");
        var zone = environment("SIGNAGE_VENUE_TIMEZONE") ?? LocalZoneId();
        if (!TimeZones.IsValid(zone)) throw new StartupException($"SIGNAGE_VENUE_TIMEZONE '{zone}' is not an IANA time zone such as Europe/London.");
        var venueName = environment("SIGNAGE_VENUE_NAME") is { Length: > 0 } name ? name.Trim() : "My venue";

        var (tenantId, venueId) = CreateTenantAndVenue(connection, transaction, "My organisation", venueName, zone, clock.GetCurrentInstant());
        var userId = UserEndpoints.CreateUser(connection, transaction, tenantId, email, "Administrator", password, [Roles.TenantAdmin], [], clock.GetCurrentInstant());
        AuditLog.Write(connection, transaction, clock.GetCurrentInstant(), "USER_CREATED", tenantId, null, null, "user", userId,
            new() { ["email"] = email.Trim(), ["source"] = "SIGNAGE_ADMIN_EMAIL", ["tenantRoles"] = Roles.TenantAdmin });
        transaction.Commit();
        Log.Information("Created the first tenant admin {Email} and venue {VenueName} ({VenueId}, {Zone})", email.Trim(), venueName, venueId, zone);
        return true;
    }

    internal static (string TenantId, string VenueId) CreateTenantAndVenue(Microsoft.Data.Sqlite.SqliteConnection connection, Microsoft.Data.Sqlite.SqliteTransaction transaction,
        string tenantName, string venueName, string zone, Instant now)
    {
        var tenantId = Ids.New("ten");
        var venueId = Ids.New("ven");
        connection.Execute("INSERT INTO tenant (tenant_id, name, default_timezone, created_at_utc) VALUES ($tenant, $name, $zone, $now);", transaction,
            ("$tenant", tenantId), ("$name", tenantName), ("$zone", zone), ("$now", Sql.Utc(now)));
        connection.Execute("""
            INSERT INTO venue (venue_id, tenant_id, name, timezone, created_at_utc, updated_at_utc)
            VALUES ($venue, $tenant, $name, $zone, $now, $now);
            """, transaction, ("$venue", venueId), ("$tenant", tenantId), ("$name", venueName), ("$zone", zone), ("$now", Sql.Utc(now)));
        return (tenantId, venueId);
    }

    private static string LocalZoneId() =>
        TimeZoneInfo.Local.HasIanaId && TimeZones.IsValid(TimeZoneInfo.Local.Id) ? TimeZoneInfo.Local.Id : "UTC";
}
