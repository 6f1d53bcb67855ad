using System.Security.Cryptography;
using Jose;
using NodaTime;
using Signage.CloudHub.Data;
using Signage.Web.Auth;

namespace Signage.CloudHub.Auth;

/// <summary>
/// User access tokens (spec 25.3): HS256, typ=user, sub, tid ("" for a platform admin), 15 minutes.
/// Roles and capabilities are read per request, so a change takes effect at once. The key lives in
/// the database so every replica signs and verifies with the same one.
/// </summary>
public sealed class HubTokens(byte[] key, IClock clock)
{
    public const string Issuer = "signage-hub";
    public const string Audience = "signage-hub";
    public static readonly Duration Lifetime = Duration.FromMinutes(15);

    private static readonly JwtSettings Settings = new JwtSettings().RegisterMapper(new JoseJsonMapper());

    /// <summary>Reads the shared key, creating it when this is the first replica ever to start.</summary>
    public static async Task<HubTokens> LoadAsync(HubDatabase database, IClock clock)
    {
        await using var connection = await database.OpenAsync();
        await connection.ExecuteAsync("INSERT INTO hub_setting (name, value) VALUES ('jwt_signing_key', @key) ON CONFLICT (name) DO NOTHING;", null,
            ("key", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));
        var key = await connection.ScalarAsync<string>("SELECT value FROM hub_setting WHERE name = 'jwt_signing_key';", null);
        return new HubTokens(Convert.FromBase64String(key!), clock);
    }

    public string Issue(string userId, string? tenantId)
    {
        var now = clock.GetCurrentInstant();
        var claims = new Dictionary<string, object>
        {
            ["typ"] = "user",
            ["sub"] = userId,
            ["tid"] = tenantId ?? "",
            ["iss"] = Issuer,
            ["aud"] = Audience,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = (now + Lifetime).ToUnixTimeSeconds(),
        };
        return JWT.Encode(claims, key, JwsAlgorithm.HS256, settings: Settings);
    }

    /// <summary>The user id of a valid, unexpired user token; null for anything else.</summary>
    public string? Validate(string token)
    {
        Dictionary<string, object> claims;
        try
        {
            claims = JWT.Decode<Dictionary<string, object>>(token, key, JwsAlgorithm.HS256, Settings);
        }
        catch (Exception e) when (e is JoseException or FormatException or ArgumentException or System.Text.Json.JsonException or NotSupportedException)
        {
            return null; // forged, damaged or of another algorithm
        }
        if (claims.GetValueOrDefault("iss") is not Issuer || claims.GetValueOrDefault("aud") is not Audience || claims.GetValueOrDefault("typ") is not "user") return null;
        if (claims.GetValueOrDefault("exp") is not long exp || Instant.FromUnixTimeSeconds(exp) <= clock.GetCurrentInstant()) return null;
        return claims.GetValueOrDefault("sub") as string;
    }
}
