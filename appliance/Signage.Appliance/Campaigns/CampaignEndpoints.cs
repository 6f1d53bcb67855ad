using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Campaigns;

/// <summary>
/// Campaigns (control-plane seed 001): a brand's run of content. A playlist may name one, and
/// proof-of-play reports group plays by it.
/// </summary>
public static class CampaignEndpoints
{
    public static IEndpointRouteBuilder MapCampaigns(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/v1/venues/{venueId}/campaigns");
        campaigns.MapGet("", List).RequireVenueRole(VenueRank.Viewer);
        campaigns.MapGet("/{campaignId}", Get).RequireVenueRole(VenueRank.Viewer);
        campaigns.MapPost("", Create).RequireVenueRole(VenueRank.Editor);
        campaigns.MapPut("/{campaignId}", Update).RequireVenueRole(VenueRank.Editor);
        campaigns.MapDelete("/{campaignId}", Delete).RequireVenueRole(VenueRank.Editor);
        return app;
    }

    /// <summary>By brand, then name, then id, cursor-paginated (spec 27.1).</summary>
    private static async Task<IResult> List(string venueId, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(page.Answer(connection.Query($"""
            {Select} WHERE venue_id = $venue
              AND ($first = 1 OR brand_name COLLATE NOCASE > $brand
                OR (brand_name COLLATE NOCASE = $brand AND (name COLLATE NOCASE > $name OR (name COLLATE NOCASE = $name AND campaign_id > $id))))
            ORDER BY brand_name COLLATE NOCASE, name COLLATE NOCASE, campaign_id LIMIT $limit;
            """, null, Map,
            ("$venue", venueId), ("$first", page.First), ("$brand", page.Text(0, "")), ("$name", page.Text(1, "")), ("$id", page.Text(2, "")), ("$limit", page.Fetch)),
            c => [c.BrandName, c.Name, c.CampaignId]));
    }

    private static async Task<IResult> Get(string venueId, string campaignId, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return Load(connection, null, venueId, campaignId) is { } campaign ? TypedResults.Ok(campaign) : Authentication.NotFound("campaign");
    }

    private static async Task<IResult> Create(string venueId, CampaignRequest request, Database database, IClock clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { Count: > 0 } errors) return ProblemResponses.Invalid(errors);
        await using var connection = await database.OpenAsync(cancellationToken);
        var campaignId = Ids.New("cmp");
        var now = Sql.Utc(clock.GetCurrentInstant());
        connection.Execute("""
            INSERT INTO campaign (campaign_id, venue_id, brand_name, name, start_date, end_date, created_at_utc, updated_at_utc)
            VALUES ($campaign, $venue, $brand, $name, $start, $end, $now, $now);
            """, null, ("$campaign", campaignId), ("$venue", venueId), ("$brand", request.BrandName.Trim()), ("$name", request.Name.Trim()),
            ("$start", request.StartDate), ("$end", request.EndDate), ("$now", now));
        return TypedResults.Created($"/v1/venues/{venueId}/campaigns/{campaignId}", Load(connection, null, venueId, campaignId));
    }

    private static async Task<IResult> Update(string venueId, string campaignId, CampaignRequest request, Database database, IClock clock, CancellationToken cancellationToken)
    {
        if (Validate(request) is { Count: > 0 } errors) return ProblemResponses.Invalid(errors);
        await using var connection = await database.OpenAsync(cancellationToken);
        var changed = connection.Execute("""
            UPDATE campaign SET brand_name = $brand, name = $name, start_date = $start, end_date = $end, updated_at_utc = $now
            WHERE campaign_id = $campaign AND venue_id = $venue;
            """, null, ("$brand", request.BrandName.Trim()), ("$name", request.Name.Trim()), ("$start", request.StartDate), ("$end", request.EndDate),
            ("$now", Sql.Utc(clock.GetCurrentInstant())), ("$campaign", campaignId), ("$venue", venueId));
        return changed == 1 ? TypedResults.Ok(Load(connection, null, venueId, campaignId)) : Authentication.NotFound("campaign");
    }

    private static async Task<IResult> Delete(string venueId, string campaignId, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        if (Load(connection, transaction, venueId, campaignId) is null) return Authentication.NotFound("campaign");
        if (connection.Scalar<long>("SELECT COUNT(*) FROM playlist WHERE campaign_id = $campaign;", transaction, ("$campaign", campaignId)) > 0)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "CAMPAIGN_IN_USE", "Playlists name this campaign; change them first.");
        connection.Execute("DELETE FROM campaign WHERE campaign_id = $campaign;", transaction, ("$campaign", campaignId));
        transaction.Commit();
        return TypedResults.NoContent();
    }

    internal static bool Exists(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string campaignId) =>
        Load(connection, transaction, venueId, campaignId) is not null;

    private const string Select = "SELECT campaign_id, brand_name, name, start_date, end_date, updated_at_utc FROM campaign";

    private static CampaignResponse? Load(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string campaignId) =>
        connection.QuerySingle($"{Select} WHERE campaign_id = $campaign AND venue_id = $venue;", transaction, Map, ("$campaign", campaignId), ("$venue", venueId));

    private static CampaignResponse Map(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.NullableString(3), r.NullableString(4), r.GetString(5));

    private static Dictionary<string, string[]> Validate(CampaignRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.BrandName) || request.BrandName.Trim().Length > 100) errors["brandName"] = ["Enter a brand of 1 to 100 characters."];
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100) errors["name"] = ["Enter a name of 1 to 100 characters."];
        var start = ParseDate(request.StartDate, "startDate", errors);
        var end = ParseDate(request.EndDate, "endDate", errors);
        if (start is { } s && end is { } e && e < s) errors["endDate"] = ["The campaign ends before it starts."];
        return errors;
    }

    /// <summary>An optional ISO date (yyyy-MM-dd); adds an error and returns null when it is not one.</summary>
    internal static LocalDate? ParseDate(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null) return null;
        var parsed = LocalDatePattern.Iso.Parse(text);
        if (parsed.Success) return parsed.Value;
        errors[field] = [$"'{text}' is not a date in the form yyyy-MM-dd."];
        return null;
    }
}
