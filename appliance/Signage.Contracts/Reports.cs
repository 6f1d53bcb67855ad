namespace Signage.Contracts;

/// <summary>One row of a proof-of-play report: a campaign, content (asset), screen or day, with its
/// label where it has one.</summary>
public sealed record ReportRow(string Key, string? Label, long Plays, long TotalDurationMs);

public sealed record ReportTotal(long Plays, long TotalDurationMs);

/// <summary>GET /v1/venues/{venueId}/reports/proof-of-play: venue-local dates, inclusive.</summary>
public sealed record ProofOfPlayReport(string From, string To, string GroupBy, ReportRow[] Rows, ReportTotal Total);

public sealed record IncidentResponse(string IncidentId, string DeviceId, string Type, string Severity, string Details, string OpenedAtUtc, string? ResolvedAtUtc);

/// <summary>GET /v1/venues/{venueId}/devices/{deviceId}/events: one stored screen event. <see cref="EventTimeUtc"/> is
/// the authoritative time (the appliance's when the device clock was plainly wrong, <see cref="ClockSuspect"/>).</summary>
public sealed record DeviceEventResponse(string EventId, long Sequence, string EventType, string Severity, string EventTimeUtc, string ReceivedAtUtc,
    bool ClockSuspect, System.Text.Json.JsonElement Payload);
