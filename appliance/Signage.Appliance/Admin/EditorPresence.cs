using System.Collections.Concurrent;
using NodaTime;

namespace Signage.Appliance.Admin;

/// <summary>
/// "Who else is editing this right now" (spec 16): each open editor page sends a heartbeat every
/// 15 seconds; someone not heard from for 40 seconds has left. In memory only: presence is a hint
/// for people, never a lock (If-Match is what stops one edit overwriting another).
/// </summary>
public sealed class EditorPresence(IClock clock)
{
    public static readonly Duration Timeout = Duration.FromSeconds(40);

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, (string Name, Instant Seen)>> _editors = new(StringComparer.Ordinal);

    /// <summary>Records the heartbeat and answers the names of the others present, in name order.</summary>
    public IReadOnlyList<string> Beat(string resource, string userId, string name)
    {
        var now = clock.GetCurrentInstant();
        var editors = _editors.GetOrAdd(resource, _ => new(StringComparer.Ordinal));
        editors[userId] = (name, now);
        return Others(resource, userId);
    }

    public IReadOnlyList<string> Others(string resource, string userId)
    {
        if (!_editors.TryGetValue(resource, out var editors)) return [];
        var now = clock.GetCurrentInstant();
        foreach (var (id, entry) in editors)
        {
            if (now - entry.Seen > Timeout) editors.TryRemove(id, out _);
        }
        return [.. editors.Where(e => e.Key != userId).Select(e => e.Value.Name).Order(StringComparer.OrdinalIgnoreCase)];
    }
}
