using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;

namespace Signage.Appliance.Monitoring;

public static class IncidentEndpoints
{
    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/venues/{venueId}/incidents", List).RequireVenueRole(VenueRank.Viewer);
        return app;
    }

    /// <summary>Read in the order of index incident_by_venue (migration 0012): no sort, however long the history.</summary>
    internal const string ListSql = """
        SELECT incident_id, device_id, type, severity, details_json, opened_at_utc, resolved_at_utc FROM incident
        WHERE venue_id = $venue AND ($open = 0 OR resolved_at_utc IS NULL)
          AND ((resolved_at_utc IS NOT NULL) > $resolved
            OR ((resolved_at_utc IS NOT NULL) = $resolved AND (opened_at_utc, incident_id) < ($opened, $id)))
        ORDER BY resolved_at_utc IS NOT NULL, opened_at_utc DESC, incident_id DESC LIMIT $limit;
        """;

    /// <summary>Open incidents first, newest first; <c>?status=open</c> for only those. Cursor-paginated (spec 27.1)
    /// on (resolved or not, opened at, id), so the whole history can be read.</summary>
    private static async Task<IResult> List(string venueId, string? status, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Integer, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var incidents = connection.Query(ListSql, null, r => new IncidentResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.NullableString(6)),
            // The first page starts before the newest open one: "~" sorts after every UTC timestamp and id.
            ("$venue", venueId), ("$open", status == "open" ? 1 : 0),
            ("$resolved", page.Integer(0, 0)), ("$opened", page.Text(1, "~")), ("$id", page.Text(2, "~")), ("$limit", page.Fetch));
        return TypedResults.Ok(page.Answer(incidents, i => [i.ResolvedAtUtc is null ? "0" : "1", i.OpenedAtUtc, i.IncidentId]));
    }
}
