using System.Security.Cryptography;
using Signage.Contracts;

namespace Signage.Player.Core.Tests.Infrastructure;

/// <summary>Test assets: random bytes with their real SHA-256, and manifest items pointing at the fake appliance.</summary>
public sealed record TestAsset(string AssetId, byte[] Bytes, string Type = "IMAGE", int DurationMs = 10_000)
{
    public string Sha256 { get; } = Convert.ToHexStringLower(SHA256.HashData(Bytes));

    public ManifestItem Item => new(AssetId, Type, $"/v1/assets/{Sha256}", Sha256, DurationMs / 1000, 1920, 1080, Bytes.Length, DurationMs);

    public static TestAsset Image(string id, int size = 1000, int durationMs = 10_000) => new(id, RandomNumberGenerator.GetBytes(size), "IMAGE", durationMs);

    public static TestAsset Video(string id, int size = 5000, int durationMs = 30_000) => new(id, RandomNumberGenerator.GetBytes(size), "VIDEO", durationMs);
}

public static class TestManifests
{
    public static readonly DateTimeOffset Start = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    public static DeviceSettings Settings(long budget = 0) => new("SHARED", true, false, true, false, "LANDSCAPE", budget, "Europe/London");

    public static ManifestPlaylist Playlist(string id, params TestAsset[] assets) => new(id, 1, [.. assets.Select(a => a.Item)]);

    /// <summary>One playlist for the whole 72 h.</summary>
    public static ManifestResponse Single(string etag, ManifestPlaylist playlist, long budget = 0) =>
        Timeline(etag, budget, (Start.AddDays(-1), Start.AddDays(3), playlist));

    /// <summary>Consecutive segments; a null playlist means nothing scheduled.</summary>
    public static ManifestResponse Timeline(string etag, long budget, params (DateTimeOffset From, DateTimeOffset To, ManifestPlaylist? Playlist)[] segments)
    {
        var playlists = segments.Where(s => s.Playlist is not null).Select(s => s.Playlist!).DistinctBy(p => p.PlaylistId).ToArray();
        var timeline = new ManifestTimeline(Utc(segments[0].From), Utc(segments[^1].To),
            [.. segments.Select(s => new TimelineSegmentResponse(Utc(s.From), Utc(s.To), s.Playlist?.PlaylistId))], playlists);
        return new ManifestResponse(etag, Utc(segments[^1].To), 60, Settings(budget), segments[0].Playlist, timeline);
    }

    public static string Utc(DateTimeOffset t) => Storage.UtcText.Format(t);
}
