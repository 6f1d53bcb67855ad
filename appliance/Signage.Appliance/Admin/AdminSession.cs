using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.DataProtection;
using NodaTime;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;

namespace Signage.Appliance.Admin;

/// <summary>
/// The browser session of the admin pages: a small HMAC-signed cookie carrying the user id, tenant
/// id and expiry. Each request reloads the user and roles (<see cref="Caller.Load"/>), so a disabled
/// user or a changed role takes effect at once, exactly as with bearer tokens.
/// </summary>
public sealed class AdminSession(SigningKey signingKey)
{
    public const string CookieName = "signage_session";
    public static readonly Duration Lifetime = Duration.FromDays(7);

    // A key of its own, derived from the token-signing key, so a cookie can never pass for a token.
    private readonly byte[] _key = HMACSHA256.HashData(signingKey.Bytes, "signage admin session cookie v1"u8);

    public void SignIn(HttpContext http, string userId, string tenantId, Instant now)
    {
        var expires = (now + Lifetime).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var payload = $"{userId}.{tenantId}.{expires}";
        http.Response.Cookies.Append(CookieName, $"{payload}.{Sign(payload)}", Options(http, now + Lifetime));
    }

    public static void SignOut(HttpContext http) => http.Response.Cookies.Delete(CookieName, Options(http, null));

    /// <summary>The user and tenant of a valid, unexpired cookie; null otherwise.</summary>
    public (string UserId, string TenantId)? Read(string? cookie, Instant now)
    {
        var parts = cookie?.Split('.');
        if (parts is not { Length: 4 }) return null;
        var payload = $"{parts[0]}.{parts[1]}.{parts[2]}";
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(payload)), Encoding.ASCII.GetBytes(parts[3]))) return null;
        if (!long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires) || Instant.FromUnixTimeSeconds(expires) <= now) return null;
        return (parts[0], parts[1]);
    }

    private string Sign(string payload) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload)));

    private static CookieOptions Options(HttpContext http, Instant? expires) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Secure = http.Request.IsHttps,
        Path = "/",
        Expires = expires?.ToDateTimeOffset(),
    };
}

public static class AdminSessionMiddleware
{
    /// <summary>Attaches the <see cref="Caller"/> of the session cookie, unless the request carries a
    /// bearer token (which wins). Runs before <see cref="Authentication.UseBearerAuthentication"/>, so
    /// the JSON API's access rules apply to page scripts (uploads, thumbnails) unchanged.</summary>
    public static WebApplication UseAdminSession(this WebApplication app)
    {
        // Pages are read on phones over venue Wi-Fi: compress them (plain HTTP only, the default, so a
        // page's secrets are never compressed beside attacker-chosen text over TLS).
        // Built on the first /admin request: its providers are made by reflection (ActivatorUtilities),
        // ~3 % of the CPU from exec to the first /healthz answer (issue 9), and only pages need it.
        app.UseWhen(context => context.Request.Path.StartsWithSegments("/admin"), admin => admin.Use(next =>
        {
            var compressed = new Lazy<RequestDelegate>(() =>
            {
                var branch = admin.New();
                branch.UseResponseCompression();
                branch.Run(next);
                return branch.Build();
            });
            return context => compressed.Value(context);
        }));
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization.Count == 0 && context.Request.Cookies[AdminSession.CookieName] is { } cookie)
            {
                var now = context.RequestServices.GetRequiredService<IClock>().GetCurrentInstant();
                if (context.RequestServices.GetRequiredService<AdminSession>().Read(cookie, now) is { } session)
                {
                    await using var connection = await context.RequestServices.GetRequiredService<Database>().OpenAsync(context.RequestAborted);
                    Caller.Load(connection, session.UserId, session.TenantId)?.AttachTo(context);
                }
            }
            await next(context);
        });
        return app;
    }

    /// <summary>Antiforgery on every admin form. Under native AOT a missing or bad token would surface as
    /// a 500 from the generated form binding, so the verdict is checked here and answered with 400.</summary>
    public static WebApplication UseAdminAntiforgery(this WebApplication app)
    {
        app.UseAntiforgery();
        app.Use(async (context, next) =>
        {
            if (context.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("This form has expired or did not come from this appliance. Go back, reload the page and try again.");
                return;
            }
            await next(context);
        });
        return app;
    }
}

public static class AdminServices
{
    /// <summary>The session cookie and antiforgery; antiforgery's keys live in the data directory so
    /// a restart does not void every open form.</summary>
    public static IServiceCollection AddAdminPages(this IServiceCollection services, string dataDirectory)
    {
        services.AddSingleton<AdminSession>();
        services.AddSingleton<EditorPresence>();
        services.AddResponseCompression(o =>
        {
            o.MimeTypes = ["text/html", "text/css", "text/javascript", "text/plain", "image/svg+xml"];
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
        });
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys", "data-protection")));
        // Configured before AddAntiforgery() on purpose: its own options setup runs after ours, sees the
        // cookie name set and skips hashing a default one. That SHA-256 was what loaded OpenSSL (dlopen
        // of libssl/libcrypto, openssl.cnf) before Kestrel listened, when UseAntiforgery() builds the
        // antiforgery services (issue 9); data protection still loads it, after listen.
        services.Configure<AntiforgeryOptions>(o =>
        {
            o.Cookie.Name = "signage_af";
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.HttpOnly = true;
        });
        services.AddAntiforgery();
        return services;
    }
}
