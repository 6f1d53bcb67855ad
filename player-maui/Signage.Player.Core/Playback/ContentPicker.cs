using Signage.Contracts;
using Signage.Player.Core.Cache;
using Signage.Player.Core.Manifests;
using Signage.Player.Core.Telemetry;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Player.Core.Playback;

public enum ContentSource
{
    Current,
    Previous,
}

/// <param name="RotationKey">Identifies the playlist version in force (see <see cref="PlaylistRotation"/>).</param>
public sealed record Pick(PlayItem Item, LoadedManifest Manifest, ContentSource Source, string RotationKey, int ItemCount);

/// <summary>PLAYABLE_CHECK for the next item (spec 28.4, seed 000 step 6): the next item in rotation whose
/// file passes the cheap check, from the current manifest's playlist due now, else the previous manifest's;
/// null when nothing anywhere is playable (ERROR_SCREEN). A file that fails the check is reported
/// (ASSET_CORRUPT, PLAY_END SKIPPED), forgotten and queued for download again; playback moves on.</summary>
public sealed class ContentPicker(ManifestStore manifests, AssetCache cache, PlaylistRotation rotation, EventRecorder events, TimeProvider clock)
{
    /// <summary>Raised with the SHA-256 of a file found missing or damaged.</summary>
    public event Action<string>? AssetLost;

    public Pick? Next(DateTimeOffset now)
    {
        foreach (var (manifest, source) in new[] { (manifests.Current, ContentSource.Current), (manifests.Previous, ContentSource.Previous) })
        {
            if (manifest?.PlaylistAt(now) is not { Items.Length: > 0 } playlist)
            {
                continue;
            }

            // The playlist version in force, not the manifest: a new ETag for another reason (any publish in the
            // venue bumps its epoch) must not send the loop back to item 0 (found end to end).
            var key = $"{playlist.PlaylistId}|{playlist.PublishedVersion}";
            var count = playlist.Items.Length;
            var start = rotation.NextIndex(key, count);
            for (var step = 0; step < count; step++)
            {
                var index = (start + step) % count;
                var item = playlist.Items[index];
                var sha = LoadedManifest.Sha(item);
                var check = cache.Check(sha, item.FileSizeBytes);
                if (check.Availability == AssetAvailability.Ready)
                {
                    return new Pick(ToPlayItem(item, sha, playlist.PlaylistId, index), manifest, source, key, count);
                }

                if (check.Availability == AssetAvailability.Corrupt)
                {
                    Skip(item, sha, playlist.PlaylistId, index, manifest.Etag, check);
                }
            }
        }

        return null;
    }

    private void Skip(ManifestItem item, string sha, string playlistId, int index, string etag, AssetCheck check)
    {
        var now = clock.GetUtcNow();
        events.AssetCorrupt(new AssetCorruptPayload(item.AssetId, sha, check.Reason ?? "CORRUPT", item.FileSizeBytes, check.ActualBytes));
        events.PlayEnd(new PlayEndPayload(playlistId, item.AssetId, index, Storage.UtcText.Format(now), 0, PlayResults.Skipped, check.Reason, etag));
        cache.Forget(sha);
        AssetLost?.Invoke(sha);
    }

    private PlayItem ToPlayItem(ManifestItem item, string sha, string playlistId, int index) => new(item.AssetId, sha,
        item.Type == "VIDEO" ? MediaKind.Video : MediaKind.Image, cache.PathOf(sha), DisplayMs(item), playlistId, index, item.WidthPx, item.HeightPx);

    /// <summary>durationMs when the manifest has it; durationSeconds (the spec's field) otherwise; 10 s for an image with neither.</summary>
    private static int DisplayMs(ManifestItem item) => item.DurationMs > 0 ? item.DurationMs
        : item.DurationSeconds > 0 ? item.DurationSeconds * 1000
        : item.Type == "VIDEO" ? 0 : 10_000;
}
