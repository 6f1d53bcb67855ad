using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Polly;
using Signage.Appliance.Assets;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Playlists;
using Signage.Appliance.Venues;
using Signage.Contracts;
using static Signage.Contracts.SyncProtocol;

namespace Signage.Appliance.Sync;

/// <summary>
/// Applies the hub's change feed (hub-owned data for this venue) to the local replicas, one
/// transaction per page with the cursor stored in the same transaction: a page is applied wholly or
/// not at all, and applying a change twice has the effect of once. Then fetches the blobs of shared
/// assets (Range resume, SHA-256 verified, content-addressed) and copies shared playlists whose
/// assets are all READY into the venue's playlists, where schedules can use them.
/// </summary>
public sealed partial class ChangeApplier(Database database, HubClient client, AssetStorage storage, IClock clock, ILogger<ChangeApplier> logger)
{
    public const string HubOrigin = "HUB";

    /// <summary>Audit action: a shared asset's blob, quarantined as damaged, was fetched again from the hub.</summary>
    public const string RepairedAction = "BLOB_REPAIRED";

    public async Task<int> PullAsync(HubConnection hub, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        var cursor = hub.ChangeCursor;
        var applied = 0;
        while (true)
        {
            var page = await pipeline.ExecuteAsync(static async (state, token) => await state.client.ChangesAsync(state.hub.Link, state.cursor, token),
                (client, hub, cursor), cancellationToken);
            await using (var connection = await database.OpenAsync(cancellationToken))
            {
                using var transaction = connection.BeginTransaction();
                foreach (var change in page.Changes) Apply(connection, transaction, hub, change);
                connection.Execute("UPDATE hub_connection SET change_cursor = $next;", transaction, ("$next", page.NextCursor));
                transaction.Commit();
            }
            applied += page.Changes.Length;
            // A hub that does not move the cursor forward would loop here for ever.
            if (!page.HasMore || page.NextCursor <= cursor) break;
            cursor = page.NextCursor;
        }
        await FetchBlobsAsync(hub, pipeline, cancellationToken);
        await using (var connection = await database.OpenAsync(cancellationToken)) CopyReadyPlaylists(connection, hub);
        return applied;
    }

    private void Apply(SqliteConnection connection, SqliteTransaction transaction, HubConnection hub, SyncChange change)
    {
        var delete = change.Operation == Operations.Delete;
        if (!delete && change.Data is not { ValueKind: JsonValueKind.Object } data)
        {
            LogSkipped(logger, change.Sequence, change.Kind, change.EntityId, "an UPSERT without data");
            return;
        }
        try
        {
            switch (change.Kind)
            {
                case ChangeKinds.Venue when !delete:
                    ApplyVenue(connection, transaction, hub, change.Data!.Value.Deserialize(ContractsJsonContext.Default.HubVenue)!);
                    break;
                case ChangeKinds.User when delete:
                    RemoveUser(connection, transaction, change.EntityId);
                    break;
                case ChangeKinds.User:
                    ApplyUser(connection, transaction, hub, change.Data!.Value.Deserialize(ContractsJsonContext.Default.HubUser)!);
                    break;
                case ChangeKinds.Asset when delete:
                    // Kept while a published venue playlist still plays it; the cleanup sweep removes unreferenced blobs.
                    connection.Execute("""
                        DELETE FROM asset WHERE asset_id = $id AND origin = 'HUB'
                            AND NOT EXISTS (SELECT 1 FROM playlist_published_item i WHERE i.asset_id = $id);
                        """, transaction, ("$id", change.EntityId));
                    break;
                case ChangeKinds.Asset:
                    ApplyAsset(connection, transaction, hub, change.Data!.Value.Deserialize(ContractsJsonContext.Default.HubAsset)!);
                    break;
                case ChangeKinds.Playlist when delete:
                    connection.Execute("UPDATE hub_playlist SET deleted = 1 WHERE playlist_id = $id;", transaction, ("$id", change.EntityId));
                    break;
                case ChangeKinds.Playlist:
                    var playlist = change.Data!.Value.Deserialize(ContractsJsonContext.Default.HubPlaylist)!;
                    connection.Execute("""
                        INSERT INTO hub_playlist (playlist_id, name, version, items_json) VALUES ($id, $name, $version, $items)
                        ON CONFLICT (playlist_id) DO UPDATE SET name = excluded.name, version = excluded.version, items_json = excluded.items_json, deleted = 0
                        WHERE excluded.version >= hub_playlist.version;
                        """, transaction, ("$id", playlist.PlaylistId), ("$name", playlist.Name), ("$version", playlist.Version),
                        ("$items", JsonSerializer.Serialize(playlist.Items, SyncApplierJsonContext.Default.HubPlaylistItemArray)));
                    break;
                default:
                    LogSkipped(logger, change.Sequence, change.Kind, change.EntityId, "a kind this appliance does not know");
                    break;
            }
        }
        catch (JsonException e)
        {
            // One malformed change must not stop the feed for ever: it is logged and passed.
            LogSkipped(logger, change.Sequence, change.Kind, change.EntityId, e.Message);
        }
    }

    private void ApplyVenue(SqliteConnection connection, SqliteTransaction transaction, HubConnection hub, HubVenue venue)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(venue.Timezone) is null ? null : venue.Timezone;
        connection.Execute("""
            UPDATE venue SET name = $name, timezone = COALESCE($zone, timezone), opening_hours_json = $hours,
                row_version = row_version + 1, updated_at_utc = $now,
                manifest_epoch = manifest_epoch + (CASE WHEN timezone IS NOT COALESCE($zone, timezone) THEN 1 ELSE 0 END)
            WHERE venue_id = $venue AND (name IS NOT $name OR timezone IS NOT COALESCE($zone, timezone) OR opening_hours_json IS NOT $hours);
            """, transaction, ("$name", venue.Name), ("$zone", zone), ("$hours", JsonSerializer.Serialize(venue.OpeningHours, VenueJsonContext.Default.OpeningHoursArray)),
            ("$now", Sql.Utc(clock.GetCurrentInstant())), ("$venue", hub.VenueId));
    }

    /// <summary>A hub user becomes (or updates) a local account with the hub's password hash and roles,
    /// so they can sign in here while the internet is down. A local account with the same email (the
    /// first admin) is adopted, keeping its id and sessions.</summary>
    private void ApplyUser(SqliteConnection connection, SqliteTransaction transaction, HubConnection hub, HubUser user)
    {
        var local = connection.Scalar<string>("SELECT user_id FROM user_account WHERE hub_user_id = $hub;", transaction, ("$hub", user.UserId))
            ?? connection.Scalar<string>("SELECT user_id FROM user_account WHERE email = $email AND hub_user_id IS NULL;", transaction, ("$email", user.Email));
        var now = Sql.Utc(clock.GetCurrentInstant());
        var tenantRoles = user.TenantRoles.Where(r => r is Roles.TenantAdmin or Roles.TenantViewer).Distinct().ToList();
        var venueRole = user.VenueRole is Roles.VenueManager or Roles.VenueEditor or Roles.VenueViewer ? user.VenueRole : null;
        // No role here means no access here, whatever the hub's flag says: such a user cannot sign in.
        var disabled = user.Disabled || (tenantRoles.Count == 0 && venueRole is null);
        if (local is null)
        {
            local = user.UserId;
            connection.Execute("""
                INSERT INTO user_account (user_id, tenant_id, email, display_name, password_hash, disabled, created_at_utc, hub_user_id)
                VALUES ($id, $tenant, $email, $name, $hash, $disabled, $now, $id);
                """, transaction, ("$id", local), ("$tenant", hub.TenantId), ("$email", user.Email), ("$name", user.DisplayName),
                ("$hash", user.PasswordHash), ("$disabled", disabled ? 1 : 0), ("$now", now));
        }
        else
        {
            connection.Execute("""
                UPDATE user_account SET email = $email, display_name = $name, password_hash = $hash, disabled = $disabled, hub_user_id = $hub
                WHERE user_id = $id;
                """, transaction, ("$id", local), ("$email", user.Email), ("$name", user.DisplayName), ("$hash", user.PasswordHash),
                ("$disabled", disabled ? 1 : 0), ("$hub", user.UserId));
        }
        connection.Execute("DELETE FROM tenant_user_role WHERE user_id = $id;", transaction, ("$id", local));
        foreach (var role in tenantRoles)
            connection.Execute("INSERT INTO tenant_user_role (user_id, role) VALUES ($id, $role);", transaction, ("$id", local), ("$role", role));
        connection.Execute("DELETE FROM venue_user_role WHERE user_id = $id AND venue_id = $venue;", transaction, ("$id", local), ("$venue", hub.VenueId));
        if (venueRole is not null)
            connection.Execute("INSERT INTO venue_user_role (venue_id, user_id, role) VALUES ($venue, $id, $role);", transaction,
                ("$venue", hub.VenueId), ("$id", local), ("$role", venueRole));
        if (disabled) AuthEndpoints.RevokeSessions(connection, transaction, local, now);
    }

    /// <summary>The user lost access to this venue (or was deleted): they can no longer sign in here.</summary>
    private void RemoveUser(SqliteConnection connection, SqliteTransaction transaction, string hubUserId)
    {
        if (connection.Scalar<string>("SELECT user_id FROM user_account WHERE hub_user_id = $hub;", transaction, ("$hub", hubUserId)) is not { } local) return;
        connection.Execute("UPDATE user_account SET disabled = 1 WHERE user_id = $id;", transaction, ("$id", local));
        connection.Execute("DELETE FROM tenant_user_role WHERE user_id = $id;", transaction, ("$id", local));
        connection.Execute("DELETE FROM venue_user_role WHERE user_id = $id;", transaction, ("$id", local));
        AuthEndpoints.RevokeSessions(connection, transaction, local, Sql.Utc(clock.GetCurrentInstant()));
    }

    /// <summary>A shared asset arrives as a row waiting for its bytes (UPLOADING, origin HUB); the blob
    /// fetch makes it READY. A changed hash sends it back to waiting.</summary>
    private void ApplyAsset(SqliteConnection connection, SqliteTransaction transaction, HubConnection hub, HubAsset asset)
    {
        if (!AssetStorage.IsSha256(asset.Sha256) || asset.MediaType is not ("IMAGE" or "VIDEO") || asset.SizeBytes <= 0)
        {
            LogSkipped(logger, 0, ChangeKinds.Asset, asset.AssetId, $"an asset with sha256 '{asset.Sha256}', type '{asset.MediaType}', size {asset.SizeBytes}");
            return;
        }
        var now = Sql.Utc(clock.GetCurrentInstant());
        connection.Execute("""
            INSERT INTO asset (asset_id, tenant_id, venue_id, display_name, file_name, status, media_type, content_type, sha256, size_bytes,
                width, height, duration_ms, created_at_utc, updated_at_utc, origin)
            VALUES ($id, $tenant, $venue, $name, $name, 'UPLOADING', $type, $mime, $sha, $size, $width, $height, $duration, $now, $now, 'HUB')
            ON CONFLICT (asset_id) DO UPDATE SET display_name = excluded.display_name, media_type = excluded.media_type, content_type = excluded.content_type,
                width = excluded.width, height = excluded.height, duration_ms = excluded.duration_ms, size_bytes = excluded.size_bytes, updated_at_utc = excluded.updated_at_utc,
                status = CASE WHEN asset.sha256 IS excluded.sha256 THEN asset.status ELSE 'UPLOADING' END,
                ready_at_utc = CASE WHEN asset.sha256 IS excluded.sha256 THEN asset.ready_at_utc ELSE NULL END,
                sha256 = excluded.sha256
            WHERE asset.origin = 'HUB';
            """, transaction, ("$id", asset.AssetId), ("$tenant", hub.TenantId), ("$venue", hub.VenueId), ("$name", asset.DisplayName),
            ("$type", asset.MediaType), ("$mime", asset.MimeType), ("$sha", asset.Sha256), ("$size", asset.SizeBytes), ("$width", asset.Width),
            ("$height", asset.Height), ("$duration", asset.DurationMs), ("$now", now));
    }

    /// <summary>Fetches the blob of every shared asset still waiting for its bytes, and again the blob of a READY
    /// shared asset that is gone from the store: the integrity scrub quarantined it as damaged (Integrity/BlobScrub),
    /// and the hub holds the good copy (repair from the hub, audited as BLOB_REPAIRED).</summary>
    private async Task FetchBlobsAsync(HubConnection hub, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        List<(string AssetId, string Sha, long Size, bool Ready)> waiting;
        await using (var connection = await database.OpenAsync(cancellationToken))
        {
            waiting = connection.Query("SELECT asset_id, sha256, size_bytes, status = 'READY' FROM asset WHERE origin = 'HUB' AND status IN ('UPLOADING', 'READY');", null,
                r => (r.GetString(0), r.GetString(1), r.GetInt64(2), r.GetBoolean(3)));
        }
        var downloads = Path.Combine(storage.UploadsDirectory, "..", "hub-downloads");
        Directory.CreateDirectory(downloads);
        foreach (var (assetId, sha, size, ready) in waiting)
        {
            if (ready && File.Exists(storage.BlobPath(sha))) continue;
            if (!File.Exists(storage.BlobPath(sha)))
            {
                var part = Path.Combine(downloads, sha + AssetStorage.PartExtension);
                await pipeline.ExecuteAsync(static async (state, token) => await state.client.DownloadBlobAsync(state.hub.Link, state.sha, state.part, token),
                    (client, hub, sha, part), cancellationToken);
                if (!await HashMatchesAsync(part, sha, cancellationToken))
                {
                    // Damaged or not the promised bytes: start over next round.
                    AssetStorage.DeleteQuietly(part);
                    throw new HubException($"The blob of shared asset {assetId} does not match its SHA-256 {sha}; it will be fetched again.", null, transient: false);
                }
                using (await storage.LockAsync(cancellationToken)) storage.StoreBlob(part, sha);
            }
            await using var connection = await database.OpenAsync(cancellationToken);
            if (ready)
            {
                AuditLog.Write(connection, null, clock.GetCurrentInstant(), RepairedAction, hub.TenantId, hub.VenueId, null, "blob", sha,
                    new Dictionary<string, string?> { ["assetId"] = assetId, ["source"] = "hub" });
                LogBlobRepaired(logger, assetId, sha, size);
                continue;
            }
            var now = Sql.Utc(clock.GetCurrentInstant());
            connection.Execute("""
                UPDATE asset SET status = 'READY', ready_at_utc = $now, updated_at_utc = $now
                WHERE asset_id = $id AND sha256 = $sha AND status = 'UPLOADING';
                """, null, ("$now", now), ("$id", assetId), ("$sha", sha));
            LogAssetReady(logger, assetId, sha, size);
        }
    }

    private static async Task<bool> HashMatchesAsync(string path, string sha256, CancellationToken cancellationToken)
    {
        if (!File.Exists(path)) return false;
        await using var file = File.OpenRead(path);
        var hash = await SHA256.HashDataAsync(file, cancellationToken);
        return Convert.ToHexStringLower(hash) == sha256;
    }

    /// <summary>Copies each shared playlist whose newest version is not in the venue yet and whose
    /// assets are all READY here into a read-only venue playlist (origin HUB) with that snapshot
    /// published, so schedules can name it and screens can play it.</summary>
    private void CopyReadyPlaylists(SqliteConnection connection, HubConnection hub)
    {
        var pending = connection.Query("""
            SELECT playlist_id, name, version, items_json FROM hub_playlist
            WHERE deleted = 0 AND (applied_version IS NULL OR applied_version < version);
            """, null, r => (Id: r.GetString(0), Name: r.GetString(1), Version: r.GetInt64(2),
                Items: JsonSerializer.Deserialize(r.GetString(3), SyncApplierJsonContext.Default.HubPlaylistItemArray) ?? []));
        foreach (var playlist in pending)
        {
            using var transaction = connection.BeginTransaction();
            var enabled = playlist.Items.Where(i => i.Enabled).ToList();
            var assets = enabled.Select(i => (Item: i, Asset: PlaylistStore.LoadAsset(connection, transaction, hub.VenueId, i.AssetId))).ToList();
            if (enabled.Count == 0 || assets.Any(a => a.Asset is not { Status: "READY" })) continue; // waits for its blobs
            var now = Sql.Utc(clock.GetCurrentInstant());
            connection.Execute("""
                INSERT INTO playlist (playlist_id, venue_id, name, created_at_utc, updated_at_utc, origin) VALUES ($id, $venue, $name, $now, $now, 'HUB')
                ON CONFLICT (playlist_id) DO UPDATE SET name = excluded.name, draft_version = playlist.draft_version + 1, updated_at_utc = excluded.updated_at_utc
                WHERE playlist.origin = 'HUB';
                """, transaction, ("$id", playlist.Id), ("$venue", hub.VenueId), ("$name", playlist.Name), ("$now", now));
            if (connection.Scalar<string>("SELECT origin FROM playlist WHERE playlist_id = $id;", transaction, ("$id", playlist.Id)) != HubOrigin) continue;
            PlaylistStore.ReplaceItems(connection, transaction, playlist.Id,
                playlist.Items.Select(i => new PlaylistItemRequest(i.AssetId, i.DurationMs, i.Enabled)));
            var version = PlaylistStore.NextVersion(connection, transaction, playlist.Id);
            connection.Execute("""
                INSERT INTO playlist_published (playlist_id, version, name, published_at_utc) VALUES ($id, $version, $name, $now);
                """, transaction, ("$id", playlist.Id), ("$version", version), ("$name", playlist.Name), ("$now", now));
            for (var position = 0; position < assets.Count; position++)
            {
                var (item, asset) = assets[position];
                var duration = item.DurationMs ?? (asset!.MediaType == "VIDEO" && asset.DurationMs is { } ms ? (int)ms : PlaylistStore.DefaultImageDurationMs);
                connection.Execute("""
                    INSERT INTO playlist_published_item (playlist_id, version, position, asset_id, sha256, media_type, duration_ms)
                    VALUES ($id, $version, $position, $asset, $sha, $type, $duration);
                    """, transaction, ("$id", playlist.Id), ("$version", version), ("$position", position), ("$asset", item.AssetId),
                    ("$sha", asset!.Sha256), ("$type", asset.MediaType), ("$duration", duration));
            }
            connection.Execute("UPDATE playlist SET published_version = $version WHERE playlist_id = $id;", transaction, ("$version", version), ("$id", playlist.Id));
            connection.Execute("UPDATE hub_playlist SET applied_version = $version WHERE playlist_id = $id;", transaction, ("$version", playlist.Version), ("$id", playlist.Id));
            VenueRules.BumpManifestEpoch(connection, transaction, hub.VenueId);
            VenueRules.RecordPublish(connection, transaction, hub.VenueId, "PLAYLIST", playlist.Id, version, false, "hub", now);
            transaction.Commit();
        }
    }

    [LoggerMessage(EventId = 8101, Level = LogLevel.Warning, Message = "Hub change {Sequence} ({Kind} {EntityId}) skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, long sequence, string kind, string entityId, string reason);

    [LoggerMessage(EventId = 8102, Level = LogLevel.Information, Message = "Shared asset {AssetId} is READY ({Sha256}, {SizeBytes} bytes)")]
    private static partial void LogAssetReady(ILogger logger, string assetId, string sha256, long sizeBytes);

    [LoggerMessage(EventId = 8103, Level = LogLevel.Warning, Message = "Shared asset {AssetId}: its blob {Sha256} ({SizeBytes} bytes) was gone from the store (quarantined as damaged) and was fetched again from the hub")]
    private static partial void LogBlobRepaired(ILogger logger, string assetId, string sha256, long sizeBytes);
}

[System.Text.Json.Serialization.JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[System.Text.Json.Serialization.JsonSerializable(typeof(HubPlaylistItem[]))]
internal sealed partial class SyncApplierJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
