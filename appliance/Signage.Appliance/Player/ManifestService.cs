using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Schedules;
using Signage.Contracts;
using Signage.Scheduling;

namespace Signage.Appliance.Player;

/// <summary>A built manifest: its bytes, ETag, and what it was built from.</summary>
public sealed record CachedManifest(string ETag, byte[] Body, Instant ValidTo, long Epoch, long DeviceVersion, string BaseUrl, string Signature);

/// <summary>
/// Builds each screen's manifest (spec 27.8.1 + timeline) and keeps it until the venue's epoch, the
/// device's record or the validity changes, so a screen polling an unchanged manifest costs a
/// dictionary lookup and an ETag comparison.
/// </summary>
public sealed class ManifestService(Database database, ManifestEpochs epochs, IClock clock)
{
    public const int NextCheckSeconds = 60;
    private static readonly ScheduleResolver Resolver = new();
    private readonly ConcurrentDictionary<string, CachedManifest> _cache = new(StringComparer.Ordinal);

    public CachedManifest Get(DeviceEntry device, string baseUrl)
    {
        var epoch = epochs.Current(device.VenueId);
        if (_cache.TryGetValue(device.DeviceId, out var cached) && cached.Epoch == epoch && cached.DeviceVersion == device.RowVersion
            && cached.BaseUrl == baseUrl && clock.GetCurrentInstant() < cached.ValidTo)
        {
            return cached;
        }
        var built = Build(device, baseUrl, epoch);
        // A change elsewhere in the venue (another playlist published, say) bumps the epoch without
        // changing what this screen plays: keep its ETag, so it is not woken for nothing.
        if (cached is not null && cached.Signature == built.Signature && cached.BaseUrl == baseUrl && clock.GetCurrentInstant() < cached.ValidTo)
            built = cached with { Epoch = epoch, DeviceVersion = device.RowVersion };
        _cache[device.DeviceId] = built;
        return built;
    }

    public void Forget(string deviceId) => _cache.TryRemove(deviceId, out _);

    /// <summary>The ETag the screen would get now, if it has been built (for the dashboard).</summary>
    public string? CurrentETag(string deviceId) => _cache.TryGetValue(deviceId, out var cached) ? cached.ETag : null;

    /// <summary>The ETag (unquoted, as in the manifest body) the screen should have applied by now:
    /// its manifest, rebuilt if the venue changed since it last asked; null if it never asked.</summary>
    public string? ExpectedETag(DeviceEntry device) => _cache.TryGetValue(device.DeviceId, out var cached) ? Get(device, cached.BaseUrl).ETag.Trim('"') : null;

    private CachedManifest Build(DeviceEntry device, string baseUrl, long epoch)
    {
        var now = clock.GetCurrentInstant();
        using var connection = database.Open();
        var published = ScheduleStore.LoadPublished(connection, null, device.VenueId);
        var (zone, _) = TimeZones.Effective(device.Timezone, published.VenueZone, published.TenantZone);
        var screen = new ScreenTarget(device.DeviceId, device.GroupId, zone);
        var resolution = Resolver.Resolve(published.Schedule, screen, now);
        var timeline = Resolver.Timeline(published.Schedule, screen, now);

        var playlists = timeline.Select(s => s.PlaylistId).Append(resolution.PlaylistId).OfType<string>().Distinct(StringComparer.Ordinal)
            .Select(id => LoadPlaylist(connection, id, baseUrl)).OfType<ManifestPlaylist>().ToDictionary(p => p.PlaylistId, StringComparer.Ordinal);
        var manifest = new ManifestResponse(
            ManifestEtag: "",
            ValidToUtc: Sql.Utc(resolution.ValidToUtc),
            NextCheckSeconds: (int)Math.Clamp((resolution.ValidToUtc - now).TotalSeconds, 5, NextCheckSeconds),
            Settings: device.Settings with { Timezone = zone.Id },
            Playlist: resolution.PlaylistId is { } current ? playlists.GetValueOrDefault(current) : null,
            Timeline: new ManifestTimeline(Sql.Utc(now), Sql.Utc(timeline[^1].ToUtc),
                [.. timeline.Select(s => new TimelineSegmentResponse(Sql.Utc(s.FromUtc), Sql.Utc(s.ToUtc), s.PlaylistId))], [.. playlists.Values]));

        // The ETag names the content, not the moment it was built: hash it without the ETag itself.
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(manifest, ContractsJsonContext.Default.ManifestResponse));
        var etag = $"m-{epoch}-{Convert.ToHexStringLower(hash.AsSpan(0, 8))}";
        var body = JsonSerializer.SerializeToUtf8Bytes(manifest with { ManifestEtag = etag }, ContractsJsonContext.Default.ManifestResponse);
        return new CachedManifest($"\"{etag}\"", body, resolution.ValidToUtc, epoch, device.RowVersion, baseUrl, Signature(manifest, timeline));
    }

    /// <summary>What the screen plays, without the moment the manifest was built (its start, its
    /// horizon, a validity that is only the 6-hour clamp): equal signatures mean the same instructions.</summary>
    private static string Signature(ManifestResponse manifest, IReadOnlyList<TimelineSegment> timeline)
    {
        var stable = manifest with
        {
            ValidToUtc = "",
            NextCheckSeconds = 0,
            Timeline = manifest.Timeline with
            {
                FromUtc = "",
                ToUtc = "",
                Segments = [.. timeline.Select((s, i) => new TimelineSegmentResponse(i == 0 ? "" : Sql.Utc(s.FromUtc), i == timeline.Count - 1 ? "" : Sql.Utc(s.ToUtc), s.PlaylistId))],
            },
        };
        return Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(stable, ContractsJsonContext.Default.ManifestResponse)));
    }

    private static ManifestPlaylist? LoadPlaylist(SqliteConnection connection, string playlistId, string baseUrl)
    {
        var version = connection.Scalar<long?>("SELECT published_version FROM playlist WHERE playlist_id = $playlist;", null, ("$playlist", playlistId));
        if (version is null) return null;
        var items = connection.Query("""
            SELECT i.asset_id, i.media_type, i.sha256, i.duration_ms, COALESCE(a.width, 0), COALESCE(a.height, 0), COALESCE(a.size_bytes, 0)
            FROM playlist_published_item i LEFT JOIN asset a ON a.asset_id = i.asset_id
            WHERE i.playlist_id = $playlist AND i.version = $version ORDER BY i.position;
            """, null,
            r => new ManifestItem(r.GetString(0), r.GetString(1), $"{baseUrl}/v1/assets/{r.GetString(2)}", r.GetString(2),
                (int)Math.Ceiling(r.GetInt32(3) / 1000.0), r.GetInt32(4), r.GetInt32(5), r.GetInt64(6), r.GetInt32(3)),
            ("$playlist", playlistId), ("$version", version));
        return new ManifestPlaylist(playlistId, version.Value, [.. items]);
    }
}
