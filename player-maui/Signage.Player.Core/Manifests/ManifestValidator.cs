using Signage.Contracts;
using Signage.Player.Core.Integrity;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Manifests;

/// <summary>"Validate schema" of spec 28.4/28.5: what the player needs to trust before staging a manifest.
/// A manifest that fails is MANIFEST_REJECTED and never replaces a working one.</summary>
public static class ManifestValidator
{
    /// <summary>Null when valid, otherwise the first reason it is not.</summary>
    public static string? Problem(ManifestResponse manifest)
    {
        if (string.IsNullOrWhiteSpace(manifest.ManifestEtag))
        {
            return "manifestEtag is empty";
        }

        if (!UtcText.TryParse(manifest.ValidToUtc, out _))
        {
            return "validToUtc is not an ISO 8601 instant";
        }

        var playlists = new List<ManifestPlaylist>(manifest.Timeline?.Playlists ?? []);
        if (manifest.Playlist is not null)
        {
            playlists.Add(manifest.Playlist);
        }

        foreach (var item in playlists.SelectMany(p => p.Items ?? []))
        {
            if (ItemProblem(item) is { } problem)
            {
                return $"item {item.AssetId}: {problem}";
            }
        }

        var known = playlists.Select(p => p.PlaylistId).ToHashSet(StringComparer.Ordinal);
        foreach (var segment in manifest.Timeline?.Segments ?? [])
        {
            if (!UtcText.TryParse(segment.FromUtc, out var from) || !UtcText.TryParse(segment.ToUtc, out var to) || to <= from)
            {
                return $"timeline segment {segment.FromUtc}..{segment.ToUtc} is not a valid interval";
            }

            if (segment.PlaylistId is not null && !known.Contains(segment.PlaylistId))
            {
                return $"timeline names playlist {segment.PlaylistId}, which the manifest does not carry";
            }
        }

        return null;
    }

    private static string? ItemProblem(ManifestItem item)
    {
        if (string.IsNullOrWhiteSpace(item.AssetId))
        {
            return "assetId is empty";
        }

        if (item.Type is not ("IMAGE" or "VIDEO"))
        {
            return $"type {item.Type} is neither IMAGE nor VIDEO";
        }

        if (!FileHash.IsSha256Hex(item.ChecksumSha256))
        {
            return "checksumSha256 is not 64 hex digits";
        }

        if (string.IsNullOrWhiteSpace(item.Url))
        {
            return "url is empty";
        }

        return item.FileSizeBytes <= 0 ? "fileSizeBytes is not positive" : null;
    }
}
