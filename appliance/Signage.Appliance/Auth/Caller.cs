using System.Diagnostics.CodeAnalysis;
using Signage.Appliance.Data;
using Signage.Contracts;

namespace Signage.Appliance.Auth;

/// <summary>
/// The signed-in person making this request, with roles read from the database for this request.
/// Handlers take it as a parameter; the authorization filters have already checked it exists.
/// </summary>
public sealed record Caller(string UserId, string TenantId, string Email, string DisplayName,
    IReadOnlyList<string> TenantRoles, IReadOnlyDictionary<string, string> VenueRoles)
{
    private const string ItemKey = "signage.caller";

    public bool IsTenantAdmin => TenantRoles.Contains(Roles.TenantAdmin);

    /// <summary>The caller's effective role at a venue: tenant admins manage every venue of their
    /// tenant, tenant viewers view every one; otherwise the venue role they were given.</summary>
    public VenueRank RankAt(string venueId)
    {
        if (IsTenantAdmin) return VenueRank.Manager;
        var granted = VenueRoles.TryGetValue(venueId, out var role) ? VenueRanks.Of(role) : VenueRank.None;
        return TenantRoles.Contains(Roles.TenantViewer) && granted < VenueRank.Viewer ? VenueRank.Viewer : granted;
    }

    /// <summary>Minimal-API binding: the caller that <see cref="Authentication"/> attached, if any.</summary>
    public static ValueTask<Caller?> BindAsync(HttpContext context) => ValueTask.FromResult(Of(context));

    public static Caller? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var value) ? value as Caller : null;

    internal void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>Loads an enabled user and their roles; null when the user is gone or disabled.</summary>
    public static Caller? Load(Microsoft.Data.Sqlite.SqliteConnection connection, string userId, string tenantId)
    {
        var user = connection.QuerySingle(
            "SELECT email, display_name FROM user_account WHERE user_id = $user AND tenant_id = $tenant AND disabled = 0;",
            null, r => new { Email = r.GetString(0), DisplayName = r.GetString(1) }, ("$user", userId), ("$tenant", tenantId));
        if (user is null) return null;
        var tenantRoles = connection.Query("SELECT role FROM tenant_user_role WHERE user_id = $user ORDER BY role;", null, r => r.GetString(0), ("$user", userId));
        var venueRoles = connection.Query("SELECT venue_id, role FROM venue_user_role WHERE user_id = $user;", null,
            r => (Venue: r.GetString(0), Role: r.GetString(1)), ("$user", userId)).ToDictionary(x => x.Venue, x => x.Role);
        return new Caller(userId, tenantId, user.Email, user.DisplayName, tenantRoles, venueRoles);
    }
}

/// <summary>Venue role hierarchy (spec 25.4): VIEWER &lt; EDITOR &lt; MANAGER.</summary>
public enum VenueRank
{
    None = 0,
    Viewer = 1,
    Editor = 2,
    Manager = 3,
}

public static class VenueRanks
{
    public static VenueRank Of(string? role) => role switch
    {
        Roles.VenueViewer => VenueRank.Viewer,
        Roles.VenueEditor => VenueRank.Editor,
        Roles.VenueManager => VenueRank.Manager,
        _ => VenueRank.None,
    };

    public static bool TryParseRole(string? role, [NotNullWhen(true)] out string? canonical)
    {
        canonical = Roles.VenueRoles.FirstOrDefault(r => r == role);
        return canonical is not null;
    }
}
