namespace Signage.Player.Core.Cache;

/// <summary>The decision of spec 11.2 as a pure function: given what is cached, what is protected and
/// what is about to arrive, which files to delete and whether the new file then fits.</summary>
public static class EvictionPlanner
{
    /// <summary>Eviction starts when use would pass this share of the budget.</summary>
    public const double Threshold = 0.9;

    public sealed record Candidate(string Sha256, string AssetId, long SizeBytes, long LastUsedTicks);

    /// <param name="Fits">Whether <c>incomingBytes</c> may be written (after the evictions).</param>
    /// <param name="Evict">Least recently used first; empty when nothing needs to go, or when evicting would not make room anyway.</param>
    public sealed record Plan(bool Fits, IReadOnlyList<Candidate> Evict);

    public static Plan Decide(IReadOnlyCollection<Candidate> cached, long incomingBytes, long budgetBytes,
        IReadOnlySet<string> protectedHashes, string? onScreen)
    {
        var used = cached.Sum(c => c.SizeBytes);
        var threshold = (long)(budgetBytes * Threshold);
        if (used + incomingBytes <= threshold)
        {
            return new Plan(true, []);
        }

        var evict = new List<Candidate>();
        var freed = 0L;
        // Never the current or previous manifest's assets, never the file on screen.
        foreach (var candidate in cached.Where(c => !protectedHashes.Contains(c.Sha256) && c.Sha256 != onScreen)
                     .OrderBy(c => c.LastUsedTicks).ThenBy(c => c.Sha256, StringComparer.Ordinal))
        {
            if (used + incomingBytes - freed <= threshold)
            {
                break;
            }

            evict.Add(candidate);
            freed += candidate.SizeBytes;
        }

        var fits = used + incomingBytes - freed <= budgetBytes;
        // Deleting files that still leave no room would only lose content: keep them and pause instead.
        return fits ? new Plan(true, evict) : new Plan(false, []);
    }
}
