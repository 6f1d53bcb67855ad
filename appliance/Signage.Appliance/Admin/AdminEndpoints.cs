using Microsoft.AspNetCore.Antiforgery;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Accounts;
using Signage.Appliance.Admin.Slices;
using Signage.Appliance.Assets;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Pairing;
using Signage.Appliance.Player;
using Signage.Appliance.Playlists;
using Signage.Appliance.Schedules;
using Signage.Appliance.Venues;
using Signage.Contracts;
using Signage.Scheduling;
using Signage.Web.Admin;

namespace Signage.Appliance.Admin;

/// <summary>
/// Server-rendered admin pages under /admin. They call the same store, rule and core functions as
/// the JSON API; nothing is decided only here. Handlers return <see cref="IResult"/> explicitly: the
/// request delegate generator needs it for slices under native AOT.
/// </summary>
public static partial class AdminEndpoints
{
    public const string SignInPath = "/admin/signin";

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        app.MapAdminStatic().AllowAnyone();
        app.MapGet("/admin", Home).RequirePageRole(VenueRank.Viewer, openBeforeFirstUser: true);
        app.MapPost("/admin/setup", Setup).AllowAnyone(); // refuses itself once any user exists
        app.MapGet(SignInPath, SignInForm).AllowAnyone();
        app.MapPost(SignInPath, SignIn).AllowAnyone();
        app.MapPost("/admin/signout", SignOut).AllowAnyone();
        app.MapGet("/admin/screens/cards", Cards).RequirePageRole(VenueRank.Viewer, fragment: true);
        app.MapGet("/admin/pair", PairForm).RequirePageRole(VenueRank.Viewer);
        app.MapPost("/admin/pair", Pair).RequirePageRole(VenueRank.Manager);
        app.MapGet("/admin/library", Library).RequirePageRole(VenueRank.Viewer);
        app.MapGet("/admin/content", Content).RequirePageRole(VenueRank.Viewer);
        app.MapAdminScreens();
        app.MapAdminPlaylists();
        app.MapAdminSchedule();
        app.MapAdminReports();
        app.MapAdminSettings();
        return app;
    }

    private static async Task<IResult> Home(HttpContext http, Database database, IAntiforgery antiforgery, ManifestService manifests, ScreenPresence presence, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (NoUserYet(connection)) return SetupSlice(http, antiforgery, null, "", "My venue", "Europe/London", FormState.Empty);
        if (Page(http, connection, antiforgery, "Dashboard", "dashboard") is not ({ } layout, { } venue)) return ToSignIn();
        return Dashboard.Create(new DashboardPage(layout, venue, LoadCards(connection, venue, manifests, presence),
            await PlaysChartAsync(venue, database, clock, http.RequestAborted), HubConnection(connection)));
    }

    /// <summary>First run: creates the tenant, this appliance's venue and the first admin, then signs them in.
    /// Refused once any user exists, so it can never be used to take over an appliance.</summary>
    private static async Task<IResult> Setup(IFormCollection form, HttpContext http, Database database, AdminSession session, IAntiforgery antiforgery, IClock clock)
    {
        string email = form["email"].ToString().Trim(), password = form["password"].ToString(),
            venueName = form["venueName"].ToString().Trim(), zone = form["timezone"].ToString().Trim();
        string? error = null;
        if (!UserEndpoints.IsEmail(email)) error = "Enter a valid email address.";
        else if (password.Length < UserEndpoints.MinimumPasswordLength) error = $"Use a password of at least {UserEndpoints.MinimumPasswordLength} characters.";
        else if (venueName.Length is 0 or > 100) error = "Name the venue (1 to 100 characters).";
        else if (!TimeZones.IsValid(zone)) error = $"'{zone}' is not a time zone from the list, such as Europe/London.";
        var hourErrors = new Dictionary<string, string[]>();
        var hours = OpeningHoursFromForm(form, hourErrors);
        if (error is null && VenueEndpoints.Validate(new UpdateVenueRequest(venueName, zone, hours)) is { Count: > 0 } venueErrors)
            foreach (var (field, messages) in venueErrors) hourErrors[field] = messages;
        if (error is null && hourErrors.Count > 0) error = "Check the opening hours.";
        if (error is not null) return SetupSlice(http, antiforgery, error, email, venueName, zone, new FormState("setup", form, error, hourErrors));

        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (connection.Scalar<long>("SELECT COUNT(*) FROM user_account;", transaction) > 0) return ToSignIn();
        var (tenantId, venueId) = FirstAdmin.CreateTenantAndVenue(connection, transaction, "My organisation", venueName, zone, now);
        VenueEndpoints.SetOpeningHours(connection, transaction, venueId, hours);
        var userId = UserEndpoints.CreateUser(connection, transaction, tenantId, email, "Administrator", password, [Roles.TenantAdmin], [], now);
        AuditLog.Write(connection, transaction, now, "USER_CREATED", tenantId, null, userId, "user", userId,
            new() { ["email"] = email, ["source"] = "first-run page", ["tenantRoles"] = Roles.TenantAdmin });
        transaction.Commit();
        session.SignIn(http, userId, tenantId, now);
        return Results.Redirect("/admin");
    }

    private static IResult SignInForm(string? returnTo, HttpContext http, IAntiforgery antiforgery) =>
        SignInPageSlice.Create(new SignInPage(Token(http, antiforgery), null, "", returnTo));

    private static async Task<IResult> SignIn(IFormCollection form, HttpContext http, Database database, AdminSession session, RateLimiter limiter,
        IAntiforgery antiforgery, IClock clock)
    {
        var email = form["email"].ToString().Trim();
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // The same limits as the JSON sign-in; the page shows words instead of a 429 problem.
        if ((limiter.Enforce(http, RateLimit.LoginPerIp, ip) ?? limiter.Enforce(http, RateLimit.LoginPerAccount, email.ToUpperInvariant())) is not null)
            return SignInError(http, antiforgery, form, email, "Too many attempts. Wait a minute, then try again.", StatusCodes.Status429TooManyRequests);
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (AuthEndpoints.CheckPassword(connection, email, form["password"].ToString(), ip, clock.GetCurrentInstant()) is not { } user)
            return SignInError(http, antiforgery, form, email, "The email or password is wrong.", StatusCodes.Status200OK);
        session.SignIn(http, user.UserId, user.TenantId, clock.GetCurrentInstant());
        // Only back to an admin page of this appliance, never to another site.
        var returnTo = form["returnTo"].ToString();
        return Results.Redirect(returnTo.StartsWith("/admin", StringComparison.Ordinal) && !returnTo.StartsWith("//", StringComparison.Ordinal) ? returnTo : "/admin");
    }

    private static IResult SignOut(IFormCollection form, HttpContext http)
    {
        AdminSession.SignOut(http);
        return Results.Redirect(SignInPath);
    }

    /// <summary>The dashboard's cards alone: the page fetches this every 10 seconds.</summary>
    private static async Task<IResult> Cards(HttpContext http, Database database, ManifestService manifests, ScreenPresence presence)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Caller.Of(http) is not { } caller || VenueOf(connection, caller) is not { } venue) return TypedResults.Unauthorized();
        http.Response.Headers.CacheControl = "no-store";
        return _Cards.Create(LoadCards(connection, venue, manifests, presence));
    }

    /// <summary>The TV's QR code points here with ?code=; the form pre-fills it.</summary>
    private static async Task<IResult> PairForm(string? code, HttpContext http, Database database, IAntiforgery antiforgery)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Pair a screen", "pair") is not ({ } layout, { } venue))
            return ToSignIn($"/admin/pair?code={Uri.EscapeDataString(code ?? "")}");
        return PairSlice(http, connection, antiforgery, layout, venue, code ?? "", "", null, null, null);
    }

    private static async Task<IResult> Pair(IFormCollection form, HttpContext http, Database database, DeviceDirectory directory, RateLimiter limiter,
        IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Pair a screen", "pair") is not ({ } layout, { } venue)) return ToSignIn();
        string code = form["code"].ToString(), name = form["name"].ToString();
        var group = form["groupId"].ToString() is { Length: > 0 } g ? g : null;
        if (!venue.CanManage)
            return PairSlice(http, connection, antiforgery, layout, venue, code, name, group, "Only a venue manager can pair screens.", null, StatusCodes.Status403Forbidden);
        var caller = Caller.Of(http)!;
        if (limiter.Enforce(http, PairingEndpoints.ClaimPerUser, caller.UserId) is not null)
            return PairSlice(http, connection, antiforgery, layout, venue, code, name, group, "Too many tries. Wait a minute, then try again.", null, StatusCodes.Status429TooManyRequests);
        var (deviceId, failure) = PairingEndpoints.ClaimCode(connection, directory, caller, venue.VenueId, new PairingClaimRequest(code, name, group), clock.GetCurrentInstant());
        if (failure is not null) return PairSlice(http, connection, antiforgery, layout, venue, code, name, group, failure.Detail, null, StatusCodes.Status200OK);
        return PairSlice(http, connection, antiforgery, layout, venue, "", "", null, null, $"'{name.Trim()}' is paired. It starts playing within a few seconds.");
    }

    private static async Task<IResult> Library(HttpContext http, Database database, IAntiforgery antiforgery)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Library", "library") is not ({ } layout, { } venue)) return ToSignIn("/admin/library");
        return LibrarySlice.Create(new LibraryPage(layout, venue, AssetStore.List(connection, venue.VenueId, new AssetFilter(null, null, null), null, 500)));
    }

    /// <summary>The venue's playlists; each opens in the editor.</summary>
    private static async Task<IResult> Content(HttpContext http, Database database, IAntiforgery antiforgery, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (Page(http, connection, antiforgery, "Playlists", "content") is not ({ } layout, { } venue)) return ToSignIn("/admin/content");
        return ContentSlice(connection, layout, venue, clock, FormState.Empty, StatusCodes.Status200OK);
    }

    // ---- shared by the pages ----

    private static bool NoUserYet(SqliteConnection connection) => connection.Scalar<long>("SELECT COUNT(*) FROM user_account;", null) == 0;

    /// <summary>The signed-in caller's layout and venue, or nulls when nobody is signed in (or they have no venue).</summary>
    internal static (LayoutModel?, AdminVenue?) Page(HttpContext http, SqliteConnection connection, IAntiforgery antiforgery, string title, string active)
    {
        if (Caller.Of(http) is not { } caller || VenueOf(connection, caller) is not { } venue) return (null, null);
        return (new LayoutModel(title, caller.DisplayName, venue.Name, active, Token(http, antiforgery)), venue);
    }

    /// <summary>The appliance serves one venue; a caller sees the first of their tenant's venues they have a role at.</summary>
    internal static AdminVenue? VenueOf(SqliteConnection connection, Caller caller) =>
        connection.Query("SELECT venue_id, name, timezone FROM venue WHERE tenant_id = $tenant ORDER BY created_at_utc, venue_id;", null,
                r => (Id: r.GetString(0), Name: r.GetString(1), Zone: r.GetString(2)), ("$tenant", caller.TenantId))
            .Select(v => new AdminVenue(v.Id, v.Name, v.Zone, caller.RankAt(v.Id)))
            .FirstOrDefault(v => v.Rank > VenueRank.None);

    internal static List<ScreenCard> LoadCards(SqliteConnection connection, AdminVenue venue, ManifestService manifests, ScreenPresence presence)
    {
        var now = presence.Now;
        var incidents = connection.Query("SELECT device_id, COUNT(*) FROM incident WHERE venue_id = $venue AND resolved_at_utc IS NULL GROUP BY device_id;", null,
            r => (Device: r.GetString(0), Count: r.GetInt32(1)), ("$venue", venue.VenueId)).ToDictionary(x => x.Device, x => x.Count);
        return DeviceStore.List(connection, venue.VenueId, presence, manifests.CurrentETag)
            .Select(d => (Device: d, Seen: AdminText.Ago(now, Sql.ParseUtcOrNull(d.LastSeenAtUtc)),
                Asset: d.CurrentAssetId is { } assetId ? AssetStore.Load(connection, null, venue.VenueId, assetId) : null))
            .Select(x => new ScreenCard(x.Device, x.Asset?.DisplayName, x.Asset is null ? null : AssetStore.ThumbnailUrl(venue.VenueId, x.Asset.AssetId), x.Seen,
                incidents.GetValueOrDefault(x.Device.DeviceId), StaleSince(connection, venue, x.Device.DeviceId, now)))
            .ToList();
    }

    /// <summary>When the content a screen has still not applied was published, from its open STALE_CONTENT incident.</summary>
    internal static string? StaleSince(SqliteConnection connection, AdminVenue venue, string deviceId, Instant now)
    {
        var since = connection.Scalar<string>("""
            SELECT json_extract(details_json, '$.expectedSinceUtc') FROM incident
            WHERE device_id = $device AND type = 'STALE_CONTENT' AND resolved_at_utc IS NULL;
            """, null, ("$device", deviceId));
        if (Sql.ParseUtcOrNull(since) is not { } instant) return null;
        var zone = Scheduling.TimeZones.Effective(null, venue.Timezone, null).Zone;
        var local = instant.InZone(zone);
        var pattern = local.Date == now.InZone(zone).Date ? "HH:mm" : "MMM d HH:mm";
        return NodaTime.Text.LocalDateTimePattern.CreateWithInvariantCulture(pattern).Format(local.LocalDateTime);
    }

    private static IResult PairSlice(HttpContext http, SqliteConnection connection, IAntiforgery antiforgery, LayoutModel layout, AdminVenue venue,
        string code, string name, string? group, string? error, string? paired, int status = StatusCodes.Status200OK)
    {
        var groups = connection.Query("SELECT group_id, name FROM device_group WHERE venue_id = $venue ORDER BY name COLLATE NOCASE;", null,
            r => (r.GetString(0), r.GetString(1)), ("$venue", venue.VenueId));
        var slice = PairPageSlice.Create(new PairPage(layout, venue, Token(http, antiforgery), code, name, group, groups, error, paired));
        slice.StatusCode = status; // the slice sets the status when it writes
        return slice;
    }

    private static IResult SetupSlice(HttpContext http, IAntiforgery antiforgery, string? error, string email, string venueName, string zone, FormState form) =>
        SetupPageSlice.Create(new SetupPage(Token(http, antiforgery), Zones, error, email, venueName, zone, form));

    private static IResult SignInError(HttpContext http, IAntiforgery antiforgery, IFormCollection form, string email, string error, int status)
    {
        var slice = SignInPageSlice.Create(new SignInPage(Token(http, antiforgery), error, email, form["returnTo"].ToString()));
        slice.StatusCode = status;
        return slice;
    }

    /// <summary>Tokens are made here, before the slice writes: inside a slice the response has already started.</summary>
    internal static string Token(HttpContext http, IAntiforgery antiforgery) => antiforgery.GetAndStoreTokens(http).RequestToken!;

    internal static IResult ToSignIn(string? returnTo = null) =>
        Results.Redirect(returnTo is null ? SignInPath : $"{SignInPath}?returnTo={Uri.EscapeDataString(returnTo)}");
}
