using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Auth;

/// <summary>Sign in, refresh, sign out, and who am I (spec 27.3).</summary>
public static class AuthEndpoints
{
    public static readonly Duration RefreshLifetime = Duration.FromDays(30);

    // ASP.NET Core Identity's hasher: PBKDF2-HMAC-SHA512, 100,000 iterations, per-password salt.
    internal static readonly PasswordHasher<string> Passwords = new();

    // Verified when the email is unknown, so a wrong email costs as long as a wrong password.
    private static readonly string DecoyHash = Passwords.HashPassword("", "decoy-password-never-matches");

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/v1/auth");
        auth.MapPost("/login", Login).AllowAnyone();
        auth.MapPost("/refresh", Refresh).AllowAnyone();
        auth.MapPost("/logout", Logout).AllowAnyone();
        app.MapGet("/v1/me", Me).RequireUser();
        app.MapGet("/v1/me/venues", MyVenues).RequireUser();
        return app;
    }

    private static async Task<IResult> Login(LoginRequest request, HttpContext http, Database database, AccessTokens tokens, RateLimiter limiter, IClock clock)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var email = request.Email.Trim();
        if ((limiter.Enforce(http, RateLimit.LoginPerIp, ip) ?? limiter.Enforce(http, RateLimit.LoginPerAccount, email.ToUpperInvariant())) is { } refused)
            return refused;

        await using var connection = await database.OpenAsync(http.RequestAborted);
        var now = clock.GetCurrentInstant();
        if (CheckPassword(connection, email, request.Password, ip, now) is not { } user)
            return ProblemResponses.Problem(StatusCodes.Status401Unauthorized, "INVALID_CREDENTIALS", "The email or password is wrong.");
        using var transaction = connection.BeginTransaction();
        var refresh = IssueRefreshToken(connection, transaction, user.UserId, Ids.New("fam"), now);
        transaction.Commit();
        return TypedResults.Ok(TokenResponseFor(tokens, user.UserId, user.TenantId, refresh));
    }

    /// <summary>Checks an email and password and audits the attempt; shared by the JSON sign-in and the
    /// admin sign-in page (which then sets its cookie). Null when the attempt fails, for whatever reason.</summary>
    internal static (string UserId, string TenantId)? CheckPassword(SqliteConnection connection, string email, string password, string ip, Instant now)
    {
        var user = connection.QuerySingle(
            "SELECT user_id, tenant_id, password_hash, disabled FROM user_account WHERE email = $email;", null,
            r => new { UserId = r.GetString(0), TenantId = r.GetString(1), Hash = r.GetString(2), Disabled = r.GetInt64(3) == 1 },
            ("$email", email));
        var verdict = Passwords.VerifyHashedPassword("", user?.Hash ?? DecoyHash, password);
        using var transaction = connection.BeginTransaction();
        if (user is null || user.Disabled || verdict == PasswordVerificationResult.Failed)
        {
            AuditLog.Write(connection, transaction, now, "LOGIN_FAILED", user?.TenantId, null, user?.UserId,
                details: new() { ["email"] = email, ["ip"] = ip, ["reason"] = user is null ? "unknown email" : user.Disabled ? "disabled" : "wrong password" });
            transaction.Commit();
            return null;
        }
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            SetPassword(connection, transaction, user.UserId, password);
        }
        AuditLog.Write(connection, transaction, now, "LOGIN_SUCCEEDED", user.TenantId, null, user.UserId, details: new() { ["ip"] = ip });
        transaction.Commit();
        return (user.UserId, user.TenantId);
    }

    /// <summary>
    /// Trades a refresh token for new tokens. Each refresh token works once: the new one replaces
    /// it. Presenting a replaced token again means it was copied, so the whole family is revoked.
    /// </summary>
    private static async Task<IResult> Refresh(RefreshRequest request, HttpContext http, Database database, AccessTokens tokens, RateLimiter limiter, IClock clock)
    {
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var row = connection.QuerySingle("""
            SELECT t.user_id, u.tenant_id, t.family_id, t.expires_at_utc, t.replaced_at_utc, t.revoked_at_utc, u.disabled
            FROM refresh_token t JOIN user_account u ON u.user_id = t.user_id WHERE t.token_hash = $hash;
            """, transaction,
            r => new { UserId = r.GetString(0), TenantId = r.GetString(1), Family = r.GetString(2), Expires = Sql.ParseUtc(r.GetString(3)),
                Replaced = !r.IsDBNull(4), Revoked = !r.IsDBNull(5), Disabled = r.GetInt64(6) == 1 },
            ("$hash", Hash(request.RefreshToken)));
        if (row is null) return InvalidRefresh("This refresh token is unknown.");
        if (limiter.Enforce(http, RateLimit.RefreshPerUser, row.UserId) is { } refused) return refused;
        if (row.Replaced && !row.Revoked)
        {
            RevokeFamily(connection, transaction, row.Family, now);
            AuditLog.Write(connection, transaction, now, "REFRESH_TOKEN_REUSED", row.TenantId, null, row.UserId,
                details: new() { ["ip"] = http.Connection.RemoteIpAddress?.ToString() });
            transaction.Commit();
            return InvalidRefresh("This refresh token was already used; every session from that sign-in is now signed out.");
        }
        if (row.Revoked || row.Disabled) return InvalidRefresh("This session was signed out.");
        if (row.Expires <= now) return InvalidRefresh("This refresh token has expired; sign in again.");

        connection.Execute("UPDATE refresh_token SET replaced_at_utc = $now WHERE token_hash = $hash;", transaction,
            ("$now", Sql.Utc(now)), ("$hash", Hash(request.RefreshToken)));
        var refresh = IssueRefreshToken(connection, transaction, row.UserId, row.Family, now);
        transaction.Commit();
        return TypedResults.Ok(TokenResponseFor(tokens, row.UserId, row.TenantId, refresh));
    }

    private static async Task<IResult> Logout(RefreshRequest request, HttpContext http, Database database, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var family = connection.Scalar<string>("SELECT family_id FROM refresh_token WHERE token_hash = $hash;", transaction, ("$hash", Hash(request.RefreshToken)));
        if (family is not null) RevokeFamily(connection, transaction, family, clock.GetCurrentInstant());
        transaction.Commit();
        return TypedResults.NoContent();
    }

    private static IResult Me(Caller caller) => TypedResults.Ok(new MeResponse(caller.UserId, caller.TenantId, caller.Email, caller.DisplayName,
        [.. caller.TenantRoles], [.. caller.VenueRoles.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new VenueRoleGrant(v.Key, v.Value))]));

    /// <summary>By name, cursor-paginated (spec 27.1). The caller's roles filter after the cursor, so a
    /// page is read from all the tenant's venues after it (a handful on one appliance).</summary>
    private static async Task<IResult> MyVenues(Caller caller, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var venues = connection.Query("""
            SELECT venue_id, name, timezone FROM venue WHERE tenant_id = $tenant AND ($first = 1 OR (name, venue_id) > ($name, $id))
            ORDER BY name, venue_id;
            """, null,
            r => (Id: r.GetString(0), Name: r.GetString(1), Zone: r.GetString(2)),
            ("$tenant", caller.TenantId), ("$first", page.First), ("$name", page.Text(0, "")), ("$id", page.Text(1, "")));
        var accessible = venues
            .Select(v => (Venue: v, Rank: caller.RankAt(v.Id)))
            .Where(x => x.Rank > VenueRank.None)
            .Select(x => new VenueAccess(x.Venue.Id, x.Venue.Name, x.Venue.Zone, RoleName(x.Rank)))
            .Take(page.Fetch)
            .ToList();
        return TypedResults.Ok(page.Answer(accessible, v => [v.Name, v.VenueId]));
    }

    private static string RoleName(VenueRank rank) => rank switch
    {
        VenueRank.Manager => Roles.VenueManager,
        VenueRank.Editor => Roles.VenueEditor,
        _ => Roles.VenueViewer,
    };

    private static TokenResponse TokenResponseFor(AccessTokens tokens, string userId, string tenantId, string refreshToken) =>
        new(tokens.Issue(userId, tenantId), refreshToken, "Bearer", (int)AccessTokens.Lifetime.TotalSeconds, new UserRef(userId, tenantId));

    private static string IssueRefreshToken(SqliteConnection connection, SqliteTransaction transaction, string userId, string family, Instant now)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        connection.Execute("""
            INSERT INTO refresh_token (token_hash, user_id, family_id, issued_at_utc, expires_at_utc)
            VALUES ($hash, $user, $family, $now, $expires);
            """, transaction, ("$hash", Hash(token)), ("$user", userId), ("$family", family), ("$now", Sql.Utc(now)), ("$expires", Sql.Utc(now + RefreshLifetime)));
        return token;
    }

    private static void RevokeFamily(SqliteConnection connection, SqliteTransaction transaction, string family, Instant now) =>
        connection.Execute("UPDATE refresh_token SET revoked_at_utc = $now WHERE family_id = $family AND revoked_at_utc IS NULL;", transaction,
            ("$now", Sql.Utc(now)), ("$family", family));

    internal static void SetPassword(SqliteConnection connection, SqliteTransaction transaction, string userId, string password) =>
        connection.Execute("UPDATE user_account SET password_hash = $hash WHERE user_id = $user;", transaction,
            ("$hash", Passwords.HashPassword("", password)), ("$user", userId));

    /// <summary>Signs a user out everywhere: every refresh token they hold stops working.</summary>
    internal static void RevokeSessions(SqliteConnection connection, SqliteTransaction transaction, string userId, string now) =>
        connection.Execute("UPDATE refresh_token SET revoked_at_utc = $now WHERE user_id = $id AND revoked_at_utc IS NULL;", transaction,
            ("$now", now), ("$id", userId));

    private static IResult InvalidRefresh(string detail) =>
        ProblemResponses.Problem(StatusCodes.Status401Unauthorized, "INVALID_REFRESH_TOKEN", detail);

    /// <summary>Refresh tokens are 256 random bits, so one unsalted SHA-256 is enough to make the stored value useless.</summary>
    private static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
