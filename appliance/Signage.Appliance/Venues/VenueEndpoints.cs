using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Player;
using Signage.Contracts;
using Signage.Scheduling;
using Signage.Web.Problems;

namespace Signage.Appliance.Venues;

/// <summary>The venue this appliance serves: name, time zone, opening hours, fallback playlist.</summary>
public static class VenueEndpoints
{
    public static IEndpointRouteBuilder MapVenues(this IEndpointRouteBuilder app)
    {
        var venue = app.MapGroup("/v1/venues/{venueId}");
        venue.MapGet("", Get).RequireVenueRole(VenueRank.Viewer);
        venue.MapPut("", Update).RequireVenueRole(VenueRank.Manager).ChangesPlayback();
        return app;
    }

    private static async Task<IResult> Get(string venueId, HttpContext http, Database database)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var (venue, etag) = Load(connection, null, venueId)!.Value;
        Concurrency.SetETag(http, etag);
        return TypedResults.Ok(venue);
    }

    internal static async Task<IResult> Update(string venueId, UpdateVenueRequest request, HttpContext http, Database database, Caller caller, IClock clock)
    {
        var errors = Validate(request);
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var (_, etag) = Load(connection, transaction, venueId)!.Value;
        if (Concurrency.Check(http, etag) is { } precondition) return precondition;
        if (request.FallbackPlaylistId is { } fallback && !VenueRules.PlaylistIsPublished(connection, transaction, venueId, fallback))
            return ProblemResponses.Invalid(new() { ["fallbackPlaylistId"] = ["The fallback must be a published playlist of this venue."] });

        connection.Execute("""
            UPDATE venue SET name = $name, timezone = $zone, opening_hours_json = $hours, fallback_playlist_id = $fallback,
                row_version = row_version + 1, updated_at_utc = $now,
                manifest_epoch = manifest_epoch + (CASE WHEN timezone IS NOT $zone OR fallback_playlist_id IS NOT $fallback THEN 1 ELSE 0 END)
            WHERE venue_id = $venue;
            """, transaction,
            ("$name", request.Name.Trim()), ("$zone", request.Timezone), ("$fallback", request.FallbackPlaylistId),
            ("$hours", JsonSerializer.Serialize(request.OpeningHours, VenueJsonContext.Default.OpeningHoursArray)),
            ("$now", Sql.Utc(clock.GetCurrentInstant())), ("$venue", venueId));
        Audit.AuditLog.Write(connection, transaction, clock.GetCurrentInstant(), "VENUE_UPDATED", caller.TenantId, venueId, caller.UserId, "venue", venueId);
        var (updated, newEtag) = Load(connection, transaction, venueId)!.Value;
        transaction.Commit();
        Concurrency.SetETag(http, newEtag);
        return TypedResults.Ok(updated);
    }

    internal static (VenueResponse Venue, string ETag)? Load(SqliteConnection connection, SqliteTransaction? transaction, string venueId) =>
        connection.Query("""
            SELECT venue_id, tenant_id, name, timezone, opening_hours_json, fallback_playlist_id, manifest_epoch, updated_at_utc, row_version
            FROM venue WHERE venue_id = $venue;
            """, transaction,
            r => ((VenueResponse, string)?)(new VenueResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                JsonSerializer.Deserialize(r.GetString(4), VenueJsonContext.Default.OpeningHoursArray) ?? [],
                r.NullableString(5), r.GetInt64(6), r.GetString(7)), Concurrency.ETag("venue", r.GetString(0), r.GetInt64(8))),
            ("$venue", venueId)).FirstOrDefault();

    /// <summary>Opening hours as first-run setup sets them (validated with <see cref="Validate"/> first).</summary>
    internal static void SetOpeningHours(SqliteConnection connection, SqliteTransaction transaction, string venueId, OpeningHours[] hours) =>
        connection.Execute("UPDATE venue SET opening_hours_json = $hours WHERE venue_id = $venue;", transaction,
            ("$hours", JsonSerializer.Serialize(hours, VenueJsonContext.Default.OpeningHoursArray)), ("$venue", venueId));

    internal static Dictionary<string, string[]> Validate(UpdateVenueRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100) errors["name"] = ["Enter a name of 1 to 100 characters."];
        if (!TimeZones.IsValid(request.Timezone)) errors["timezone"] = [$"'{request.Timezone}' is not an IANA time zone such as Europe/London."];
        var hours = new List<string>();
        foreach (var day in request.OpeningHours)
        {
            if (day.Day is < 1 or > 7) hours.Add($"Day {day.Day} is not a weekday (1 = Monday … 7 = Sunday).");
            if (day.OpenMinutes is < 0 or > 1439 || day.CloseMinutes is < 0 or > 1439) hours.Add("Opening and closing times are minutes 0–1439 after midnight.");
        }
        if (request.OpeningHours.GroupBy(d => d.Day).Any(g => g.Count() > 1)) hours.Add("Give each weekday at most one opening time.");
        if (hours.Count > 0) errors["openingHours"] = [.. hours.Distinct()];
        return errors;
    }
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(OpeningHours[]))]
internal sealed partial class VenueJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
