using System.Globalization;
using NodaTime;
using NodaTime.Text;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Pages;
using Signage.Contracts;
using Signage.Web.Admin;

namespace Signage.CloudHub.HeadOffice;

/// <summary>One appliance on the fleet page: its health (the API's row) and how fresh its last contact is.</summary>
/// <param name="State">fresh, late or stale: the card's colour.</param>
public sealed record FleetRow(ApplianceHealth Health, string State, string StateText, string? Seen);

public sealed record FleetCards(IReadOnlyList<FleetRow> Rows, IReadOnlyList<string> WaitingVenues);

public sealed record FleetView(HubLayout Layout, FleetCards Cards);

public sealed record ReportView(HubLayout Layout, string From, string To, string GroupBy, ProofOfPlayReport? Report, BarChart? Chart, string CsvUrl, string? Error);

/// <summary>
/// Head office's pages (tenant admins and viewers, the API's rule): the fleet, refreshed in place
/// every 5 seconds, and the cross-venue proof-of-play report, drawn from the API's own handler so
/// the page, the JSON and the CSV always show the same totals.
/// </summary>
public static class HeadOfficePages
{
    /// <summary>Appliances send whatever they have at least every minute; a few missed rounds is "late", longer is "stale".</summary>
    public static readonly Duration LateAfter = Duration.FromMinutes(3);
    public static readonly Duration StaleAfter = Duration.FromMinutes(15);

    public static IEndpointRouteBuilder MapHeadOfficePages(this IEndpointRouteBuilder app)
    {
        var pages = app.MapPageGroup().RequireHeadOffice();
        pages.MapGet("/fleet", Fleet);
        pages.MapGet("/reports", Report);
        // Fetched by the fleet page's script: a refusal stays problem+json (the page keeps its last cards).
        app.MapGet("/admin/fleet/cards", Cards).RequireHeadOffice();
        return app;
    }

    private static async Task<IResult> Fleet(HttpContext http, HubCaller caller, HubDatabase database, IClock clock) =>
        FleetSlice.Create(new FleetView(HubPages.Layout(http, "Fleet", "fleet"), await LoadAsync(caller, database, clock, http.RequestAborted)));

    private static async Task<IResult> Cards(HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        http.Response.Headers.CacheControl = "no-store";
        return _FleetCards.Create(await LoadAsync(caller, database, clock, http.RequestAborted));
    }

    private static async Task<FleetCards> LoadAsync(HubCaller caller, HubDatabase database, IClock clock, CancellationToken cancellationToken)
    {
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(cancellationToken);
        var fleet = await HeadOfficeEndpoints.FleetAsync(connection, caller.TenantId!);
        var waiting = await connection.QueryAsync("""
            SELECT v.name FROM venue v WHERE v.tenant_id = @tenant AND NOT EXISTS (SELECT 1 FROM appliance a WHERE a.venue_id = v.venue_id)
            ORDER BY v.name, v.venue_id;
            """, null, r => r.GetString(0), ("tenant", caller.TenantId));
        return new FleetCards([.. fleet.Select(a => Row(a, now))], waiting);
    }

    internal static FleetRow Row(ApplianceHealth health, Instant now)
    {
        var contact = health.LastContactAtUtc is { } text && InstantPattern.ExtendedIso.Parse(text) is { Success: true } parsed ? parsed.Value : (Instant?)null;
        var seen = AdminText.Ago(now, contact);
        if (contact is not { } at) return new FleetRow(health, "stale", "Never synced", null);
        var age = now - at;
        return age < LateAfter ? new FleetRow(health, "fresh", "In contact", seen)
            : age < StaleAfter ? new FleetRow(health, "late", "Late", seen)
            : new FleetRow(health, "stale", "Stale: no contact", seen);
    }

    /// <summary>The last 7 days by venue unless asked otherwise; the numbers are the JSON API's.</summary>
    private static async Task<IResult> Report(string? from, string? to, string? groupBy, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        var today = clock.GetCurrentInstant().InUtc().Date;
        var pattern = LocalDatePattern.Iso;
        from = string.IsNullOrEmpty(from) ? pattern.Format(today.PlusDays(-6)) : from;
        to = string.IsNullOrEmpty(to) ? pattern.Format(today) : to;
        groupBy = string.IsNullOrEmpty(groupBy) ? "venue" : groupBy;
        var outcome = AdminForms.Outcome(await HeadOfficeEndpoints.Json(from, to, groupBy, caller, database, http.RequestAborted));
        var report = outcome.Value as ProofOfPlayReport;
        var chart = report is null ? null : new BarChart($"Plays by {groupBy}", [.. report.Rows.Select(r => (Label(r, groupBy), r.Plays))]);
        var csv = $"/v1/reports/proof-of-play.csv?from={Uri.EscapeDataString(from)}&to={Uri.EscapeDataString(to)}&groupBy={Uri.EscapeDataString(groupBy)}";
        var error = outcome.Succeeded ? null : string.Join(" ", outcome.Errors.SelectMany(e => e.Value).DefaultIfEmpty(outcome.Detail ?? "This report cannot be made."));
        return ReportSlice.Create(new ReportView(HubPages.Layout(http, "Proof of play", "reports"), from, to, groupBy, report, chart, csv, error));
    }

    /// <summary>What a row is called on the page: the venue's name, "No campaign" for plays outside one, else the key.</summary>
    public static string Label(ReportRow row, string groupBy) =>
        row.Label ?? (groupBy == "campaign" && row.Key.Length == 0 ? "No campaign" : row.Key);

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
