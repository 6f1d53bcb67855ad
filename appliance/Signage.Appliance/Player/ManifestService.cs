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
public sealed record CachedManifest(string ETag, byte[] Body, Instant ValidTo, long Epoch, long DeviceVersion, string BaseUrl);

/// <summary>
/// Builds each screen's manifest (spec 27.8.1 + timeline) and keeps it until the venue's epoch, the
/// device's record or the validity changes, so a screen polling an unchanged manifest costs a
/// dictionary lookup and an ETag comparison. When building fails (spec 31.9: the database locked,
/// busy or damaged) the screen gets the last manifest built for it, from memory or from disk
/// (<see cref="LastManifests"/>), else a minimal fallback: never an error.
/// </summary>
public sealed partial class ManifestService(Database database, ManifestEpochs epochs, IClock clock, LastManifests lastManifests, ILogger<ManifestService> logger)
{
    public const int NextCheckSeconds = 60;

    /// <summary>How soon a screen answered with a fallback asks again.</summary>
    public const int FallbackCheckSeconds = 30;

    private static readonly ScheduleResolver Resolver = new();
    private readonly ConcurrentDictionary<string, CachedManifest> _cache = new(StringComparer.Ordinal);

    public CachedManifest Get(DeviceEntry device, string baseUrl)
    {
        _cache.TryGetValue(device.DeviceId, out var cached);
        try
        {
            var epoch = epochs.Current(device.VenueId);
            if (cached is not null && cached.Epoch == epoch && cached.DeviceVersion == device.RowVersion
                && cached.BaseUrl == baseUrl && clock.GetCurrentInstant() < cached.ValidTo)
            {
                return cached;
            }
            var built = Build(device, baseUrl, epoch);
            _cache[device.DeviceId] = built;
            lastManifests.Keep(device.DeviceId, built);
            return built;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever broke the build (SQLITE_BUSY, SQLITE_PROTOCOL, SQLITE_CORRUPT, a row that no longer
            // reads), the screen keeps what it was last told rather than going blank (spec 31.9).
            var last = cached ?? lastManifests.Load(device.DeviceId);
            LogBuildFailed(logger, device.DeviceId, last is null ? "a fallback manifest" : "its last manifest", e);
            return last ?? Fallback(device);
        }
    }

    public void Forget(string deviceId)
    {
        _cache.TryRemove(deviceId, out _);
        lastManifests.Forget(deviceId);
    }

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
        return Complete(manifest, resolution.ValidToUtc, epoch, device.RowVersion, baseUrl);
    }

    /// <summary>Spec 31.5's last step ("no playlist → error manifest") for a screen whose manifest cannot be
    /// built and was never kept: its settings (known without the database), no playlist, and a short
    /// validity. A player shows its cached content, or its error screen when it has none (spec 27.8.1).
    /// Not kept: the next request tries to build again.</summary>
    private CachedManifest Fallback(DeviceEntry device)
    {
        var now = clock.GetCurrentInstant();
        var validTo = now + Duration.FromSeconds(FallbackCheckSeconds);
        var manifest = new ManifestResponse("", Sql.Utc(validTo), FallbackCheckSeconds, device.Settings, null,
            new ManifestTimeline(Sql.Utc(now), Sql.Utc(validTo), [], []));
        return Complete(manifest, validTo, -1, -1, "");
    }

    private static CachedManifest Complete(ManifestResponse manifest, Instant validTo, long epoch, long deviceVersion, string baseUrl)
    {
        var etag = ETagOf(manifest);
        var body = JsonSerializer.SerializeToUtf8Bytes(manifest with { ManifestEtag = etag }, ContractsJsonContext.Default.ManifestResponse);
        return new CachedManifest($"\"{etag}\"", body, validTo, epoch, deviceVersion, baseUrl);
    }

    /// <summary>
    /// The ETag names what the screen must do, not when the manifest was built (issue 16; 001's "ETag
    /// stable if inputs unchanged"): a hash of the manifest without its validity (<c>validToUtc</c>,
    /// <c>nextCheckSeconds</c>), the timeline's window (<c>fromUtc</c>, <c>toUtc</c>) and the two ends of
    /// the segment list that only say "now" and "now + 72 h". What is left is the settings, the
    /// playlists with their items, the playlist in force and every schedule boundary ahead as an
    /// absolute instant. So a restart, a rebuild after the venue's epoch moved for another screen, or
    /// a new validity window give the same ETag; it changes when a boundary passes or a new one enters
    /// the 72-hour window, i.e. when the screen's plan does. No epoch in it, so it needs no SQL to
    /// compare and survives a restart.
    /// </summary>
    internal static string ETagOf(ManifestResponse manifest)
    {
        var segments = manifest.Timeline.Segments;
        var stable = manifest with
        {
            ManifestEtag = "",
            ValidToUtc = "",
            NextCheckSeconds = 0,
            Timeline = manifest.Timeline with
            {
                FromUtc = "",
                ToUtc = "",
                Segments = [.. segments.Select((s, i) => s with { FromUtc = i == 0 ? "" : s.FromUtc, ToUtc = i == segments.Length - 1 ? "" : s.ToUtc })],
            },
        };
        var hash = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(stable, ContractsJsonContext.Default.ManifestResponse));
        return $"m-{Convert.ToHexStringLower(hash.AsSpan(0, 12))}";
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not build the manifest of screen {DeviceId}; answering with {Answer}")]
    private static partial void LogBuildFailed(ILogger logger, string deviceId, string answer, Exception exception);
}
