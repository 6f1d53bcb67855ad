using System.Text.Json;

namespace Signage.Contracts;

// Appliance <-> hub (docs/ARCHITECTURE.md "Protocols" 2 and 3). The appliance authenticates every
// sync call with "Authorization: Bearer <credential>", the opaque secret it got at enrollment; the
// hub stores only its hash and knows from it the appliance, its tenant and its venue.

public static class SyncProtocol
{
    /// <summary>Most records an appliance sends in one POST /v1/sync/up.</summary>
    public const int MaxRecordsPerBatch = 5000;

    /// <summary>Most changes the hub returns from one GET /v1/sync/changes.</summary>
    public const int MaxChangesPerPage = 500;

    /// <summary>Kinds of record that flow up (appliance-owned facts and replicas).</summary>
    public static class RecordKinds
    {
        public const string Play = "PLAY";                  // data: PlayRecord, append-only
        public const string DeviceEvent = "DEVICE_EVENT";   // data: DeviceEventRecord, append-only
        public const string DeviceStatus = "DEVICE_STATUS"; // data: DeviceStatusRecord, latest wins
        public const string Screen = "SCREEN";              // data: the appliance's DeviceResponse JSON, replica
        public const string Playlist = "PLAYLIST";          // data: PlaylistResponse JSON of a venue playlist, replica
        public const string Schedule = "SCHEDULE";          // data: ScheduleSetResponse JSON, replica
        public const string Incident = "INCIDENT";          // data: IncidentResponse JSON, replica
        public static readonly string[] All = [Play, DeviceEvent, DeviceStatus, Screen, Playlist, Schedule, Incident];
    }

    /// <summary>Kinds of hub-owned entity in the change feed.</summary>
    public static class ChangeKinds
    {
        public const string Venue = "VENUE";       // data: HubVenue
        public const string User = "USER";         // data: HubUser (DELETE: the user lost access to this venue)
        public const string Asset = "ASSET";       // data: HubAsset (tenant-shared library)
        public const string Playlist = "PLAYLIST"; // data: HubPlaylist (published snapshot of a shared playlist)
        public static readonly string[] All = [Venue, User, Asset, Playlist];
    }

    public static class Operations
    {
        public const string Upsert = "UPSERT";
        public const string Delete = "DELETE";
    }
}

// --- Enrollment: POST /v1/enrollment/redeem (anonymous; the one-time code is the secret) -------

/// <summary>The venue the appliance already runs; the hub adopts its name and timezone when the
/// hub venue has none yet, and records the appliance's own venue id so replicas can be matched.</summary>
public sealed record EnrollVenue(string VenueId, string Name, string Timezone);

public sealed record EnrollRequest(string Code, string ApplianceId, string ApplianceVersion, EnrollVenue Venue);

/// <summary>The credential is shown once; the appliance stores it (0600) and sends it as a bearer token.</summary>
public sealed record EnrollResponse(string ApplianceId, string TenantId, string HubVenueId, string VenueName, string Credential);

/// <summary>POST /v1/tenants/{tenantId}/venues/{venueId}/enrollment-codes (tenant admin) answer.</summary>
public sealed record EnrollmentCodeResponse(string Code, string VenueId, string ExpiresAtUtc);

// --- Down: GET /v1/sync/changes?cursor=N ------------------------------------------------------

/// <summary>One change of a hub-owned entity. Sequence increases strictly; applying the same change
/// twice has the same effect as once.</summary>
public sealed record SyncChange(long Sequence, string Kind, string EntityId, string Operation, JsonElement? Data);

public sealed record SyncChangesResponse(SyncChange[] Changes, long NextCursor, bool HasMore);

public sealed record HubVenue(string VenueId, string TenantId, string Name, string Timezone, OpeningHours[] OpeningHours);

/// <summary>A user with access to this venue; PasswordHash is ASP.NET Core Identity's PasswordHasher
/// format (the appliance verifies it the same way), so staff sign in at the venue while offline.</summary>
public sealed record HubUser(string UserId, string Email, string DisplayName, string PasswordHash, bool Disabled, string[] TenantRoles, string? VenueRole);

/// <summary>A tenant-shared asset; the blob comes from GET /v1/sync/blobs/{sha256} (Range supported).</summary>
public sealed record HubAsset(string AssetId, string DisplayName, string MediaType, string MimeType, string Sha256, long SizeBytes,
    int? Width, int? Height, long? DurationMs);

public sealed record HubPlaylistItem(string ItemId, string AssetId, int? DurationMs, bool Enabled);

/// <summary>The published snapshot of a tenant-shared playlist; read-only at the venue.</summary>
public sealed record HubPlaylist(string PlaylistId, string Name, long Version, HubPlaylistItem[] Items);

// --- Up: POST /v1/sync/up ----------------------------------------------------------------------

/// <summary>One outbox record. RecordId is unique forever (the hub stores each once); Data's shape
/// depends on Kind (SyncProtocol.RecordKinds).</summary>
public sealed record SyncRecord(string RecordId, string Kind, string OccurredAtUtc, JsonElement Data);

/// <summary>Backlog = records still waiting in the appliance's outbox after this batch (fleet health).</summary>
public sealed record SyncUpRequest(SyncRecord[] Records, long Backlog);

/// <summary>Every record of the batch is durably stored when this is answered (2xx): Accepted new,
/// Duplicates already there. The appliance then deletes them from its outbox.</summary>
public sealed record SyncUpResponse(int Accepted, int Duplicates);

/// <summary>A proof-of-play row as the appliance stored it (seed 001 model). Only PLAY_END rows count.</summary>
public sealed record PlayRecord(string EventId, string EventType, string DeviceId, string? CampaignId, string PlaylistId, string AssetId,
    string? ContentSha256, string DeviceTimeUtc, string ServerReceivedUtc, string StartedAtUtc, string LocalDate, long? DurationMs,
    string? Result, bool ClockSuspect);

public sealed record DeviceEventRecord(string EventId, string DeviceId, long Sequence, string EventType, string Severity, string EventTimeUtc,
    string ReceivedAtUtc, JsonElement Payload);

public sealed record DeviceStatusRecord(string DeviceId, string Name, string Status, string? LastSeenAtUtc, string? State,
    string? AppliedManifestEtag, string? CurrentAssetId, long? CacheUsedBytes, long? CacheTotalBytes);
