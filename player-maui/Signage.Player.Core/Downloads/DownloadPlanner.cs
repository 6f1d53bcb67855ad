using Signage.Contracts;
using Signage.Player.Core.Manifests;

namespace Signage.Player.Core.Downloads;

/// <summary>Spec 28.9's order. "Staged" here also covers the current manifest's playlist due now (a file
/// lost to corruption is needed as urgently as a new one).</summary>
public enum DownloadPriority
{
    Staged = 0,
    Upcoming = 1,
    Rest = 2,
}

public sealed record DownloadRequest(string Sha256, string AssetId, string Url, long SizeBytes, DownloadPriority Priority);

/// <summary>What to download, most urgent first, as a pure function of the manifests and the clock.</summary>
public static class DownloadPlanner
{
    public static IReadOnlyList<DownloadRequest> Plan(LoadedManifest? staged, LoadedManifest? current, DateTimeOffset now, Func<string, bool> isCached)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var plan = new List<DownloadRequest>();

        void Add(IEnumerable<ManifestItem>? items, DownloadPriority priority)
        {
            foreach (var item in items ?? [])
            {
                var sha = LoadedManifest.Sha(item);
                if (seen.Add(sha) && !isCached(sha))
                {
                    plan.Add(new DownloadRequest(sha, item.AssetId, item.Url, item.FileSizeBytes, priority));
                }
            }
        }

        // 1. What must play next: the candidate's playlist due now, then the current one's.
        Add(staged?.PlaylistAt(now)?.Items, DownloadPriority.Staged);
        Add(current?.PlaylistAt(now)?.Items, DownloadPriority.Staged);

        // 2. Playlists the timelines switch to, soonest first, so a schedule change finds its files.
        var upcoming = new[] { staged, current }
            .Where(m => m is not null)
            .SelectMany(m => m!.Timeline.Upcoming(now).Select(segment => (Manifest: m, Segment: segment)))
            .OrderBy(x => x.Segment.From);
        foreach (var (manifest, segment) in upcoming)
        {
            if (segment.PlaylistId is { } id)
            {
                Add(manifest!.Playlist(id)?.Items, DownloadPriority.Upcoming);
            }
        }

        // 3. Anything else the manifests carry.
        Add(staged?.AllItems, DownloadPriority.Rest);
        Add(current?.AllItems, DownloadPriority.Rest);
        return plan;
    }
}
