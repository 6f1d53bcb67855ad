using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Net.Http.Headers;
using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Media;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Assets;

/// <summary>The venue media library (spec 27.6): list, read, delete, thumbnails; uploads in <see cref="UploadEndpoints"/>.</summary>
public static partial class AssetEndpoints
{
    public const int MaxQueryLength = 200;

    private static readonly byte[] Placeholder = Encoding.UTF8.GetBytes(Thumbnailer.PlaceholderSvg);

    public static IEndpointRouteBuilder MapAssets(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup("/v1/venues/{venueId}/assets");
        assets.MapGet("", List).RequireVenueRole(VenueRank.Viewer);
        assets.MapGet("/{assetId}", Get).RequireVenueRole(VenueRank.Viewer);
        assets.MapDelete("/{assetId}", Delete).RequireVenueRole(VenueRank.Editor);
        assets.MapGet("/{assetId}/thumbnail", Thumbnail).RequireVenueRole(VenueRank.Viewer);
        UploadEndpoints.MapUploads(assets.MapGroup("/uploads"));
        return app;
    }

    /// <summary>Newest first (asset ids are UUIDv7, so id order is upload order), cursor-paginated (spec 27.1).</summary>
    private static async Task<IResult> List(string venueId, string? cursor, int? limit, string? status, string? type, string? q,
        Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text) is { } badPage) return badPage;
        var errors = new Dictionary<string, string[]>();
        if (status is not null && !AssetStatuses.All.Contains(status)) errors["status"] = [$"Filter by one of {string.Join(", ", AssetStatuses.All)}."];
        if (type is not null && !AssetMediaTypes.All.Contains(type)) errors["type"] = [$"Filter by one of {string.Join(", ", AssetMediaTypes.All)}."];
        if (q is { Length: > MaxQueryLength }) errors["q"] = [$"Search for at most {MaxQueryLength} characters."];
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = AssetStore.List(connection, venueId, new AssetFilter(status, type, q?.Trim()), page.First ? null : page.Text(0, ""), page.Fetch);
        return TypedResults.Ok(page.Answer(rows, a => [a.AssetId]));
    }

    private static async Task<IResult> Get(string venueId, string assetId, Database database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return AssetStore.Load(connection, null, venueId, assetId) is { } asset ? TypedResults.Ok(asset) : Authentication.NotFound("asset");
    }

    /// <summary>Deletes the asset and, when nothing else needs the same bytes, its blob and thumbnail.
    /// Refused while the asset plays in a published playlist.</summary>
    private static async Task<IResult> Delete(string venueId, string assetId, HttpContext http, Database database, AssetStorage storage,
        Caller caller, IClock clock)
    {
        using (await storage.LockAsync(http.RequestAborted))
        {
            await using var connection = await database.OpenAsync(http.RequestAborted);
            using var transaction = connection.BeginTransaction();
            var asset = AssetStore.Load(connection, transaction, venueId, assetId);
            if (asset is null) return Authentication.NotFound("asset");
            if (AssetRules.IsInPublishedPlaylist(connection, transaction, assetId)) return InUse(asset);
            var uploads = AssetStore.UploadIds(connection, transaction, assetId);
            try
            {
                connection.Execute("DELETE FROM asset WHERE asset_id = $asset AND venue_id = $venue;", transaction, ("$asset", assetId), ("$venue", venueId));
            }
            catch (SqliteException e) when (e.SqliteErrorCode == 19 /* SQLITE_CONSTRAINT: a table of another feature refers to it */)
            {
                return InUse(asset);
            }
            AuditLog.Write(connection, transaction, clock.GetCurrentInstant(), "ASSET_DELETED", caller.TenantId, venueId, caller.UserId, "asset", assetId,
                new() { ["displayName"] = asset.DisplayName, ["fileName"] = asset.FileName, ["status"] = asset.Status, ["sha256"] = asset.Sha256 });
            var release = asset.Sha256 is { } sha && !AssetRules.ContentIsReferenced(connection, transaction, sha);
            transaction.Commit();

            foreach (var uploadId in uploads) AssetStorage.DeleteQuietly(storage.PartPath(uploadId));
            if (release) storage.DeleteContent(asset.Sha256!);
        }
        return TypedResults.NoContent();
    }

    /// <summary>The JPEG thumbnail of a READY asset (ETag = its SHA-256, so it is fetched once); a built-in
    /// placeholder for an asset without one (not READY yet, or ffmpeg off or unable).</summary>
    private static async Task<IResult> Thumbnail(string venueId, string assetId, HttpContext http, Database database, AssetStorage storage)
    {
        AssetResponse? asset;
        await using (var connection = await database.OpenAsync(http.RequestAborted))
        {
            asset = AssetStore.Load(connection, null, venueId, assetId);
        }
        if (asset is null) return Authentication.NotFound("asset");
        if (asset is { Status: AssetStatuses.Ready, Sha256: { } sha })
        {
            try
            {
                var file = new FileStream(storage.ThumbnailPath(sha), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 16 * 1024,
                    FileOptions.Asynchronous | FileOptions.SequentialScan);
                http.Response.Headers.CacheControl = "private, max-age=86400";
                return TypedResults.Stream(file, "image/jpeg", entityTag: new EntityTagHeaderValue($"\"{sha}\""));
            }
            catch (FileNotFoundException)
            {
                // No thumbnail was made: the placeholder below.
            }
        }
        // Revalidated every time: a real thumbnail may exist later for the same address.
        http.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Bytes(Placeholder, "image/svg+xml", entityTag: new EntityTagHeaderValue("\"placeholder-1\""));
    }

    private static IResult InUse(AssetResponse asset) => ProblemResponses.Problem(StatusCodes.Status409Conflict, AssetProblemCodes.AssetInUse,
        $"'{asset.DisplayName}' is in a playlist that screens are playing. Publish the playlist without it first, then delete it.");
}
