using System.Text.Json;
using Signage.Contracts;

namespace Signage.CloudHub.Tests;

/// <summary>Outbox records as an appliance sends them.</summary>
public static class TestRecords
{
    public static SyncRecord Play(string recordId, string localDate, string eventType = "PLAY_END", long durationMs = 10_000, string? campaignId = "cmp_1",
        string assetId = "ast_1", string deviceId = "dev_1", string result = "COMPLETED")
    {
        var started = $"{localDate}T12:00:00Z";
        var play = new PlayRecord(recordId, eventType, deviceId, campaignId, "pl_1", assetId, null, started, started, started, localDate,
            eventType == "PLAY_END" ? durationMs : null, eventType == "PLAY_END" ? result : null, false);
        return new SyncRecord(recordId, SyncProtocol.RecordKinds.Play, started, JsonSerializer.SerializeToElement(play, ContractsJsonContext.Default.PlayRecord));
    }

    public static SyncRecord Status(string recordId, string deviceId, string status, string occurredAtUtc) =>
        new(recordId, SyncProtocol.RecordKinds.DeviceStatus, occurredAtUtc, JsonSerializer.SerializeToElement(
            new DeviceStatusRecord(deviceId, "Screen " + deviceId, status, occurredAtUtc, "PLAYING", null, null, null, null), ContractsJsonContext.Default.DeviceStatusRecord));

    public static SyncRecord DeviceEvent(string recordId, string deviceId, long sequence) =>
        new(recordId, SyncProtocol.RecordKinds.DeviceEvent, "2026-11-20T10:00:00Z", JsonSerializer.SerializeToElement(
            new DeviceEventRecord(recordId, deviceId, sequence, "APP_START", "INFO", "2026-11-20T10:00:00Z", "2026-11-20T10:00:01Z",
                JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["version"] = "1.0" })), ContractsJsonContext.Default.DeviceEventRecord));

    public static SyncRecord Incident(string recordId, string incidentId, string? resolvedAtUtc, string occurredAtUtc, string deviceId = "dev_1",
        string type = "OFFLINE_DURING_HOURS") =>
        new(recordId, SyncProtocol.RecordKinds.Incident, occurredAtUtc, JsonSerializer.SerializeToElement(
            new IncidentResponse(incidentId, deviceId, type, "WARNING", "{}", "2026-11-20T10:00:00Z", resolvedAtUtc), ContractsJsonContext.Default.IncidentResponse));
}
