using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;

namespace Signage.Appliance.Monitoring;

public static class IncidentEndpoints
{
    public static IEndpointRouteBuilder MapIncidents(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/venues/{venueId}/incidents", List).RequireVenueRole(VenueRank.Viewer);
        return app;
    }

    /// <summary>Open incidents first, newest first; <c>?status=open</c> for only those.</summary>
    private static async Task<IResult> List(string venueId, string? status, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var incidents = connection.Query("""
            SELECT incident_id, device_id, type, severity, details_json, opened_at_utc, resolved_at_utc FROM incident
            WHERE venue_id = $venue AND ($open = 0 OR resolved_at_utc IS NULL)
            ORDER BY resolved_at_utc IS NOT NULL, opened_at_utc DESC LIMIT 200;
            """, null, r => new IncidentResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.NullableString(6)),
            ("$venue", venueId), ("$open", status == "open" ? 1 : 0));
        return TypedResults.Ok(new ItemsResponse<IncidentResponse>(incidents, null));
    }
}
