using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Pages;
using Signage.CloudHub.Tenancy;
using Signage.Contracts;
using Signage.Web.Admin;

namespace Signage.CloudHub.Enrollment;

/// <summary>The venue page's "Make an enrollment code" form: the API's own handler makes the code,
/// and the venue page shows it this once (only its hash is stored).</summary>
public static class EnrollmentPages
{
    public static IEndpointRouteBuilder MapEnrollmentPages(this IEndpointRouteBuilder app)
    {
        app.MapPageGroup().RequireOwnTenantAdmin().MapPost("/venues/{venueId}/enrollment-codes", CreateCode);
        return app;
    }

    private static async Task<IResult> CreateCode(string venueId, IFormCollection form, HttpContext http, HubCaller caller, HubDatabase database, IClock clock)
    {
        int? seconds = int.TryParse(form["validForHours"].ToString(), out var hours) ? hours * 3600 : null;
        var outcome = AdminForms.Outcome(await EnrollmentEndpoints.CreateCode(caller.TenantId!, venueId, seconds, caller, database, clock, http.RequestAborted));
        return HubPages.RefusedPage(http, outcome) ?? await TenancyPages.VenuePageAsync(http, caller, database, venueId, outcome.Value as EnrollmentCodeResponse,
            outcome.Succeeded ? FormState.Empty : FormState.From("code", form, outcome), null);
    }
}
