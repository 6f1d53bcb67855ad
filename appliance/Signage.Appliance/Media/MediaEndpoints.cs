using System.Text.RegularExpressions;
using Microsoft.Net.Http.Headers;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Hosting;

namespace Signage.Appliance.Media;

/// <summary>
/// GET /v1/assets/{sha256}: media for screens (and signed-in staff), content-addressed and
/// immutable. Streamed from disk by the server (sendfile where it can), with Range and If-Range for
/// resumed downloads. The file path is built only from a validated 64-hex-digit hash, never from
/// the request as typed, and only for assets of the caller's own venue or tenant.
/// </summary>
public static partial class MediaEndpoints
{
    public static IEndpointRouteBuilder MapMedia(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/assets/{sha256}", Download).RequireDeviceOrUser();
        return app;
    }

    private static async Task<IResult> Download(string sha256, HttpContext http, Database database, ApplianceSettings settings)
    {
        if (!Sha256Hex().IsMatch(sha256)) return Authentication.NotFound("asset");
        var device = DeviceCaller.Of(http);
        var caller = Caller.Of(http);
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var asset = connection.QuerySingle("""
            SELECT content_type, venue_id FROM asset
            WHERE sha256 = $sha AND status = 'READY' AND ($venue IS NULL OR venue_id = $venue) AND ($tenant IS NULL OR tenant_id = $tenant) LIMIT 1;
            """, null, r => new { ContentType = r.GetString(0), Venue = r.GetString(1) },
            ("$sha", sha256), ("$venue", device?.VenueId), ("$tenant", device?.TenantId ?? caller?.TenantId));
        if (asset is null || (caller is not null && caller.RankAt(asset.Venue) == VenueRank.None)) return Authentication.NotFound("asset");

        var path = Path.Combine(settings.DataDirectory, "blobs", sha256[..2], sha256);
        if (!File.Exists(path)) return Authentication.NotFound("asset");
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        return TypedResults.PhysicalFile(path, asset.ContentType, enableRangeProcessing: true, entityTag: new EntityTagHeaderValue($"\"{sha256}\""));
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
