using System.Globalization;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Admin.Slices;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.ProofOfPlay;
using Signage.Contracts;
using Signage.Web.Admin;
using Signage.Web.Data;

namespace Signage.Appliance.Admin;

/// <summary>Proof-of-play reports (the API's report, drawn as a chart; the CSV link is the API's file),
/// the incidents list and the audit log.</summary>
public static partial class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminReports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/reports", Reports).RequirePageRole(VenueRank.Viewer);
        app.MapGet("/admin/incidents", IncidentsPage).RequirePageRole(VenueRank.Viewer);
        app.MapGet("/admin/audit", AuditPage).RequirePageRole(VenueRank.Manager);
        return app;
    }

    private static async Task<IResult> Reports(string? from, string? to, string? groupBy, HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Reports", "reports") is not ({ } layout, { } venue)) return ToSignIn("/admin/reports");
        var today = Today(venue, clock);
        from ??= LocalDatePattern.Iso.Format(today.PlusDays(-6));
        to ??= LocalDatePattern.Iso.Format(today);
        groupBy ??= "content";
        var outcome = AdminForms.Outcome(await ReportEndpoints.Json(venue.VenueId, from, to, groupBy, database, http.RequestAborted));
        var report = outcome.Value as ProofOfPlayReport;
        var csv = $"/v1/venues/{venue.VenueId}/reports/proof-of-play.csv?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&groupBy={Uri.EscapeDataString(groupBy)}";
        var chart = report is null ? null : new BarChart("Plays", [.. report.Rows.Select(r => (r.Label ?? r.Key, r.Plays))]);
        var form = outcome.Succeeded ? FormState.Empty : new FormState("report", null, outcome.Detail, outcome.Errors);
        return ReportsPageSlice.Create(new ReportsPage(layout, venue, from, to, groupBy, report, chart, csv, form));
    }

    /// <summary>Plays per venue-local day for the last 7 days, from the same report (grouped by day).</summary>
    internal static async Task<BarChart> PlaysChartAsync(AdminVenue venue, Database database, IClock clock, CancellationToken cancellationToken)
    {
        var today = Today(venue, clock);
        var first = today.PlusDays(-6);
        var outcome = AdminForms.Outcome(await ReportEndpoints.Json(venue.VenueId, LocalDatePattern.Iso.Format(first), LocalDatePattern.Iso.Format(today), "day",
            database, cancellationToken));
        var plays = (outcome.Value as ProofOfPlayReport)?.Rows.ToDictionary(r => r.Key, r => r.Plays) ?? [];
        var days = Enumerable.Range(0, 7).Select(i => first.PlusDays(i))
            .Select(d => (Label: d == today ? "Today" : d.ToString("ddd d", CultureInfo.InvariantCulture), Plays: plays.GetValueOrDefault(LocalDatePattern.Iso.Format(d))));
        return new BarChart("Plays, last 7 days", [.. days]);
    }

    private static LocalDate Today(AdminVenue venue, IClock clock) =>
        clock.GetCurrentInstant().InZone(DateTimeZoneProviders.Tzdb.GetZoneOrNull(venue.Timezone) ?? DateTimeZone.Utc).Date;

    /// <summary>Open first, then newest first, 50 at a time with "older" links (the API's cursor), so all history can be read.</summary>
    private static async Task<IResult> IncidentsPage(string? cursor, HttpContext http, Database database, IAntiforgery antiforgery)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Incidents", "reports") is not ({ } layout, { } venue)) return ToSignIn("/admin/incidents");
        if (ListPage.Read(cursor, null, out var page, KeyPart.Integer, KeyPart.Text, KeyPart.Text) is not null) return BadCursorPage(layout, "/admin/incidents");
        var incidents = page.Answer(Incidents(connection, venue.VenueId, null, openOnly: false, limit: page.Fetch, page),
            i => [i.ResolvedAtUtc is null ? "0" : "1", i.OpenedAtUtc, i.IncidentId]);
        return IncidentsPageSlice.Create(new IncidentsPage(layout, venue, incidents.Items, page.First, incidents.NextCursor));
    }

    private static async Task<IResult> AuditPage(string? cursor, HttpContext http, Database database, IAntiforgery antiforgery)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Audit log", "reports") is not ({ } layout, { } venue)) return ToSignIn("/admin/audit");
        var caller = Caller.Of(http)!;
        var outcome = await VenueForms.CallAsync(http, venue, VenueRank.Manager, null, () => AuditLog.List(venue.VenueId, cursor, 100, database, caller, http.RequestAborted));
        var entries = outcome.Value as ItemsResponse<AuditEntry>;
        var users = connection.Query("SELECT user_id, display_name FROM user_account WHERE tenant_id = $tenant;", null, r => (r.GetString(0), r.GetString(1)),
            ("$tenant", caller.TenantId)).ToDictionary(u => u.Item1, u => u.Item2);
        var slice = AuditPageSlice.Create(new AuditPage(layout, venue, entries?.Items ?? [], entries?.NextCursor, users, outcome.Succeeded ? null : outcome.Detail));
        slice.StatusCode = AdminForms.PageStatus(outcome);
        return slice;
    }
}
