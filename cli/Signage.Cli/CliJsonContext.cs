using System.Text.Json;
using System.Text.Json.Serialization;
using Signage.Contracts;

namespace Signage.Cli;

// What `--json` prints, and the backup manifest. Wire DTOs of the appliance come from
// Signage.Contracts (ContractsJsonContext); these are the CLI's own documents.

public sealed record VenueStatus(string VenueId, string Name, string Timezone, int ScreensTotal, int ScreensOnline,
    DeviceResponse[] Screens, IncidentResponse[] OpenIncidents);

/// <summary>The appliance's hub sync (GET /v1/venues/{venueId}/hub): null when the account sees no venue to ask through.</summary>
public sealed record StatusReport(string Appliance, string Status, string Version, int SchemaVersion, long UptimeSeconds, VenueStatus[] Venues,
    HubConnectionResponse? Hub);

public sealed record DoctorFinding(string Check, string Status, string Detail, string? Fix);

public sealed record DoctorReport(bool Ok, DoctorFinding[] Findings);

public sealed record BackupFile(string Path, long Bytes, string Sha256);

/// <summary>manifest.json inside a backup archive: every other entry with its size and SHA-256.</summary>
public sealed record BackupManifest(int Format, string CreatedAtUtc, string SourceDataDirectory, int SchemaVersion, BackupFile[] Files);

public sealed record BackupResult(string Archive, long Bytes, int Files, int SchemaVersion, string Sha256);

public sealed record RestoreResult(string DataDirectory, int Files, int SchemaVersion, string? PreviousDataKeptIn);

public sealed record ProvisionResult(string DataDirectory, string Urls, string SettingsFile, string VenueName, string Timezone, string AdminEmail);

public sealed record AdminResult(string DataDirectory, string UserId, string Email, string Action);

/// <summary>One appliance found by `signage discover`.</summary>
public sealed record DiscoveredApplianceReport(string Name, string Url, string Host, int Port, string[] Addresses, string? VenueId, string? ApiVersion);

/// <summary>POST /v1/venues/{venueId}/hub/enroll on the appliance (it trades the code with the hub).</summary>
public sealed record HubEnrollCommand(string HubUrl, string Code);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, UseStringEnumConverter = true)]
[JsonSerializable(typeof(StatusReport))]
[JsonSerializable(typeof(DiscoveredApplianceReport[]))]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(BackupManifest))]
[JsonSerializable(typeof(BackupResult))]
[JsonSerializable(typeof(RestoreResult))]
[JsonSerializable(typeof(ProvisionResult))]
[JsonSerializable(typeof(AdminResult))]
[JsonSerializable(typeof(HubEnrollCommand))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class CliJsonContext : JsonSerializerContext;
