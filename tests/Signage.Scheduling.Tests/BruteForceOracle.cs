using NodaTime;
using NodaTime.TimeZones;

namespace Signage.Scheduling.Tests;

/// <summary>
/// The resolver's rules written the slow, obvious way, to check the fast one against: each minute
/// is decided on its own, by asking every slot whether one of its occurrences covers it. It shares
/// no code with the resolver: NodaTime's own resolvers map local times, LINQ orders precedence.
/// </summary>
internal sealed class BruteForceOracle(
    IReadOnlyList<ScheduleSlot> slots, string? venueFallback, string? tenantDefault,
    string deviceId, string? groupId, DateTimeZone zone)
{
    // The documented DST rule: a skipped local time takes effect when the gap ends; a repeated one
    // at its first occurrence.
    private static readonly ZoneLocalMappingResolver DstRule =
        Resolvers.CreateMappingResolver(Resolvers.ReturnEarlier, Resolvers.ReturnStartOfIntervalAfter);

    private readonly Dictionary<(string, LocalDate), (Instant Start, Instant End)?> _occurrences = [];

    public string? PlaylistAt(Instant t)
    {
        var today = t.InZone(zone).Date;
        var winner = slots
            .Where(s => s.Enabled && s.Validate().Count == 0)
            .Where(s => s.TargetType == SlotTargetType.Device ? s.TargetId == deviceId : s.TargetId == groupId)
            .Where(s => Enumerable.Range(-2, 3).Any(d => Covers(s, today.PlusDays(d), t)))
            .OrderBy(s => s.TargetType == SlotTargetType.Device ? 0 : 1)
            .ThenByDescending(s => s.Priority)
            .ThenByDescending(s => s.UpdatedAt)
            .ThenBy(s => s.Id, StringComparer.Ordinal)
            .FirstOrDefault();
        return winner?.PlaylistId ?? venueFallback ?? tenantDefault;
    }

    private bool Covers(ScheduleSlot slot, LocalDate startDay, Instant t) =>
        Occurrence(slot, startDay) is { } o && o.Start <= t && t < o.End;

    private (Instant Start, Instant End)? Occurrence(ScheduleSlot slot, LocalDate day)
    {
        if (_occurrences.TryGetValue((slot.Id, day), out var cached)) return cached;
        (Instant, Instant)? result = null;
        var weekdayMatches = (slot.DaysOfWeekMask >> ((int)day.DayOfWeek - 1) & 1) == 1;
        var inRange = (slot.ValidFrom is null || day >= slot.ValidFrom) && (slot.ValidTo is null || day <= slot.ValidTo);
        if (weekdayMatches && inRange)
        {
            var start = day.AtMidnight().PlusMinutes(slot.StartMinutes);
            var end = (slot.EndMinutes <= slot.StartMinutes ? day.PlusDays(1) : day).AtMidnight().PlusMinutes(slot.EndMinutes);
            result = (start.InZone(zone, DstRule).ToInstant(), end.InZone(zone, DstRule).ToInstant());
        }
        _occurrences[(slot.Id, day)] = result;
        return result;
    }
}
