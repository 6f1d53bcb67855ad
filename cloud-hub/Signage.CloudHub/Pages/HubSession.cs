using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;

namespace Signage.CloudHub.Pages;

/// <summary>
/// The browser session of the head-office pages. Signing in checks the password exactly as
/// <c>POST /v1/auth/login</c> does, then stores a <c>web_session</c> row and sets a cookie holding its
/// random token (only the token's SHA-256 is stored). Each request reloads the user and roles
/// (<see cref="HubCaller.LoadAsync"/>), so a disabled user or a changed role takes effect at once, as
/// with bearer tokens; signing out revokes the row, so a copied cookie stops working too.
/// </summary>
public static class HubSession
{
    /// <summary><c>__Host-</c>: Secure, Path=/ and no Domain, so no other site or subdomain can set or read it.</summary>
    public const string CookieName = "__Host-signage-hub";
    public static readonly Duration Lifetime = Duration.FromHours(12);

    public static async Task SignInAsync(HttpContext http, HubDatabase database, string userId, Instant now)
    {
        var token = Secrets.NewToken();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        await connection.ExecuteAsync("""
            INSERT INTO web_session (token_hash, user_id, created_at, expires_at) VALUES (@hash, @user, @now, @expires);
            DELETE FROM web_session WHERE user_id = @user AND expires_at < @now;
            """, null, ("hash", Secrets.Hash(token)), ("user", userId), ("now", now.ToDateTimeUtc()), ("expires", (now + Lifetime).ToDateTimeUtc()));
        http.Response.Cookies.Append(CookieName, token, Options(now + Lifetime));
    }

    public static async Task SignOutAsync(HttpContext http, HubDatabase database, Instant now)
    {
        if (http.Request.Cookies[CookieName] is { Length: > 0 } token)
        {
            await using var connection = await database.OpenAsync(http.RequestAborted);
            await connection.ExecuteAsync("UPDATE web_session SET revoked_at = @now WHERE token_hash = @hash AND revoked_at IS NULL;", null,
                ("now", now.ToDateTimeUtc()), ("hash", Secrets.Hash(token)));
        }
        http.Response.Cookies.Delete(CookieName, Options(null));
    }

    // Secure even on plain HTTP: browsers keep Secure cookies from http://localhost and 127.0.0.1
    // (tests, a laptop), and everywhere else the hub sits behind TLS.
    private static CookieOptions Options(Instant? expires) => new()
    {
        HttpOnly = true,
        Secure = true,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires?.ToDateTimeOffset(),
    };

    /// <summary>Attaches the <see cref="HubCaller"/> of a live session cookie, unless the request carries a
    /// bearer token (which wins). Runs before <see cref="Authentication.UseBearerAuthentication"/>, so
    /// the JSON API's access rules apply unchanged to page scripts (uploads, thumbnails, CSV).</summary>
    public static WebApplication UseHubSession(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization.Count == 0 && context.Request.Cookies[CookieName] is { Length: > 0 } token)
            {
                var now = context.RequestServices.GetRequiredService<IClock>().GetCurrentInstant();
                await using var connection = await context.RequestServices.GetRequiredService<HubDatabase>().OpenAsync(context.RequestAborted);
                var userId = await connection.ScalarAsync<string>(
                    "SELECT user_id FROM web_session WHERE token_hash = @hash AND revoked_at IS NULL AND expires_at > @now;", null,
                    ("hash", Secrets.Hash(token)), ("now", now.ToDateTimeUtc()));
                if (userId is not null) (await HubCaller.LoadAsync(connection, userId))?.AttachTo(context);
            }
            await next(context);
        });
        return app;
    }

    /// <summary>Antiforgery on every page form. A missing or bad token is answered here, in words, with 400.</summary>
    public static WebApplication UsePageAntiforgery(this WebApplication app)
    {
        app.UseAntiforgery();
        app.Use(async (context, next) =>
        {
            if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                // A page like every other refusal of the pages (the hub fuzz sends forms with stale and forged tokens).
                await HubPages.Message(context, StatusCodes.Status400BadRequest, "This form has expired",
                    "This form has expired or did not come from this hub. Go back, reload the page and try again.", "/admin", "Back to the start").ExecuteAsync(context);
                return;
            }
            await next(context);
        });
        return app;
    }

    /// <summary>Antiforgery with its keys in PostgreSQL, so a form served by one replica posts to any other.</summary>
    public static IServiceCollection AddHubPages(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("signage-hub");
        services.AddOptions<KeyManagementOptions>().Configure<HubDatabase>((o, database) => o.XmlRepository = new DataProtectionKeys(database));
        // Antiforgery refuses a Secure-only cookie on a plain-HTTP request, so its cookie is Secure
        // when the request is (it is not a credential: it only pairs with the form's hidden token).
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "signage-hub-af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return services;
    }
}
