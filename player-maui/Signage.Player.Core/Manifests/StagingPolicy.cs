using Signage.Contracts;

namespace Signage.Player.Core.Manifests;

/// <summary>When a staged manifest may become current (spec 28.5: "all assets ready, or partial playable
/// and current expired"). With a timeline, "all assets" means those of the playlist due now: the
/// playlists of later segments keep downloading after the switch, in timeline order.</summary>
public static class StagingPolicy
{
    public static bool IsReady(LoadedManifest staged, LoadedManifest? current, Func<ManifestItem, bool> isPlayable, DateTimeOffset now)
    {
        if (current is null)
        {
            // Nothing to protect yet: take it at once and show each item as soon as it arrives.
            return true;
        }

        var due = staged.PlaylistAt(now);
        if (due is null || due.Items.Length == 0)
        {
            return true;
        }

        var ready = due.Items.Count(isPlayable);
        if (ready == due.Items.Length)
        {
            return true;
        }

        if (ready == 0)
        {
            return false;
        }

        // Partly ready: switch only if the current manifest has nothing left to show now, or has run out.
        var currentHasContent = current.PlaylistAt(now)?.Items.Any(isPlayable) == true;
        var currentExpired = now >= (current.Timeline.End ?? current.ValidTo);
        return !currentHasContent || currentExpired;
    }
}
