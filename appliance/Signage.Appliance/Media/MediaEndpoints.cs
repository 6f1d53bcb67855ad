using Signage.Appliance.Assets;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;

namespace Signage.Appliance.Media;

/// <summary>
/// GET /v1/assets/{sha256}: media for screens (and signed-in staff), content-addressed and
/// immutable. Streamed from disk by the server (sendfile where it can), with Range and If-Range for
/// resumed downloads. The file path is built only from a validated 64-hex-digit hash, never from
/// the request as typed, and only for content of the caller's own venue: a READY asset, or an item
/// of any published playlist version (a rollback may name content whose asset was deleted since).
/// </summary>
public static class MediaEndpoints
{
    public static IEndpointRouteBuilder MapMedia(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/assets/{sha256}", Download).RequireDeviceOrUser();
        return app;
    }

    private static async Task<IResult> Download(string sha256, HttpContext http, Database database, AssetStorage storage)
    {
        if (!AssetStorage.IsSha256(sha256)) return Authentication.NotFound("asset");
        var device = DeviceCaller.Of(http);
        var caller = Caller.Of(http);
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var venues = connection.Query("""
            SELECT a.venue_id, a.tenant_id, a.content_type FROM asset a WHERE a.sha256 = $sha AND a.status = 'READY'
            UNION ALL
            SELECT p.venue_id, v.tenant_id, CASE i.media_type WHEN 'VIDEO' THEN 'video/mp4' ELSE 'application/octet-stream' END
            FROM playlist_published_item i JOIN playlist p ON p.playlist_id = i.playlist_id JOIN venue v ON v.venue_id = p.venue_id
            WHERE i.sha256 = $sha;
            """, null, r => (Venue: r.GetString(0), Tenant: r.GetString(1), ContentType: r.GetString(2)), ("$sha", sha256));
        var allowed = venues.Where(v => device is not null
            ? v.Venue == device.VenueId
            : v.Tenant == caller!.TenantId && caller.RankAt(v.Venue) > VenueRank.None).ToList();
        if (allowed.Count == 0) return Authentication.NotFound("asset");

        var path = storage.BlobPath(sha256);
        if (!File.Exists(path)) return Authentication.NotFound("asset");
        return await BlobResponse.SendAsync(http, path, sha256, allowed[0].ContentType);
    }
}
