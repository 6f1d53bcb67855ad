using System.Globalization;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Data;
using Signage.Contracts;

namespace Signage.Appliance.Assets;

/// <summary>The asset feature's SQL for asset rows. Every query names the venue: an asset id of
/// another venue is as unknown as one that never existed.</summary>
internal static class AssetStore
{
    private const string Columns = """
        asset_id, venue_id, status, display_name, file_name, media_type, content_type, sha256, size_bytes,
        width, height, duration_ms, failure_reason, failure_detail, failed_at_utc, created_at_utc, updated_at_utc, ready_at_utc
        """;

    public static AssetResponse? Load(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string assetId) =>
        connection.QuerySingle($"SELECT {Columns} FROM asset WHERE asset_id = $asset AND venue_id = $venue;", transaction, Map,
            ("$asset", assetId), ("$venue", venueId));

    /// <summary>Newest first; <paramref name="before"/> is the last asset id of the previous page.</summary>
    public static List<AssetResponse> List(SqliteConnection connection, string venueId, AssetFilter filter, string? before, int limit) =>
        connection.Query($"""
            SELECT {Columns} FROM asset
            WHERE venue_id = $venue AND ($before IS NULL OR asset_id < $before)
              AND ($status IS NULL OR status = $status) AND ($type IS NULL OR media_type = $type)
              AND ($pattern IS NULL OR display_name LIKE $pattern ESCAPE '\')
            ORDER BY asset_id DESC LIMIT $limit;
            """, null, Map,
            ("$venue", venueId), ("$before", before), ("$status", filter.Status), ("$type", filter.MediaType),
            ("$pattern", filter.Query is { Length: > 0 } q ? $"%{EscapeLike(q)}%" : null), ("$limit", limit));

    /// <summary>Upload ids of an asset, whose part files go when the asset goes.</summary>
    public static List<string> UploadIds(SqliteConnection connection, SqliteTransaction? transaction, string assetId) =>
        connection.Query("SELECT upload_id FROM asset_upload WHERE asset_id = $asset;", transaction, r => r.GetString(0), ("$asset", assetId));

    public static string ThumbnailUrl(string venueId, string assetId) => $"/v1/venues/{venueId}/assets/{assetId}/thumbnail";

    public static string Url(string venueId, string assetId) => $"/v1/venues/{venueId}/assets/{assetId}";

    private static AssetResponse Map(SqliteDataReader r)
    {
        var venueId = r.GetString(1);
        var assetId = r.GetString(0);
        var status = r.GetString(2);
        return new AssetResponse(
            AssetId: assetId,
            VenueId: venueId,
            Status: status,
            DisplayName: r.GetString(3),
            FileName: r.GetString(4),
            MediaType: r.NullableString(5),
            ContentType: r.NullableString(6),
            Sha256: r.NullableString(7),
            SizeBytes: r.GetInt64(8),
            Width: r.IsDBNull(9) ? null : r.GetInt32(9),
            Height: r.IsDBNull(10) ? null : r.GetInt32(10),
            DurationMs: r.IsDBNull(11) ? null : r.GetInt64(11),
            FailureReason: r.NullableString(12),
            FailureDetail: r.NullableString(13),
            FailedAtUtc: r.NullableString(14),
            CreatedAtUtc: r.GetString(15),
            UpdatedAtUtc: r.GetString(16),
            ReadyAtUtc: r.NullableString(17),
            ThumbnailUrl: status == AssetStatuses.Ready ? ThumbnailUrl(venueId, assetId) : null);
    }

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
}

/// <summary>The list filters of spec 27.1, already validated.</summary>
internal sealed record AssetFilter(string? Status, string? MediaType, string? Query);

/// <summary>One upload session with what the endpoints need of its asset.</summary>
internal sealed record UploadRow(string UploadId, string AssetId, string VenueId, long SizeBytes, string? Sha256, long ReceivedBytes,
    string State, string ExpiresAtUtc)
{
    public bool IsExpired(NodaTime.Instant now) => State == UploadStates.Open && Sql.ParseUtc(ExpiresAtUtc) <= now;

    public UploadStatusResponse ToResponse(NodaTime.Instant now) =>
        new(UploadId, AssetId, SizeBytes, ReceivedBytes, ExpiresAtUtc, IsExpired(now) ? UploadStates.Expired : State);
}

/// <summary>The SQL for upload sessions.</summary>
internal static class UploadStore
{
    public static UploadRow? Load(SqliteConnection connection, SqliteTransaction? transaction, string venueId, string uploadId) =>
        connection.QuerySingle("""
            SELECT u.upload_id, u.asset_id, a.venue_id, u.size_bytes, u.sha256, u.received_bytes, u.state, u.expires_at_utc
            FROM asset_upload u JOIN asset a ON a.asset_id = u.asset_id
            WHERE u.upload_id = $upload AND a.venue_id = $venue;
            """, transaction,
            r => new UploadRow(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.NullableString(4), r.GetInt64(5), r.GetString(6), r.GetString(7)),
            ("$upload", uploadId), ("$venue", venueId));

    /// <summary>Records how many bytes of an OPEN session are durably in its part file; false when the
    /// session is gone or no longer open (deleted with its asset, or expired by the cleanup job).</summary>
    public static bool RecordReceived(SqliteConnection connection, string uploadId, long receivedBytes) =>
        connection.Execute("UPDATE asset_upload SET received_bytes = $received WHERE upload_id = $upload AND state = $open;", null,
            ("$received", receivedBytes), ("$upload", uploadId), ("$open", UploadStates.Open)) == 1;

    public static string ContentUrl(string venueId, string uploadId) => $"/v1/venues/{venueId}/assets/uploads/{uploadId}/content";

    public static string StatusUrl(string venueId, string uploadId) => $"/v1/venues/{venueId}/assets/uploads/{uploadId}";

    public static string Describe(long bytes) => bytes.ToString("N0", CultureInfo.InvariantCulture);
}
