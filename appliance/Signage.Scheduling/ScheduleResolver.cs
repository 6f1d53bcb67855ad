using System.Buffers;
using NodaTime;

namespace Signage.Scheduling;

/// <summary>
/// Decides which published playlist a screen plays at an instant and until when (spec 30–31),
/// and the timeline of the hours ahead. Pure and deterministic: the same schedule, screen and
/// instant give the same answer; the clock is the caller's.
/// </summary>
/// <remarks>
/// A slot starting on local date D is in force for the instants in
/// [map(D + start), map(D' + end)), where D' is D, or D + 1 for a slot that wraps past midnight,
/// and map is the DST rule of <see cref="WallClock"/>. At any instant the in-force slot that comes
/// first in <see cref="VenueSchedule.Precedence"/> wins; with none, the fallback chain applies.
/// </remarks>
public sealed class ScheduleResolver(ResolverOptions options)
{
    public ScheduleResolver() : this(ResolverOptions.Default)
    {
    }

    public ResolverOptions Options { get; } = options;

    public Resolution Resolve(VenueSchedule schedule, ScreenTarget screen, Instant now)
    {
        Resolution? result = null;
        Sweep(schedule, screen, now, Options.MaxValidity, (first, validTo) =>
        {
            result = first with { ValidToUtc = validTo };
            return false;
        });
        return result!;
    }

    /// <summary>The resolved segments from now to now + the timeline horizon, contiguous, with
    /// neighbours always differing in playlist.</summary>
    public IReadOnlyList<TimelineSegment> Timeline(VenueSchedule schedule, ScreenTarget screen, Instant now)
    {
        var segments = new List<TimelineSegment>();
        var segmentStart = now;
        Sweep(schedule, screen, now, Options.TimelineHorizon, (answer, until) =>
        {
            segments.Add(new TimelineSegment(segmentStart, until, answer.PlaylistId));
            segmentStart = until;
            return true;
        });
        return segments;
    }

    /// <summary>
    /// Walks from <paramref name="from"/> to from + horizon, calling <paramref name="onSegment"/>
    /// with the answer at the start of each stretch and the instant the playlist next changes
    /// (or the horizon). Stops early when the callback returns false.
    /// </summary>
    private static void Sweep(VenueSchedule schedule, ScreenTarget screen, Instant from, Duration horizon,
        Func<Resolution, Instant, bool> onSegment)
    {
        var fromTicks = from.ToUnixTimeTicks();
        var toTicks = (from + horizon).ToUnixTimeTicks();
        var clock = WallClock.For(screen.TimeZone, from, from + horizon);

        var deviceSlots = schedule.SlotsForDevice(screen.DeviceId);
        var groupSlots = schedule.SlotsForGroup(screen.GroupId);
        var firstDay = clock.LocalDayNumber(fromTicks) - 1;
        var lastDay = clock.LocalDayNumber(toTicks);
        var buffer = ArrayPool<Occurrence>.Shared.Rent(Math.Max(1, (deviceSlots.Length + groupSlots.Length) * (lastDay - firstDay + 1)));
        var ends = ArrayPool<long>.Shared.Rent(buffer.Length);
        try
        {
            var count = Collect(deviceSlots, clock, firstDay, lastDay, fromTicks, toTicks, buffer, 0);
            count = Collect(groupSlots, clock, firstDay, lastDay, fromTicks, toTicks, buffer, count);
            var occurrences = buffer.AsSpan(0, count);
            occurrences.Sort(static (a, b) => a.Start.CompareTo(b.Start));
            for (var i = 0; i < count; i++) ends[i] = occurrences[i].End;
            Array.Sort(ends, 0, count);

            // A sweep over the boundaries in time order. The queue holds the occurrences that have
            // started, best rank first; one that has ended is dropped when it reaches the top.
            var started = new PriorityQueue<int, int>();
            int nextStart = 0, nextEnd = 0;
            var at = fromTicks;
            Resolution? current = null;
            while (true)
            {
                for (; nextStart < count && occurrences[nextStart].Start <= at; nextStart++) started.Enqueue(nextStart, occurrences[nextStart].Slot.Rank);
                while (started.TryPeek(out var top, out _) && occurrences[top].End <= at) started.Dequeue();
                var answer = AnswerAt(schedule, started.TryPeek(out var winner, out _) ? occurrences[winner].Slot : null);
                if (current is null) current = answer;
                else if (!string.Equals(answer.PlaylistId, current.PlaylistId, StringComparison.Ordinal))
                {
                    if (!onSegment(current, Instant.FromUnixTimeTicks(at))) return;
                    current = answer;
                }

                for (; nextEnd < count && ends[nextEnd] <= at; nextEnd++) { }
                var next = Math.Min(toTicks, Math.Min(
                    nextStart < count ? occurrences[nextStart].Start : long.MaxValue,
                    nextEnd < count ? ends[nextEnd] : long.MaxValue));
                if (next >= toTicks)
                {
                    onSegment(current, Instant.FromUnixTimeTicks(toTicks));
                    return;
                }
                at = next;
            }
        }
        finally
        {
            ArrayPool<Occurrence>.Shared.Return(buffer, clearArray: true);
            ArrayPool<long>.Shared.Return(ends);
        }
    }

    /// <summary>Every occurrence of the given slots that overlaps [from, to).</summary>
    private static int Collect(CompiledSlot[] slots, WallClock clock, int firstDay, int lastDay,
        long fromTicks, long toTicks, Occurrence[] buffer, int count)
    {
        for (var day = firstDay; day <= lastDay; day++)
        {
            var dayBit = ScheduleSlot.DayBit(LocalTicks.DayOfWeek(day));
            var midnight = LocalTicks.MidnightOf(day);
            foreach (var slot in slots)
            {
                if ((slot.DaysOfWeekMask & dayBit) == 0 || day < slot.FirstDay || day > slot.LastDay) continue;
                var start = clock.ToUtcTicks(midnight + slot.StartOffsetTicks);
                var end = clock.ToUtcTicks(midnight + slot.EndOffsetTicks);
                // Empty when the whole slot falls inside a spring-forward gap.
                if (end <= start || end <= fromTicks || start >= toTicks) continue;
                buffer[count++] = new Occurrence(start, end, slot);
            }
        }
        return count;
    }

    private static Resolution AnswerAt(VenueSchedule schedule, CompiledSlot? winner)
    {
        // ValidToUtc is filled in by the caller once the sweep knows it.
        if (winner is not null) return new Resolution(winner.Slot.PlaylistId, ResolutionSource.Slot, winner.Slot.Id, default);
        if (schedule.VenueFallbackPlaylistId is { } venue) return new Resolution(venue, ResolutionSource.VenueFallback, null, default);
        if (schedule.TenantDefaultPlaylistId is { } tenant) return new Resolution(tenant, ResolutionSource.TenantDefault, null, default);
        return new Resolution(null, ResolutionSource.None, null, default);
    }

    private readonly record struct Occurrence(long Start, long End, CompiledSlot Slot);
}
