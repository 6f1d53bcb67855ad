using System.Text.Json;
using NodaTime;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Library;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.CloudHub.Sync;

/// <summary>
/// The appliance's change feed (GET /v1/sync/changes?cursor=N): hub-owned changes for its venue
/// after N, oldest first, at most 500 a page. The appliance stores NextCursor only after applying the
/// page, so a crash replays the page (changes are idempotent). Blobs of the tenant's shared library
/// come from GET /v1/sync/blobs/{sha256}, with Range so a broken download resumes.
/// </summary>
public static class SyncDownEndpoints
{
    public static IEndpointRouteBuilder MapSyncDown(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/sync/changes", Changes).RequireAppliance();
        app.MapGet("/v1/sync/blobs/{sha256}", Blob).RequireAppliance();
        return app;
    }

    private static async Task<IResult> Changes(string? cursor, ApplianceCaller appliance, HubDatabase database, IClock clock, CancellationToken cancellationToken)
    {
        long after = 0;
        if (cursor is not null && (!long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out after)))
            return ProblemResponses.Invalid(new() { ["cursor"] = ["cursor must be a non-negative whole number (0 = from the beginning)."] });
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync("""
            SELECT sequence, kind, entity_id, operation, data::text FROM change_log
            WHERE tenant_id = @tenant AND (venue_id IS NULL OR venue_id = @venue) AND sequence > @after
            ORDER BY sequence LIMIT @limit;
            """, null, r => new SyncChange(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : JsonSerializer.Deserialize(r.GetString(4), ContractsJsonContext.Default.JsonElement)),
            ("tenant", appliance.TenantId), ("venue", appliance.VenueId), ("after", after), ("limit", SyncProtocol.MaxChangesPerPage + 1));
        await connection.ExecuteAsync("UPDATE appliance SET last_contact_at = @now WHERE appliance_id = @id;", null,
            ("now", clock.GetCurrentInstant().ToDateTimeUtc()), ("id", appliance.ApplianceId));
        var hasMore = rows.Count > SyncProtocol.MaxChangesPerPage;
        var page = hasMore ? rows[..SyncProtocol.MaxChangesPerPage] : rows;
        return TypedResults.Ok(new SyncChangesResponse([.. page], page.Count > 0 ? page[^1].Sequence : after, hasMore));
    }

    /// <summary>Only blobs of the appliance's own tenant's library; any other hash is "not found".</summary>
    private static async Task<IResult> Blob(string sha256, HttpContext http, ApplianceCaller appliance, HubDatabase database, IBlobStore blobs, CancellationToken cancellationToken)
    {
        if (!FileBlobStore.IsSha256(sha256)) return Authentication.NotFound("blob");
        await using var connection = await database.OpenAsync(cancellationToken);
        var mime = await connection.ScalarAsync<string>("SELECT mime_type FROM asset WHERE tenant_id = @tenant AND sha256 = @sha LIMIT 1;", null,
            ("tenant", appliance.TenantId), ("sha", sha256));
        if (mime is null || await blobs.OpenReadAsync(sha256, cancellationToken) is not { } stream) return Authentication.NotFound("blob");
        if (Unsatisfiable(http.Request, stream.Length))
        {
            // Refused as problem+json like every other 4xx (the framework's own 416 has an empty body).
            http.Response.Headers.ContentRange = $"bytes */{stream.Length}";
            await stream.DisposeAsync();
            return ProblemResponses.Problem(StatusCodes.Status416RangeNotSatisfiable, ProblemCodes.RangeNotSatisfiable,
                $"Range '{http.Request.Headers.Range}' starts beyond the end of this blob.");
        }
        return TypedResults.Stream(stream, mime, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{sha256}\""), enableRangeProcessing: true);
    }

    /// <summary>One byte range that starts at or after the end (or an empty suffix), without If-Range: what the framework answers 416.</summary>
    private static bool Unsatisfiable(HttpRequest request, long length) =>
        request.Headers.IfRange.Count == 0
        && System.Net.Http.Headers.RangeHeaderValue.TryParse(request.Headers.Range.ToString(), out var range)
        && range.Unit == "bytes" && range.Ranges.Count == 1
        && range.Ranges.First() is var only && (only.From >= length || only is { From: null, To: 0 });
}
