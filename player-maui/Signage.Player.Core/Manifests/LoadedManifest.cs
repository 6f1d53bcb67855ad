using Signage.Contracts;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Manifests;

/// <summary>A validated manifest with the lookups playback needs: which playlist is due when, and every
/// asset it may need.</summary>
public sealed class LoadedManifest
{
    private readonly Dictionary<string, ManifestPlaylist> _playlists = new(StringComparer.Ordinal);

    private LoadedManifest(ManifestResponse response)
    {
        Response = response;
        ValidTo = UtcText.Parse(response.ValidToUtc);
        Timeline = new Timeline(response.Timeline?.Segments ?? []);
        foreach (var playlist in response.Timeline?.Playlists ?? [])
        {
            _playlists[playlist.PlaylistId] = playlist;
        }

        if (response.Playlist is { } now)
        {
            _playlists.TryAdd(now.PlaylistId, now);
        }

        AllItems = [.. _playlists.Values.SelectMany(p => p.Items).DistinctBy(i => Sha(i))];
        AssetHashes = AllItems.Select(Sha).ToHashSet(StringComparer.Ordinal);
    }

    public ManifestResponse Response { get; }

    public string Etag => Response.ManifestEtag;

    public DateTimeOffset ValidTo { get; }

    public Timeline Timeline { get; }

    /// <summary>Each distinct file the manifest references (by hash), in first-seen order.</summary>
    public IReadOnlyList<ManifestItem> AllItems { get; }

    public IReadOnlySet<string> AssetHashes { get; }

    public TimeSpan NextCheck => TimeSpan.FromSeconds(Math.Max(1, Response.NextCheckSeconds));

    public long CacheBudgetBytes(long fallback) => Response.Settings?.CacheBudgetBytes is > 0 and var budget ? budget : fallback;

    /// <summary>Throws <see cref="InvalidManifestException"/> when the manifest fails validation.</summary>
    public static LoadedManifest From(ManifestResponse response) =>
        ManifestValidator.Problem(response) is { } problem ? throw new InvalidManifestException(problem) : new LoadedManifest(response);

    /// <summary>The playlist due at <paramref name="now"/>: the timeline's when it has one, otherwise the
    /// manifest's single playlist (a manifest without timeline, spec 27.8.1). Null: nothing scheduled.</summary>
    public ManifestPlaylist? PlaylistAt(DateTimeOffset now)
    {
        if (Timeline.At(now) is { } segment)
        {
            return segment.PlaylistId is { } id ? _playlists.GetValueOrDefault(id) : null;
        }

        return Response.Playlist;
    }

    public ManifestPlaylist? Playlist(string playlistId) => _playlists.GetValueOrDefault(playlistId);

    public static string Sha(ManifestItem item) => item.ChecksumSha256.ToLowerInvariant();
}

public sealed class InvalidManifestException(string message) : Exception(message);
