using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Playlists;
using Signage.Appliance.Schedules;
using Signage.Contracts;
using static Signage.Contracts.SyncProtocol;

namespace Signage.Appliance.Sync;

/// <summary>
/// Replicas of venue-owned data go up as the JSON the appliance's own API answers for them, rendered
/// when the record is sent (the outbox holds only a mark: kind + entity id). An entity that is gone
/// by then, or that came from the hub, renders as null and its mark is dropped.
/// </summary>
public static class Replicas
{
    public static string? Render(SqliteConnection connection, string kind, string entityId, string venueId, ScreenPresence presence, Instant now) => kind switch
    {
        RecordKinds.Screen => DeviceStore.Load(connection, venueId, entityId, presence) is { } device
            ? JsonSerializer.Serialize(device, ContractsJsonContext.Default.DeviceResponse) : null,
        RecordKinds.Playlist => PlaylistStore.LoadHeader(connection, null, venueId, entityId) is { } header && IsVenueOwned(connection, entityId)
            ? JsonSerializer.Serialize(PlaylistStore.LoadDraft(connection, null, header), ContractsJsonContext.Default.PlaylistResponse) : null,
        RecordKinds.Schedule => entityId == venueId ? Schedule(connection, venueId, now) : null,
        RecordKinds.Incident => connection.QuerySingle("""
            SELECT incident_id, device_id, type, severity, details_json, opened_at_utc, resolved_at_utc FROM incident WHERE incident_id = $id AND venue_id = $venue;
            """, null, r => new IncidentResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.NullableString(6)),
            ("$id", entityId), ("$venue", venueId)) is { } incident ? JsonSerializer.Serialize(incident, ContractsJsonContext.Default.IncidentResponse) : null,
        _ => null,
    };

    private static bool IsVenueOwned(SqliteConnection connection, string playlistId) =>
        connection.Scalar<string>("SELECT origin FROM playlist WHERE playlist_id = $id;", null, ("$id", playlistId)) == "VENUE";

    private static string Schedule(SqliteConnection connection, string venueId, Instant now)
    {
        var set = ScheduleStore.LoadSet(connection, null, venueId, now);
        return JsonSerializer.Serialize(new ScheduleSetResponse(set.DraftVersion, set.PublishedVersion, [.. ScheduleStore.DraftSlots(connection, null, venueId)]),
            ContractsJsonContext.Default.ScheduleSetResponse);
    }
}
