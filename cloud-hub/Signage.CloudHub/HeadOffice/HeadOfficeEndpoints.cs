using System.Globalization;
using System.Text;
using Npgsql;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.CloudHub.HeadOffice;

/// <summary>
/// Head office (tenant admins and viewers): proof-of-play across every venue of the tenant, from
/// the daily aggregates the sync endpoint keeps, as JSON or CSV from the same query (equal totals);
/// and fleet health from what each appliance last sent. A screen counts as offline when its last
/// status says so or the venue has an open OFFLINE_DURING_HOURS incident for it (the appliance
/// notices a silent screen by opening that incident, which flows up as a replica).
/// </summary>
public static class HeadOfficeEndpoints
{
    public const int MaxDays = 366;
    private static readonly string[] GroupBys = ["campaign", "venue", "content", "day"];

    public static IEndpointRouteBuilder MapHeadOffice(this IEndpointRouteBuilder app)
    {
        var office = app.MapGroup("/v1").RequireHeadOffice();
        office.MapGet("/reports/proof-of-play", Json);
        office.MapGet("/reports/proof-of-play.csv", Csv);
        office.MapGet("/fleet", Fleet);
        return app;
    }

    private sealed record Query(DateOnly From, DateOnly To, string GroupBy);

    internal static async Task<IResult> Json(string? from, string? to, string? groupBy, HubCaller caller, HubDatabase database, CancellationToken cancellationToken)
    {
        if (Parse(from, to, groupBy) is not { } query) return Invalid();
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await RowsAsync(connection, caller.TenantId!, query);
        return TypedResults.Ok(new ProofOfPlayReport(Date(query.From), Date(query.To), query.GroupBy, [.. rows],
            ReportTotal.Of(rows)));
    }

    private static async Task<IResult> Csv(string? from, string? to, string? groupBy, HubCaller caller, HttpContext http, HubDatabase database)
    {
        if (Parse(from, to, groupBy) is not { } query) return Invalid();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var rows = await RowsAsync(connection, caller.TenantId!, query);
        var csv = new StringBuilder($"{query.GroupBy},label,{ReportCsv.CountColumns}\r\n");
        foreach (var row in rows)
            csv.Append(CultureInfo.InvariantCulture, $"{Field(row.Key)},{Field(row.Label)},{ReportCsv.Counts(row)}\r\n");
        csv.Append(CultureInfo.InvariantCulture, $"TOTAL,,{ReportCsv.Counts(ReportTotal.Of(rows))}\r\n");
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"proof-of-play-{Date(query.From)}-{Date(query.To)}-{query.GroupBy}.csv\"";
        return TypedResults.Text(csv.ToString(), "text/csv; charset=utf-8");
    }

    private static async Task<List<ReportRow>> RowsAsync(NpgsqlConnection connection, string tenantId, Query query)
    {
        var (key, label, join) = query.GroupBy switch
        {
            "campaign" => ("d.campaign_id", "NULL::text", ""),
            "venue" => ("d.venue_id", "v.name", "JOIN venue v ON v.venue_id = d.venue_id"),
            "content" => ("d.asset_id", "NULL::text", ""),
            _ => ("to_char(d.local_date, 'YYYY-MM-DD')", "NULL::text", ""),
        };
        return await connection.QueryAsync($"""
            SELECT {key}, {label}, sum(d.plays)::bigint, sum(d.total_duration_ms)::bigint, sum(d.interrupted)::bigint, sum(d.interrupted_duration_ms)::bigint,
                sum(d.failed)::bigint, sum(d.skipped)::bigint
            FROM play_daily d {join}
            WHERE d.tenant_id = @tenant AND d.local_date BETWEEN @from AND @to
            GROUP BY 1, 2 ORDER BY 1;
            """, null, r => new ReportRow(r.GetString(0), r.NullableString(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5),
                r.GetInt64(6), r.GetInt64(7)),
            ("tenant", tenantId), ("from", query.From), ("to", query.To));
    }

    /// <summary>Each appliance's health by venue name, cursor-paginated (spec 27.1).</summary>
    private static async Task<IResult> Fleet(string? cursor, int? limit, HubCaller caller, HubDatabase database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(page.Answer(await FleetAsync(connection, caller.TenantId!, page), a => [a.VenueName, a.ApplianceId]));
    }

    /// <summary>The tenant's appliances with their health, by venue name: with a page, those after its cursor (one more
    /// than the page), else all of them (the fleet page shows the whole fleet at once).</summary>
    internal static Task<List<ApplianceHealth>> FleetAsync(NpgsqlConnection connection, string tenantId, ListPage? page = null) =>
        connection.QueryAsync($"""
            SELECT a.appliance_id, a.venue_id, v.name, a.appliance_version, a.enrolled_at, a.last_contact_at, a.backlog,
                (SELECT count(*) FROM device_status s WHERE s.venue_id = a.venue_id)::int,
                (SELECT count(*) FROM (
                    SELECT s.device_id FROM device_status s WHERE s.venue_id = a.venue_id AND s.status <> 'ONLINE'
                    UNION
                    SELECT i.data->>'deviceId' FROM venue_replica i WHERE i.venue_id = a.venue_id AND i.kind = 'INCIDENT'
                        AND i.data->>'type' = 'OFFLINE_DURING_HOURS' AND i.data->>'resolvedAtUtc' IS NULL) offline)::int,
                (SELECT count(*) FROM venue_replica i WHERE i.venue_id = a.venue_id AND i.kind = 'INCIDENT' AND i.data->>'resolvedAtUtc' IS NULL)::int
            FROM appliance a JOIN venue v ON v.venue_id = a.venue_id
            WHERE a.tenant_id = @tenant {(page is { First: false } ? "AND (v.name, a.appliance_id) > (@name, @id)" : "")}
            ORDER BY v.name, a.appliance_id {(page is null ? "" : "LIMIT @limit")};
            """, null, r => new ApplianceHealth(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), Sql.Utc(r.GetDateTime(4)), r.Utc(5),
                r.GetInt64(6), r.GetInt32(7), r.GetInt32(8), r.GetInt32(9)),
            ("tenant", tenantId), ("name", page?.Text(0, "") ?? ""), ("id", page?.Text(1, "") ?? ""), ("limit", page?.Fetch ?? 0));

    private static Query? Parse(string? from, string? to, string? groupBy)
    {
        if (!DateOnly.TryParseExact(from, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            || !DateOnly.TryParseExact(to, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
            || end < start || end.DayNumber - start.DayNumber >= MaxDays) return null;
        var group = groupBy ?? "day";
        return GroupBys.Contains(group) ? new Query(start, end, group) : null;
    }

    private static IResult Invalid() => ProblemResponses.Invalid(new()
    {
        ["query"] = [$"Give from and to as YYYY-MM-DD (to >= from, at most {MaxDays} days) and groupBy as one of {string.Join(", ", GroupBys)}."],
    });

    private static string Date(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Field(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
}
