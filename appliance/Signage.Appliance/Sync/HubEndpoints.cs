using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Hosting;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.Appliance.Sync;

/// <summary>
/// The venue's hub connection: its state (GET /v1/venues/{venueId}/hub) and enrollment, where a
/// tenant admin trades the hub's one-time code for the appliance credential
/// (POST /v1/venues/{venueId}/hub/enroll). The appliance keeps its venue, its id and its data; the
/// hub adopts them and the outbox (kept while standalone) goes up as history.
/// </summary>
public static class HubEndpoints
{
    public const string AlreadyEnrolled = "ALREADY_ENROLLED";
    public const string HubUnreachable = "HUB_UNREACHABLE";
    public const string EnrollmentRefused = "ENROLLMENT_REFUSED";

    public static IEndpointRouteBuilder MapHub(this IEndpointRouteBuilder app)
    {
        var hub = app.MapGroup("/v1/venues/{venueId}/hub");
        hub.MapGet("", Get).RequireVenueRole(VenueRank.Viewer);
        hub.MapPost("/enroll", Enroll).RequireVenueRole(VenueRank.Manager);
        return app;
    }

    private static async Task<IResult> Get(string venueId, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(HubConnection.Describe(connection));
    }

    private static async Task<IResult> Enroll(string venueId, HubEnrollmentRequest request, HttpContext http, Caller caller, Database database,
        HubClient client, SyncSignal signal, IClock clock)
    {
        if (!caller.IsTenantAdmin) return ProblemResponses.Problem(StatusCodes.Status403Forbidden, ProblemCodes.Forbidden, "Only a tenant admin may enroll the appliance with a hub.");
        var errors = new Dictionary<string, string[]>();
        var hubUrl = ParseHubUrl(request.HubUrl);
        if (hubUrl is null) errors["hubUrl"] = ["The hub URL must be an absolute http:// or https:// address, such as https://hub.example.com/."];
        if (string.IsNullOrWhiteSpace(request.Code) || request.Code.Trim().Length > 100) errors["code"] = ["Give the enrollment code the hub showed (at most 100 characters)."];
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        EnrollRequest enroll;
        await using (var connection = await database.OpenAsync(http.RequestAborted))
        {
            if (HubConnection.Load(connection) is { } existing)
                return ProblemResponses.Problem(StatusCodes.Status409Conflict, AlreadyEnrolled, $"This appliance is already enrolled with {existing.Link.HubUrl}.");
            var venue = connection.QuerySingle("SELECT name, timezone FROM venue WHERE venue_id = $venue;", null,
                r => new EnrollVenue(venueId, r.GetString(0), r.GetString(1)), ("$venue", venueId))!;
            var applianceId = connection.Scalar<string>("SELECT appliance_id FROM appliance;", null)!;
            enroll = new EnrollRequest(request.Code.Trim(), applianceId, ApplianceInfo.Version, venue);
        }

        EnrollResponse enrolled;
        try
        {
            enrolled = await client.RedeemAsync(hubUrl!, enroll, http.RequestAborted);
        }
        catch (HubException e) when (e.Status is { } status && (int)status < 500)
        {
            return ProblemResponses.Problem(StatusCodes.Status422UnprocessableEntity, EnrollmentRefused, $"The hub refused the code: {e.Message}");
        }
        catch (HubException e)
        {
            return ProblemResponses.Problem(StatusCodes.Status502BadGateway, HubUnreachable, e.Message);
        }

        await using (var connection = await database.OpenAsync(http.RequestAborted))
        {
            using var transaction = connection.BeginTransaction();
            var now = clock.GetCurrentInstant();
            var stored = connection.Execute("""
                INSERT INTO hub_connection (singleton, hub_url, credential, appliance_id, hub_tenant_id, hub_venue_id, venue_id, enrolled_at_utc)
                VALUES (1, $url, $credential, $appliance, $tenant, $hubVenue, $venue, $now) ON CONFLICT DO NOTHING;
                """, transaction, ("$url", hubUrl!.ToString()), ("$credential", enrolled.Credential), ("$appliance", enrolled.ApplianceId),
                ("$tenant", enrolled.TenantId), ("$hubVenue", enrolled.HubVenueId), ("$venue", venueId), ("$now", Sql.Utc(now)));
            if (stored == 0) return ProblemResponses.Problem(StatusCodes.Status409Conflict, AlreadyEnrolled, "Another enrollment finished first.");
            Audit.AuditLog.Write(connection, transaction, now, "HUB_ENROLLED", caller.TenantId, venueId, caller.UserId, "hub", enrolled.HubVenueId,
                new() { ["hubUrl"] = hubUrl.ToString(), ["hubTenantId"] = enrolled.TenantId, ["applianceId"] = enrolled.ApplianceId });
            transaction.Commit();
            signal.Wake();
            return TypedResults.Ok(HubConnection.Describe(connection));
        }
    }

    /// <summary>An absolute http(s) URL with a trailing slash, so relative protocol paths resolve under it.</summary>
    internal static Uri? ParseHubUrl(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)) return null;
        if (uri.Scheme is not ("http" or "https") || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment)) return null;
        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
