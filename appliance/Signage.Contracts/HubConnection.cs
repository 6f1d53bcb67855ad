namespace Signage.Contracts;

// The appliance's own API about its hub connection (GET/POST /v1/venues/{venueId}/hub...).

/// <summary>POST /v1/venues/{venueId}/hub/enroll: the hub's base URL and the one-time code a
/// tenant admin created on the hub for this venue.</summary>
public sealed record HubEnrollmentRequest(string HubUrl, string Code);

/// <summary>The hub connection as the dashboard shows it. Backlog = records in the outbox, waiting
/// to go up (they are kept while standalone too, so enrolling later uploads history).</summary>
public sealed record HubConnectionResponse(bool Enrolled, string? HubUrl, string? HubTenantId, string? HubVenueId, string? EnrolledAtUtc,
    string? LastSuccessfulSyncUtc, long Backlog, string? LastError, string? LastErrorAtUtc, long ChangeCursor);
