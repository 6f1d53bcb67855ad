namespace Signage.Contracts;

// The cloud hub's management API (tenants, venues, users, the shared library, head-office reports).
// The appliance <-> hub protocol itself is in Sync.cs.

/// <summary>Capability flags (spec 25.4): fine-grained permissions beside the roles.</summary>
public static class Capabilities
{
    /// <summary>May change the tenant-shared library (assets and shared playlists) without being a tenant admin.</summary>
    public const string EditSharedLibrary = "EDIT_SHARED_LIBRARY";

    public static readonly string[] All = [EditSharedLibrary];
}

/// <summary>POST /v1/tenants (platform admin): the tenant and its first tenant admin.</summary>
public sealed record CreateTenantRequest(string Name, string AdminEmail, string AdminDisplayName, string AdminPassword);

public sealed record TenantResponse(string TenantId, string Name, string CreatedAtUtc);

/// <summary>POST/PUT /v1/tenants/{tenantId}/venues. A blank name or timezone is adopted from the first
/// appliance that enrolls for the venue.</summary>
public sealed record HubVenueRequest(string Name, string Timezone, OpeningHours[]? OpeningHours = null);

public sealed record HubVenueResponse(string VenueId, string TenantId, string Name, string Timezone, OpeningHours[] OpeningHours,
    string? ApplianceVenueId, string UpdatedAtUtc);

public sealed record SetCapabilitiesRequest(string[] Capabilities);

public sealed record CapabilitiesResponse(string UserId, string[] Capabilities);

// --- Shared library -----------------------------------------------------------------------------

public sealed record CreateLibraryPlaylistRequest(string Name);

public sealed record LibraryPlaylistItemRequest(string AssetId, int? DurationMs = null, bool Enabled = true);

public sealed record SetLibraryPlaylistItemsRequest(LibraryPlaylistItemRequest[] Items);

/// <summary>A shared playlist: its draft (edited with If-Match on DraftVersion) and the version venues play.</summary>
public sealed record LibraryPlaylistResponse(string PlaylistId, string Name, long DraftVersion, long? PublishedVersion,
    HubPlaylistItem[] Items, string UpdatedAtUtc);

// --- Head office --------------------------------------------------------------------------------

/// <summary>One enrolled appliance as head office sees it (fleet health).</summary>
public sealed record ApplianceHealth(string ApplianceId, string VenueId, string VenueName, string ApplianceVersion, string EnrolledAtUtc,
    string? LastContactAtUtc, long Backlog, int Screens, int ScreensOffline, int OpenIncidents);
