using Npgsql;
using Signage.CloudHub.Data;
using Signage.Contracts;

namespace Signage.CloudHub.Auth;

/// <summary>The signed-in person making this request, with roles and capabilities read for this request.</summary>
public sealed record HubCaller(string UserId, string? TenantId, string Email, string DisplayName, bool IsPlatformAdmin,
    IReadOnlyList<string> TenantRoles, IReadOnlyDictionary<string, string> VenueRoles, IReadOnlyList<string> Capabilities)
{
    private const string ItemKey = "signage.hub.caller";

    public bool IsTenantAdmin => TenantRoles.Contains(Roles.TenantAdmin);

    /// <summary>Tenant admins and viewers see every venue of their tenant (head office).</summary>
    public bool SeesWholeTenant => IsTenantAdmin || TenantRoles.Contains(Roles.TenantViewer);

    public bool MayEditLibrary => IsTenantAdmin || Capabilities.Contains(Signage.Contracts.Capabilities.EditSharedLibrary);

    /// <summary>The caller's effective role at a venue: tenant admins manage every venue of their
    /// tenant, tenant viewers view every one; otherwise the venue role they were given (or null).</summary>
    public string? RoleAt(string venueId)
    {
        if (IsTenantAdmin) return Roles.VenueManager;
        if (VenueRoles.TryGetValue(venueId, out var role)) return role;
        return TenantRoles.Contains(Roles.TenantViewer) ? Roles.VenueViewer : null;
    }

    public static ValueTask<HubCaller?> BindAsync(HttpContext context) => ValueTask.FromResult(Of(context));

    public static HubCaller? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var value) ? value as HubCaller : null;

    internal void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    /// <summary>An enabled user and their roles; null when the user is gone or disabled.</summary>
    public static async Task<HubCaller?> LoadAsync(NpgsqlConnection connection, string userId)
    {
        var user = await connection.QuerySingleAsync(
            "SELECT tenant_id, email, display_name, platform_admin FROM user_account WHERE user_id = @user AND NOT disabled;", null,
            r => new { TenantId = r.NullableString(0), Email = r.GetString(1), DisplayName = r.GetString(2), Platform = r.GetBoolean(3) },
            ("user", userId));
        if (user is null) return null;
        var tenantRoles = await connection.QueryAsync("SELECT role FROM tenant_user_role WHERE user_id = @user ORDER BY role;", null, r => r.GetString(0), ("user", userId));
        var venueRoles = await connection.QueryAsync("SELECT venue_id, role FROM venue_user_role WHERE user_id = @user;", null,
            r => (Venue: r.GetString(0), Role: r.GetString(1)), ("user", userId));
        var capabilities = await connection.QueryAsync("SELECT capability FROM user_capability WHERE user_id = @user ORDER BY capability;", null,
            r => r.GetString(0), ("user", userId));
        return new HubCaller(userId, user.TenantId, user.Email, user.DisplayName, user.Platform, tenantRoles,
            venueRoles.ToDictionary(v => v.Venue, v => v.Role), capabilities);
    }
}

/// <summary>An enrolled appliance (sync endpoints), known from its bearer credential.</summary>
public sealed record ApplianceCaller(string ApplianceId, string TenantId, string VenueId)
{
    private const string ItemKey = "signage.hub.appliance";

    public static ValueTask<ApplianceCaller?> BindAsync(HttpContext context) => ValueTask.FromResult(Of(context));

    public static ApplianceCaller? Of(HttpContext context) => context.Items.TryGetValue(ItemKey, out var value) ? value as ApplianceCaller : null;

    internal void AttachTo(HttpContext context) => context.Items[ItemKey] = this;

    public static Task<ApplianceCaller?> FindAsync(NpgsqlConnection connection, string credential) => connection.QuerySingleAsync(
        "SELECT appliance_id, tenant_id, venue_id FROM appliance WHERE credential_hash = @hash;", null,
        r => new ApplianceCaller(r.GetString(0), r.GetString(1), r.GetString(2)), ("hash", Secrets.Hash(credential)));
}
