using System.Data.Common;
using System.Text;
using System.Text.Json;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Sync;
using Signage.Contracts;
using Signage.Media;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.CloudHub.Library;

/// <summary>
/// The tenant-shared asset library (spec 27.5). An upload is the file's bytes as the request body
/// (<c>POST /v1/library/assets?name=…</c>); it is checked from its bytes with the appliance's own
/// validator, so what the hub accepts every venue can play. Changing the library needs the tenant
/// admin role or the EDIT_SHARED_LIBRARY capability; every tenant member may read it.
/// </summary>
public static class AssetEndpoints
{
    public static IEndpointRouteBuilder MapLibraryAssets(this IEndpointRouteBuilder app)
    {
        var assets = app.MapGroup("/v1/library/assets").RequireTenantMember();
        assets.MapGet("", List);
        assets.MapGet("/{assetId}", Get);
        assets.MapPost("", Upload).WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MediaLimits.Default.MaxVideoBytes));
        assets.MapDelete("/{assetId}", Delete);
        assets.MapGet("/{assetId}/thumbnail", Thumbnail);
        return app;
    }

    private const string Columns = "asset_id, display_name, media_type, mime_type, sha256, size_bytes, width, height, duration_ms";

    private static HubAsset Read(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5),
        r.IsDBNull(6) ? null : r.GetInt32(6), r.IsDBNull(7) ? null : r.GetInt32(7), r.IsDBNull(8) ? null : r.GetInt64(8));

    /// <summary>Oldest first, cursor-paginated (spec 27.1). The cursor holds created_at as .NET ticks: PostgreSQL keeps
    /// microseconds, which ticks hold exactly (the API's milliseconds would not tell two uploads of one millisecond apart).</summary>
    internal static async Task<IResult> List(string? cursor, int? limit, HubCaller caller, HubDatabase database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Integer, KeyPart.Text) is { } badPage) return badPage;
        var after = page.Integer(0, 0);
        if (after < DateTime.MinValue.Ticks || after > DateTime.MaxValue.Ticks) return ListPage.BadCursor(); // its check holds, but it is no time
        await using var connection = await database.OpenAsync(cancellationToken);
        var assets = await connection.QueryAsync($"""
            SELECT {Columns}, created_at FROM asset WHERE tenant_id = @tenant AND deleted_at IS NULL
              {(page.First ? "" : "AND (created_at, asset_id) > (@created, @id)")}
            ORDER BY created_at, asset_id LIMIT @limit;
            """, null, r => (Asset: Read(r), Created: r.GetDateTime(9)), ("tenant", caller.TenantId),
            ("created", new DateTime(after, DateTimeKind.Utc)), ("id", page.Text(1, "")), ("limit", page.Fetch));
        return TypedResults.Ok(page.Answer(assets, a => [ListPage.Part(a.Created.Ticks), a.Asset.AssetId], a => a.Asset));
    }

    private static async Task<IResult> Get(string assetId, HubCaller caller, HubDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var asset = await connection.QuerySingleAsync($"SELECT {Columns} FROM asset WHERE asset_id = @id AND tenant_id = @tenant AND deleted_at IS NULL;",
            null, Read, ("id", assetId), ("tenant", caller.TenantId));
        return asset is null ? Authentication.NotFound("asset") : TypedResults.Ok(asset);
    }

    private static Task<IResult> Upload(string? name, HubCaller caller, HttpContext http, HubDatabase database, IBlobStore blobs, Thumbnailer thumbnails, IClock clock) =>
        UploadAsync(name, http.Request.Body, caller, database, blobs, thumbnails, clock, http.RequestAborted);

    /// <summary>Stores one file (the API's request body, or the library page's form file) as a library asset,
    /// with a thumbnail made from the staged file (none when ffmpeg is off or fails: the page shows a placeholder).</summary>
    internal static async Task<IResult> UploadAsync(string? name, Stream content, HubCaller caller, HubDatabase database, IBlobStore blobs, Thumbnailer thumbnails,
        IClock clock, CancellationToken cancellationToken)
    {
        if (!caller.MayEditLibrary) return Authentication.Forbidden("Changing the shared library needs TENANT_ADMIN or the EDIT_SHARED_LIBRARY capability.");
        if (string.IsNullOrWhiteSpace(name) || name.Length > 200) return ProblemResponses.Invalid(new() { ["name"] = ["?name= is required (at most 200 characters)."] });
        var staged = await blobs.StageAsync(content, MediaLimits.Default.MaxVideoBytes, cancellationToken);
        if (staged is null)
            return ProblemResponses.Problem(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, "The file is larger than any playable asset may be.");
        var check = MediaInspector.Inspect(staged.Path);
        if (!check.IsValid || check.Info is not { } info)
        {
            blobs.Discard(staged);
            return ProblemResponses.Problem(StatusCodes.Status422UnprocessableEntity, "MEDIA_REJECTED", check.Detail ?? "The file is not a playable image or video.",
                new Dictionary<string, object?> { ["reason"] = check.Failure?.ToString() });
        }
        var thumbnail = await ThumbnailAsync(database, thumbnails, staged, info, cancellationToken);
        await blobs.CommitAsync(staged, cancellationToken);
        var asset = new HubAsset(Secrets.NewId("ast"), name.Trim(), info.Type == MediaType.Image ? "IMAGE" : "VIDEO", info.ContentType, staged.Sha256, staged.SizeBytes,
            info.Width, info.Height, info.Duration is { } d ? (long)d.TotalMilliseconds : null);
        await database.InTransactionAsync(async (connection, transaction) =>
        {
            await connection.ExecuteAsync("""
                INSERT INTO asset (asset_id, tenant_id, display_name, media_type, mime_type, sha256, size_bytes, width, height, duration_ms, created_at)
                VALUES (@id, @tenant, @name, @type, @mime, @sha, @size, @width, @height, @duration, @now);
                """, transaction, ("id", asset.AssetId), ("tenant", caller.TenantId), ("name", asset.DisplayName), ("type", asset.MediaType),
                ("mime", asset.MimeType), ("sha", asset.Sha256), ("size", asset.SizeBytes), ("width", asset.Width), ("height", asset.Height),
                ("duration", asset.DurationMs), ("now", clock.GetCurrentInstant().ToDateTimeUtc()));
            if (thumbnail is not null)
                await connection.ExecuteAsync("INSERT INTO asset_thumbnail (sha256, jpeg) VALUES (@sha, @jpeg) ON CONFLICT (sha256) DO NOTHING;", transaction,
                    ("sha", asset.Sha256), ("jpeg", thumbnail));
            await ChangeFeed.AppendAsync(connection, transaction, caller.TenantId!, null, SyncProtocol.ChangeKinds.Asset, asset.AssetId, SyncProtocol.Operations.Upsert,
                JsonSerializer.Serialize(asset, ContractsJsonContext.Default.HubAsset));
            return 0;
        }, cancellationToken);
        return TypedResults.Created($"/v1/library/assets/{asset.AssetId}", asset);
    }

    /// <summary>A JPEG thumbnail of a staged upload (the appliance's thumbnailer: ffmpeg, 320 px wide), unless this
    /// content already has one; null when ffmpeg is off, missing or fails.</summary>
    private static async Task<byte[]?> ThumbnailAsync(HubDatabase database, Thumbnailer thumbnails, StagedBlob staged, MediaInfo info, CancellationToken cancellationToken)
    {
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            if (await connection.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM asset_thumbnail WHERE sha256 = @sha);", null, ("sha", staged.Sha256))) return null;
        }
        var output = staged.Path + ".thumbnail.jpg";
        try
        {
            return await thumbnails.TryMakeAsync(staged.Path, info, output, cancellationToken) ? await File.ReadAllBytesAsync(output, cancellationToken) : null;
        }
        finally
        {
            File.Delete(output);
        }
    }

    /// <summary>The asset's JPEG thumbnail (ETag = its SHA-256, so a browser fetches it once), or the appliance's
    /// placeholder picture when none could be made.</summary>
    private static async Task<IResult> Thumbnail(string assetId, HubCaller caller, HttpContext http, HubDatabase database)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var row = await connection.QuerySingleAsync("""
            SELECT a.sha256, t.jpeg FROM asset a LEFT JOIN asset_thumbnail t ON t.sha256 = a.sha256
            WHERE a.asset_id = @id AND a.tenant_id = @tenant AND a.deleted_at IS NULL;
            """, null, r => new { Sha = r.GetString(0), Jpeg = r.IsDBNull(1) ? null : (byte[])r.GetValue(1) }, ("id", assetId), ("tenant", caller.TenantId));
        if (row is null) return Authentication.NotFound("asset");
        http.Response.Headers.CacheControl = "private, max-age=86400";
        return row.Jpeg is { } jpeg
            ? TypedResults.Bytes(jpeg, "image/jpeg", entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{row.Sha}\""))
            : TypedResults.Bytes(Encoding.UTF8.GetBytes(Thumbnailer.PlaceholderSvg), "image/svg+xml");
    }

    /// <summary>An asset a published shared playlist still plays cannot go (409); otherwise venues are told to drop it.</summary>
    private static async Task<IResult> Delete(string assetId, HubCaller caller, HubDatabase database, IClock clock, CancellationToken cancellationToken)
    {
        if (!caller.MayEditLibrary) return Authentication.Forbidden("Changing the shared library needs TENANT_ADMIN or the EDIT_SHARED_LIBRARY capability.");
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await connection.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM asset WHERE asset_id = @id AND tenant_id = @tenant AND deleted_at IS NULL);",
                transaction, ("id", assetId), ("tenant", caller.TenantId)))
            return Authentication.NotFound("asset");
        var usedBy = await connection.ScalarAsync<string>("""
            SELECT p.name FROM library_playlist p JOIN library_playlist_version v ON v.playlist_id = p.playlist_id AND v.version = p.published_version
            WHERE p.tenant_id = @tenant AND v.items @> jsonb_build_array(jsonb_build_object('assetId', @id::text)) LIMIT 1;
            """, transaction, ("tenant", caller.TenantId), ("id", assetId));
        if (usedBy is not null)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "ASSET_IN_USE", $"The published shared playlist '{usedBy}' plays this asset; remove it there first.");
        await connection.ExecuteAsync("UPDATE asset SET deleted_at = @now WHERE asset_id = @id;", transaction, ("now", clock.GetCurrentInstant().ToDateTimeUtc()), ("id", assetId));
        await ChangeFeed.AppendAsync(connection, transaction, caller.TenantId!, null, SyncProtocol.ChangeKinds.Asset, assetId, SyncProtocol.Operations.Delete, null);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
