using Jose;
using NodaTime;
using Signage.Web.Auth;

namespace Signage.Appliance.Auth;

/// <summary>
/// The appliance's JWTs (spec 25.3), HS256 with the appliance's key:
/// <list type="bullet">
/// <item>user access tokens: typ=user, sub, tid, 15 minutes. Roles are looked up per request,
/// so a role change or a disabled account takes effect at once;</item>
/// <item>device tokens: typ=device, did, vid, tid, tv (token version), long-lived. Revoked by
/// removing the device or bumping its token version (re-pair, move to another venue).</item>
/// </list>
/// </summary>
public sealed class AccessTokens(SigningKey key, IClock clock)
{
    public const string Issuer = "signage-appliance";
    public const string Audience = "signage-appliance";
    public static readonly Duration Lifetime = Duration.FromMinutes(15);
    public static readonly Duration DeviceLifetime = Duration.FromDays(5 * 365);

    private static readonly JwtSettings Settings = new JwtSettings().RegisterMapper(new JoseJsonMapper());

    public string Issue(string userId, string tenantId) => Encode("user", Lifetime, new()
    {
        ["sub"] = userId,
        ["tid"] = tenantId,
    });

    public string IssueDevice(string deviceId, string venueId, string tenantId, long tokenVersion) => Encode("device", DeviceLifetime, new()
    {
        ["did"] = deviceId,
        ["vid"] = venueId,
        ["tid"] = tenantId,
        ["tv"] = tokenVersion,
    });

    /// <summary>The user and tenant of a valid, unexpired user token; null for anything else.</summary>
    public (string UserId, string TenantId)? Validate(string token) => Read(token) is UserClaims user ? (user.UserId, user.TenantId) : null;

    /// <summary>A valid token's identity: <see cref="UserClaims"/> or <see cref="DeviceClaims"/>; null when invalid.</summary>
    public object? Read(string token)
    {
        // Screens send the same long-lived token on every poll: verifying its signature once is enough.
        // Revocation is not affected: the device directory is consulted on every request.
        if (_verifiedDevices.TryGetValue(token, out var known) && known.Expires > clock.GetCurrentInstant()) return known.Claims;
        var claims = Decode(token);
        var identity = IdentityOf(claims);
        if (identity is DeviceClaims device && claims!["exp"] is long exp)
        {
            if (_verifiedDevices.Count >= MaxVerifiedDevices) _verifiedDevices.Clear();
            _verifiedDevices[token] = (device, Instant.FromUnixTimeSeconds(exp));
        }
        return identity;
    }

    private const int MaxVerifiedDevices = 20_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (DeviceClaims Claims, Instant Expires)> _verifiedDevices = new(StringComparer.Ordinal);

    private static object? IdentityOf(Dictionary<string, object>? claims) => claims switch
    {
        { } c when c.GetValueOrDefault("typ") is "user" && c.GetValueOrDefault("sub") is string sub && c.GetValueOrDefault("tid") is string tid
            => new UserClaims(sub, tid),
        { } c when c.GetValueOrDefault("typ") is "device" && c.GetValueOrDefault("did") is string did && c.GetValueOrDefault("vid") is string vid
                   && c.GetValueOrDefault("tid") is string tid && c.GetValueOrDefault("tv") is long tv
            => new DeviceClaims(did, vid, tid, tv),
        _ => null,
    };

    private string Encode(string type, Duration lifetime, Dictionary<string, object> claims)
    {
        var now = clock.GetCurrentInstant();
        claims["typ"] = type;
        claims["iss"] = Issuer;
        claims["aud"] = Audience;
        claims["iat"] = now.ToUnixTimeSeconds();
        claims["exp"] = (now + lifetime).ToUnixTimeSeconds();
        return JWT.Encode(claims, key.Bytes, JwsAlgorithm.HS256, settings: Settings);
    }

    private Dictionary<string, object>? Decode(string token)
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
        if (claims.GetValueOrDefault("iss") is not Issuer || claims.GetValueOrDefault("aud") is not Audience) return null;
        if (claims.GetValueOrDefault("exp") is not long exp || Instant.FromUnixTimeSeconds(exp) <= clock.GetCurrentInstant()) return null;
        return claims;
    }
}

public sealed record UserClaims(string UserId, string TenantId);

public sealed record DeviceClaims(string DeviceId, string VenueId, string TenantId, long TokenVersion);
