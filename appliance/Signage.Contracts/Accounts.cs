namespace Signage.Contracts;

// Optional request fields have defaults: every constructor parameter without one is required on
// the wire (RespectRequiredConstructorParameters), so a missing field is a 400, not a silent null.

/// <summary>Role names exactly as the spec writes them (25.4). Persisted and on the wire.</summary>
public static class Roles
{
    public const string TenantAdmin = "TENANT_ADMIN";
    public const string TenantViewer = "TENANT_VIEWER";
    public const string VenueManager = "VENUE_MANAGER";
    public const string VenueEditor = "VENUE_EDITOR";
    public const string VenueViewer = "VENUE_VIEWER";

    public static readonly string[] TenantRoles = [TenantAdmin, TenantViewer];
    public static readonly string[] VenueRoles = [VenueViewer, VenueEditor, VenueManager];
}

public sealed record LoginRequest(string Email, string Password);

public sealed record RefreshRequest(string RefreshToken);

public sealed record UserRef(string UserId, string TenantId);

/// <summary>POST /v1/auth/login and /refresh (spec 27.3).</summary>
public sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, int ExpiresInSeconds, UserRef User);

public sealed record VenueRoleGrant(string VenueId, string Role);

/// <summary>GET /v1/me: profile and roles.</summary>
public sealed record MeResponse(string UserId, string TenantId, string Email, string DisplayName, string[] TenantRoles, VenueRoleGrant[] VenueRoles);

/// <summary>One venue the caller may access, with the role they have there.</summary>
public sealed record VenueAccess(string VenueId, string Name, string Timezone, string Role);

public sealed record ItemsResponse<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record CreateUserRequest(string Email, string DisplayName, string Password, string[]? TenantRoles = null, VenueRoleGrant[]? VenueRoles = null);

public sealed record UserResponse(string UserId, string TenantId, string Email, string DisplayName, bool Disabled, string[] TenantRoles, VenueRoleGrant[] VenueRoles);

public sealed record SetVenueRolesRequest(VenueRoleGrant[] VenueRoles);

/// <summary>PUT /v1/tenants/{tenantId}/users/{userId}/disabled: a disabled user cannot sign in, and their sessions and tokens stop working at once.</summary>
public sealed record SetUserDisabledRequest(bool Disabled);

/// <summary>Opening hours for one ISO weekday (1 = Monday … 7 = Sunday); close &lt;= open runs past midnight.</summary>
public sealed record OpeningHours(int Day, int OpenMinutes, int CloseMinutes);

public sealed record VenueResponse(string VenueId, string TenantId, string Name, string Timezone, OpeningHours[] OpeningHours,
    string? FallbackPlaylistId, long ManifestEpoch, string UpdatedAtUtc);

public sealed record UpdateVenueRequest(string Name, string Timezone, OpeningHours[] OpeningHours, string? FallbackPlaylistId = null);

public sealed record AuditEntry(long AuditId, string Action, string? ActorUserId, string? TargetType, string? TargetId, string Details, string CreatedAtUtc);
