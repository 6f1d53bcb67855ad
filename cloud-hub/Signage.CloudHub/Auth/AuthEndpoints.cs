using Microsoft.AspNetCore.Identity;
using NodaTime;
using Npgsql;
using Signage.CloudHub.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.CloudHub.Auth;

/// <summary>Sign in, refresh, sign out, and who am I (spec 27.3), for platform admins and tenant users alike.</summary>
public static class AuthEndpoints
{
    public static readonly Duration RefreshLifetime = Duration.FromDays(30);

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/v1/auth");
        auth.MapPost("/login", Login);
        auth.MapPost("/refresh", Refresh);
        auth.MapPost("/logout", Logout);
        app.MapGet("/v1/me", Me).RequireUser();
        app.MapGet("/v1/me/venues", MyVenues).RequireUser();
        return app;
    }

    private static async Task<IResult> Login(LoginRequest request, HttpContext http, HubDatabase database, HubTokens tokens, RateLimiter limiter, IClock clock)
    {
        if (EnforceLoginLimits(http, limiter, request.Email) is { } refused) return refused;
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (await CheckPasswordAsync(connection, request.Email, request.Password) is not { } user)
            return ProblemResponses.Problem(StatusCodes.Status401Unauthorized, "INVALID_CREDENTIALS", "The email or password is wrong.");
        await using var transaction = await connection.BeginTransactionAsync(http.RequestAborted);
        var refresh = await IssueRefreshTokenAsync(connection, transaction, user.UserId, Secrets.NewId("fam"), clock.GetCurrentInstant());
        await transaction.CommitAsync(http.RequestAborted);
        return TypedResults.Ok(Tokens(tokens, user.UserId, user.TenantId, refresh));
    }

    /// <summary>Sign-in attempts per address and per account (the JSON login and the sign-in page share them); 429 when over.</summary>
    internal static IResult? EnforceLoginLimits(HttpContext http, RateLimiter limiter, string email)
    {
        var ip = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return limiter.Enforce(http, RateLimit.LoginPerIp, ip) ?? limiter.Enforce(http, RateLimit.LoginPerAccount, email.Trim().ToUpperInvariant());
    }

    /// <summary>The enabled user with this email and password, else null. An unknown email costs as long as a wrong password.</summary>
    internal static async Task<(string UserId, string? TenantId)?> CheckPasswordAsync(NpgsqlConnection connection, string email, string password)
    {
        var user = await connection.QuerySingleAsync(
            "SELECT user_id, tenant_id, password_hash, disabled FROM user_account WHERE lower(email) = lower(@email);", null,
            r => new { UserId = r.GetString(0), TenantId = r.NullableString(1), Hash = r.GetString(2), Disabled = r.GetBoolean(3) }, ("email", email.Trim()));
        var verdict = Secrets.Passwords.VerifyHashedPassword("", user?.Hash ?? Secrets.DecoyHash, password);
        if (user is null || user.Disabled || verdict == PasswordVerificationResult.Failed) return null;
        return (user.UserId, user.TenantId);
    }

    /// <summary>Each refresh token works once; presenting a replaced one again revokes its whole family.</summary>
    private static async Task<IResult> Refresh(RefreshRequest request, HttpContext http, HubDatabase database, HubTokens tokens, IClock clock)
    {
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        await using var transaction = await connection.BeginTransactionAsync(http.RequestAborted);
        var row = await connection.QuerySingleAsync("""
            SELECT t.user_id, u.tenant_id, t.family_id, t.expires_at, t.replaced_at IS NOT NULL, t.revoked_at IS NOT NULL, u.disabled
            FROM refresh_token t JOIN user_account u ON u.user_id = t.user_id WHERE t.token_hash = @hash FOR UPDATE OF t;
            """, transaction,
            r => new { UserId = r.GetString(0), TenantId = r.NullableString(1), Family = r.GetString(2), Expires = r.GetDateTime(3),
                Replaced = r.GetBoolean(4), Revoked = r.GetBoolean(5), Disabled = r.GetBoolean(6) },
            ("hash", Secrets.Hash(request.RefreshToken)));
        if (row is null) return InvalidRefresh("This refresh token is unknown.");
        if (row.Replaced && !row.Revoked)
        {
            await RevokeFamilyAsync(connection, transaction, row.Family, now);
            await transaction.CommitAsync(http.RequestAborted);
            return InvalidRefresh("This refresh token was already used; every session from that sign-in is now signed out.");
        }
        if (row.Revoked || row.Disabled) return InvalidRefresh("This session was signed out.");
        if (Instant.FromDateTimeUtc(DateTime.SpecifyKind(row.Expires, DateTimeKind.Utc)) <= now) return InvalidRefresh("This refresh token has expired; sign in again.");
        await connection.ExecuteAsync("UPDATE refresh_token SET replaced_at = @now WHERE token_hash = @hash;", transaction,
            ("now", now.ToDateTimeUtc()), ("hash", Secrets.Hash(request.RefreshToken)));
        var refresh = await IssueRefreshTokenAsync(connection, transaction, row.UserId, row.Family, now);
        await transaction.CommitAsync(http.RequestAborted);
        return TypedResults.Ok(Tokens(tokens, row.UserId, row.TenantId, refresh));
    }

    private static async Task<IResult> Logout(RefreshRequest request, HttpContext http, HubDatabase database, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var family = await connection.ScalarAsync<string>("SELECT family_id FROM refresh_token WHERE token_hash = @hash;", null, ("hash", Secrets.Hash(request.RefreshToken)));
        if (family is not null) await RevokeFamilyAsync(connection, null, family, clock.GetCurrentInstant());
        return TypedResults.NoContent();
    }

    private static IResult Me(HubCaller caller) => TypedResults.Ok(new MeResponse(caller.UserId, caller.TenantId ?? "", caller.Email, caller.DisplayName,
        [.. caller.TenantRoles], [.. caller.VenueRoles.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new VenueRoleGrant(v.Key, v.Value))]));

    /// <summary>By name, cursor-paginated (spec 27.1). Head office sees every venue of the tenant; anyone else the
    /// venues they hold a role at, filtered in SQL so a page is full whatever the tenant's size.</summary>
    private static async Task<IResult> MyVenues(string? cursor, int? limit, HubCaller caller, HubDatabase database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var venues = await connection.QueryAsync($"""
            SELECT venue_id, name, timezone FROM venue WHERE tenant_id = @tenant {(caller.SeesWholeTenant ? "" : "AND venue_id = ANY(@granted)")}
              {(page.First ? "" : "AND (name, venue_id) > (@name, @id)")}
            ORDER BY name, venue_id LIMIT @limit;
            """, null, r => new VenueAccess(r.GetString(0), r.GetString(1), r.GetString(2), caller.RoleAt(r.GetString(0))!),
            ("tenant", caller.TenantId ?? ""), ("granted", caller.VenueRoles.Keys.ToArray()), ("name", page.Text(0, "")), ("id", page.Text(1, "")),
            ("limit", page.Fetch));
        return TypedResults.Ok(page.Answer(venues, v => [v.Name, v.VenueId]));
    }

    private static TokenResponse Tokens(HubTokens tokens, string userId, string? tenantId, string refreshToken) =>
        new(tokens.Issue(userId, tenantId), refreshToken, "Bearer", (int)HubTokens.Lifetime.TotalSeconds, new UserRef(userId, tenantId ?? ""));

    private static async Task<string> IssueRefreshTokenAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string userId, string family, Instant now)
    {
        var token = Secrets.NewToken();
        await connection.ExecuteAsync("""
            INSERT INTO refresh_token (token_hash, user_id, family_id, issued_at, expires_at) VALUES (@hash, @user, @family, @now, @expires);
            """, transaction, ("hash", Secrets.Hash(token)), ("user", userId), ("family", family), ("now", now.ToDateTimeUtc()),
            ("expires", (now + RefreshLifetime).ToDateTimeUtc()));
        return token;
    }

    private static Task<int> RevokeFamilyAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string family, Instant now) =>
        connection.ExecuteAsync("UPDATE refresh_token SET revoked_at = @now WHERE family_id = @family AND revoked_at IS NULL;", transaction,
            ("now", now.ToDateTimeUtc()), ("family", family));

    private static IResult InvalidRefresh(string detail) => ProblemResponses.Problem(StatusCodes.Status401Unauthorized, "INVALID_REFRESH_TOKEN", detail);
}
