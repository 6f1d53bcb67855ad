using Jose;
using NodaTime;

namespace Signage.Appliance.Auth;

/// <summary>
/// Short-lived user access tokens (spec 25.3): HS256 JWTs signed with the appliance's key, carrying
/// who (sub, tid) and until when (exp). Roles are looked up per request, not carried, so a role
/// change or a disabled account takes effect at once (the spec allows server-side venue roles).
/// </summary>
public sealed class AccessTokens(SigningKey key, IClock clock)
{
    public const string Issuer = "signage-appliance";
    public const string Audience = "signage-appliance";
    public static readonly Duration Lifetime = Duration.FromMinutes(15);

    private static readonly JwtSettings Settings = new JwtSettings().RegisterMapper(new JoseJsonMapper());

    public string Issue(string userId, string tenantId)
    {
        var now = clock.GetCurrentInstant();
        var claims = new Dictionary<string, object>
        {
            ["typ"] = "user",
            ["sub"] = userId,
            ["tid"] = tenantId,
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
        };
        return JWT.Encode(claims, key.Bytes, JwsAlgorithm.HS256, settings: Settings);
    }

    /// <summary>The user and tenant of a valid, unexpired user token; null for anything else.</summary>
    public (string UserId, string TenantId)? Validate(string token)
    {
        Dictionary<string, object> claims;
        try
        {
            claims = JWT.Decode<Dictionary<string, object>>(token, key.Bytes, JwsAlgorithm.HS256, Settings);
        }
        catch (Exception e) when (e is JoseException or FormatException or ArgumentException or System.Text.Json.JsonException or NotSupportedException)
        {
            return null; // forged, damaged or of another algorithm
        }
        if (claims.GetValueOrDefault("typ") is not "user" || claims.GetValueOrDefault("iss") is not Issuer || claims.GetValueOrDefault("aud") is not Audience)
            return null;
        if (claims.GetValueOrDefault("exp") is not long exp || Instant.FromUnixTimeSeconds(exp) <= clock.GetCurrentInstant())
            return null;
        return claims.GetValueOrDefault("sub") is string sub && claims.GetValueOrDefault("tid") is string tid ? (sub, tid) : null;
    }
}
