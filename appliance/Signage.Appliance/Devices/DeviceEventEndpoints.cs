using System.Globalization;
using System.Text.Json;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.Devices;

/// <summary>
/// A screen's stored events for support (spec 27.8.3's table plus plays), newest first by the
/// screen's own sequence numbers, cursor-paginated (spec 27.1). Kept as long as
/// <c>Retention:DeviceEventDays</c> says.
/// </summary>
public static class DeviceEventEndpoints
{
    public static IEndpointRouteBuilder MapDeviceEvents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/venues/{venueId}/devices/{deviceId}/events", List).RequireVenueRole(VenueRank.Viewer);
        return app;
    }

    /// <summary>The cursor's key is (sequence, eventId) of the last event given: sequence numbers can repeat after a reinstall, event ids cannot.</summary>
    private static async Task<IResult> List(string venueId, string deviceId, string? type, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Integer, KeyPart.Text) is { } badPage) return badPage;
        if (type is not null && !EventTypes.All.Contains(type)) return ProblemResponses.Invalid(new() { ["type"] = [$"'{type}' is not an event type ({string.Join(", ", EventTypes.All)})."] });

        await using var connection = await database.OpenAsync(cancellationToken);
        if (!DeviceStore.Exists(connection, null, venueId, deviceId)) return Authentication.NotFound("screen");
        // Plays live in proof_of_play (migration 0010, read through its play_event view): each side is
        // read newest first through its (device_id, sequence) index, at most one page from each, and merged.
        var rows = connection.Query($"""
            {OnePage("device_event")}
            UNION ALL
            {OnePage("play_event")}
            ORDER BY 2 DESC, 1 DESC LIMIT $limit;
            """, null,
            r => new DeviceEventResponse(r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt64(6) == 1,
                Payload(r.GetString(7))),
            // Event ids are lower-case UUIDs, so "~" sorts after every one of them.
            ("$device", deviceId), ("$type", type), ("$sequence", page.Integer(0, long.MaxValue)), ("$id", page.Text(1, "~")), ("$limit", page.Fetch));
        return TypedResults.Ok(page.Answer(rows, e => [ListPage.Part(e.Sequence), e.EventId]));
    }

    /// <summary>One side's page before the cursor, newest first.</summary>
    private static string OnePage(string source) => $"""
        SELECT * FROM (
            SELECT event_id, sequence, event_type, severity, event_time_utc, received_at_utc, clock_suspect, payload_json FROM {source}
            WHERE device_id = $device AND ($type IS NULL OR event_type = $type) AND (sequence, event_id) < ($sequence, $id)
            ORDER BY sequence DESC, event_id DESC LIMIT $limit)
        """;

    private static JsonElement Payload(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
