namespace Signage.Contracts;

/// <summary><c>GET /healthz</c>: what an installer, a monitor or the CLI needs to know at a glance.</summary>
public sealed record HealthReport(string Status, string Version, DatabaseHealth Database, long UptimeSeconds);

public sealed record DatabaseHealth(string Status, int SchemaVersion);
