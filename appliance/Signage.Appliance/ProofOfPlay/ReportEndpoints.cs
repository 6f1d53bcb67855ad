using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.Appliance.ProofOfPlay;

/// <summary>
/// Proof-of-play reports (seed 001): plays (COMPLETED only) and their total duration, with the
/// interrupted (and their milliseconds), failed and skipped PLAY_ENDs beside them, over venue-local dates, grouped by
/// campaign, content, screen or day, from the daily aggregates' per-dimension rollups
/// (proof_of_play_rollup, written with them), never from the raw log. The CSV is the same query written
/// as RFC 4180, streamed, so its totals equal the JSON's exactly.
/// </summary>
public static class ReportEndpoints
{
    public const int MaxDays = 366;
    private static readonly string[] GroupBys = ["campaign", "content", "device", "day"];

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        var reports = app.MapGroup("/v1/venues/{venueId}/reports").RequireVenueRole(VenueRank.Viewer);
        reports.MapGet("/proof-of-play", Json);
        reports.MapGet("/proof-of-play.csv", Csv);
        return app;
    }

    internal static async Task<IResult> Json(string venueId, string? from, string? to, string? groupBy, Database database, CancellationToken cancellationToken)
    {
        if (Parse(from, to, groupBy) is not { } query) return Invalid(from, to, groupBy);
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = Rows(connection, venueId, query);
        return TypedResults.Ok(new ProofOfPlayReport(query.From, query.To, query.GroupBy, [.. rows],
            ReportTotal.Of(rows)));
    }

    private static async Task<IResult> Csv(string venueId, string? from, string? to, string? groupBy, HttpContext http, Database database)
    {
        if (Parse(from, to, groupBy) is not { } query) return Invalid(from, to, groupBy);
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var rows = Rows(connection, venueId, query);
        http.Response.ContentType = "text/csv; charset=utf-8";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"proof-of-play-{query.From}-{query.To}-{query.GroupBy}.csv\"";
        await using var writer = new StreamWriter(http.Response.Body, new UTF8Encoding(false));
        await writer.WriteAsync($"{query.GroupBy},label,{ReportCsv.CountColumns}\r\n");
        foreach (var row in rows)
        {
            await writer.WriteAsync($"{Field(row.Key)},{Field(row.Label)},{ReportCsv.Counts(row)}\r\n");
        }
        await writer.WriteAsync($"TOTAL,,{ReportCsv.Counts(ReportTotal.Of(rows))}\r\n");
        return TypedResults.Empty;
    }

    private sealed record Query(string From, string To, string GroupBy);

    private static Query? Parse(string? from, string? to, string? groupBy)
    {
        var start = from is null ? null : LocalDatePattern.Iso.Parse(from) is { Success: true } f ? f.Value : (LocalDate?)null;
        var end = to is null ? null : LocalDatePattern.Iso.Parse(to) is { Success: true } t ? t.Value : (LocalDate?)null;
        var by = groupBy ?? "campaign";
        if (start is null || end is null || end < start || Period.DaysBetween(start.Value, end.Value) >= MaxDays || !GroupBys.Contains(by)) return null;
        return new Query(LocalDatePattern.Iso.Format(start.Value), LocalDatePattern.Iso.Format(end.Value), by);
    }

    private static IResult Invalid(string? from, string? to, string? groupBy)
    {
        var errors = new Dictionary<string, string[]>();
        if (from is null || !LocalDatePattern.Iso.Parse(from).Success) errors["from"] = ["Give from as a venue-local date, yyyy-MM-dd."];
        if (to is null || !LocalDatePattern.Iso.Parse(to).Success) errors["to"] = ["Give to as a venue-local date, yyyy-MM-dd."];
        if (errors.Count == 0)
        {
            var (start, end) = (LocalDatePattern.Iso.Parse(from!).Value, LocalDatePattern.Iso.Parse(to!).Value);
            errors["to"] = [end < start ? $"to ({to}) is before from ({from})."
                : $"A report covers at most {MaxDays} days; {from} to {to} is {Period.DaysBetween(start, end) + 1}. Split the range."];
        }
        if (groupBy is not null && !GroupBys.Contains(groupBy)) errors["groupBy"] = [$"groupBy is one of {string.Join(", ", GroupBys)}."];
        return ProblemResponses.Invalid(errors);
    }

    private static List<ReportRow> Rows(SqliteConnection connection, string venueId, Query query)
    {
        var label = query.GroupBy switch
        {
            "content" => "(SELECT display_name FROM asset WHERE asset_id = r.key)",
            "device" => "(SELECT name FROM device WHERE device_id = r.key)",
            "day" => "NULL",
            _ => "(SELECT brand_name || ' — ' || name FROM campaign WHERE campaign_id = r.key)",
        };
        return connection.Query($"""
            SELECT r.key, {label}, SUM(r.plays), SUM(r.total_duration_ms), SUM(r.interrupted), SUM(r.interrupted_duration_ms), SUM(r.failed), SUM(r.skipped)
            FROM proof_of_play_rollup r
            WHERE r.venue_id = $venue AND r.dimension = $dimension AND r.local_date BETWEEN $from AND $to GROUP BY r.key ORDER BY r.key;
            """, null, r => new ReportRow(r.GetString(0), r.NullableString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5),
                r.GetInt64(6), r.GetInt64(7)),
            ("$venue", venueId), ("$dimension", query.GroupBy), ("$from", query.From), ("$to", query.To));
    }

    /// <summary>RFC 4180: quote a field that holds a comma, quote or line break; double inner quotes.</summary>
    private static string Field(string? value) =>
        value is null ? "" : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
