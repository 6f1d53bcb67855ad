namespace Signage.Contracts;

/// <summary>One row of a proof-of-play report: a campaign, content (asset), screen or day, with its
/// label where it has one.</summary>
public sealed record ReportRow(string Key, string? Label, long Plays, long TotalDurationMs);

public sealed record ReportTotal(long Plays, long TotalDurationMs);

/// <summary>GET /v1/venues/{venueId}/reports/proof-of-play: venue-local dates, inclusive.</summary>
public sealed record ProofOfPlayReport(string From, string To, string GroupBy, ReportRow[] Rows, ReportTotal Total);

public sealed record IncidentResponse(string IncidentId, string DeviceId, string Type, string Severity, string Details, string OpenedAtUtc, string? ResolvedAtUtc);
