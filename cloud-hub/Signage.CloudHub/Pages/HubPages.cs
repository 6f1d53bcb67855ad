using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.Contracts;
using Signage.Web.Admin;
using Signage.Web.Data;

namespace Signage.CloudHub.Pages;

/// <summary>
/// Server-rendered head-office pages under /admin: the shell (sign-in, sign-out, the landing page,
/// the stylesheet and scripts) and what every page shares. Each feature's pages sit beside its API
/// endpoints, carry the same access rule as the API they show, and call the API's own handlers, so a
/// page can never show or change more than the API allows. A refusal is a page: not signed in → the
/// sign-in page; no right → 403; another tenant's id → 404.
/// </summary>
public static class HubPages
{
    public const string SignInPath = "/admin/signin";

    /// <summary>The group every page is mapped in: refusals are rendered as pages.</summary>
    public static RouteGroupBuilder MapPageGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("/admin").WithMetadata(new Authentication.PageRefusal(Refused));

    public static IEndpointRouteBuilder MapHubPages(this IEndpointRouteBuilder app)
    {
        app.MapAdminStatic();
        var pages = app.MapPageGroup();
        pages.MapGet("", Home).RequireUser();
        pages.MapGet("/signin", SignInForm);
        pages.MapPost("/signin", SignIn);
        pages.MapPost("/signout", SignOut);
        return app;
    }

    /// <summary>Where each person starts: head office sees the fleet, a platform admin the tenants, anyone else the library.</summary>
    private static IResult Home(HubCaller caller) => Results.Redirect(
        caller.IsPlatformAdmin ? "/admin/tenants" : caller.SeesWholeTenant ? "/admin/fleet" : "/admin/library");

    private static IResult SignInForm(string? returnTo, HttpContext http, IAntiforgery antiforgery) =>
        ShowSignIn(http, antiforgery, null, "", returnTo, StatusCodes.Status200OK);

    private static async Task<IResult> SignIn(IFormCollection form, HttpContext http, HubDatabase database, RateLimiter limiter, IAntiforgery antiforgery, IClock clock)
    {
        var email = form["email"].ToString().Trim();
        var returnTo = form["returnTo"].ToString();
        // The JSON login's limits; the page says it in words instead of a 429 problem.
        if (AuthEndpoints.EnforceLoginLimits(http, limiter, email) is not null)
            return ShowSignIn(http, antiforgery, "Too many attempts. Wait a minute, then try again.", email, returnTo, StatusCodes.Status429TooManyRequests);
        (string UserId, string? TenantId)? user;
        await using (var connection = await database.OpenAsync(http.RequestAborted))
        {
            user = await AuthEndpoints.CheckPasswordAsync(connection, email, form["password"].ToString());
        }
        if (user is null) return ShowSignIn(http, antiforgery, "The email or password is wrong.", email, returnTo, StatusCodes.Status200OK);
        await HubSession.SignInAsync(http, database, user.Value.UserId, clock.GetCurrentInstant());
        // Only back to a page of this hub, never to another site.
        return Results.Redirect(returnTo.StartsWith("/admin", StringComparison.Ordinal) && !returnTo.StartsWith("//", StringComparison.Ordinal) ? returnTo : "/admin");
    }

    private static async Task<IResult> SignOut(IFormCollection form, HttpContext http, HubDatabase database, IClock clock)
    {
        await HubSession.SignOutAsync(http, database, clock.GetCurrentInstant());
        return Results.Redirect(SignInPath);
    }

    private static IResult ShowSignIn(HttpContext http, IAntiforgery antiforgery, string? error, string email, string? returnTo, int status)
    {
        var slice = SignInSlice.Create(new SignInView(Layout(http, "Sign in", null), Token(http, antiforgery), error, email, returnTo));
        slice.StatusCode = status; // the slice sets the status when it writes
        return slice;
    }

    // ---- shared by the pages ----

    /// <summary>Every item of a paged list, following its cursors in the largest pages: these pages show a whole list
    /// (all venues to give roles at, every asset a playlist may name), which a first page alone would cut short without saying.</summary>
    public static async Task<List<T>> AllAsync<T>(Func<string?, int, Task<IResult>> list)
    {
        var all = new List<T>();
        string? cursor = null;
        do
        {
            var page = (ItemsResponse<T>)AdminForms.Outcome(await list(cursor, ListPage.MaxLimit)).Value!;
            all.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return all;
    }

    /// <summary>The layout of a page for whoever is signed in. Tokens are made here, before the slice
    /// writes: inside a slice the response has already started.</summary>
    public static HubLayout Layout(HttpContext http, string title, string? active)
    {
        var caller = HubCaller.Of(http);
        return new HubLayout(title, active, caller, caller is null ? null : Token(http, http.RequestServices.GetRequiredService<IAntiforgery>()));
    }

    public static string Token(HttpContext http, IAntiforgery antiforgery) => antiforgery.GetAndStoreTokens(http).RequestToken!;

    /// <summary>A short page with a status (403, 404, …) that says why and links on.</summary>
    public static IResult Message(HttpContext http, int status, string heading, string message, string back = "/admin", string backText = "Back to the start")
    {
        var slice = MessageSlice.Create(new MessageView(Layout(http, heading, null), heading, message, back, backText));
        slice.StatusCode = status;
        return slice;
    }

    /// <summary>A form's call refused with 403 or 404 becomes that page; anything else is shown beside the form by the caller.</summary>
    public static IResult? RefusedPage(HttpContext http, FormOutcome outcome) => outcome.Status switch
    {
        StatusCodes.Status403Forbidden => Message(http, outcome.Status, "Not allowed", outcome.Detail ?? "You may not do this."),
        StatusCodes.Status404NotFound => Message(http, outcome.Status, "Not found", outcome.Detail ?? "There is no such page."),
        _ => null,
    };

    /// <summary>How the access rule's refusal (problem+json) is shown on a page.</summary>
    private static IResult Refused(HttpContext http, IResult denied)
    {
        var status = denied is IStatusCodeHttpResult { StatusCode: { } code } ? code : StatusCodes.Status403Forbidden;
        if (status == StatusCodes.Status401Unauthorized)
            return Results.Redirect($"{SignInPath}?returnTo={Uri.EscapeDataString(http.Request.Path + http.Request.QueryString)}");
        var detail = denied is ProblemHttpResult problem ? problem.ProblemDetails.Detail : null;
        return RefusedPage(http, new FormOutcome(status, detail, new Dictionary<string, string[]>(), null))
            ?? Message(http, status, "Refused", detail ?? "This request was refused.");
    }
}
