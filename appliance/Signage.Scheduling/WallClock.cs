using NodaTime;

namespace Signage.Scheduling;

/// <summary>
/// Turns venue-local wall-clock times into UTC instants under the resolver's DST rule:
/// <list type="bullet">
/// <item>a local time that a spring-forward gap skips maps to the first instant after the gap
/// (the transition itself) — "the first valid instant" of spec 30.5;</item>
/// <item>a local time that a fall-back overlap repeats maps to its first occurrence (the earlier
/// offset), so a boundary is crossed once and never un-crossed.</item>
/// </list>
/// The same rule as NodaTime's <c>Resolvers.CreateMappingResolver(ReturnEarlier,
/// ReturnStartOfIntervalAfter)</c>, but over a handful of pre-fetched zone intervals so that
/// mapping is a few comparisons: the resolver maps hundreds of times per request.
/// </summary>
internal readonly struct WallClock
{
    // Margin on each side of the window: an occurrence starts at most a day before the window
    // and a wrapping one ends at most two days after the day it starts on.
    private static readonly Duration Margin = Duration.FromDays(3);

    private readonly ZoneSpan[] _spans;

    private WallClock(ZoneSpan[] spans) => _spans = spans;

    public static WallClock For(DateTimeZone zone, Instant from, Instant to)
    {
        var spans = new List<ZoneSpan>(4);
        var end = to + Margin;
        var interval = zone.GetZoneInterval(from - Margin);
        while (true)
        {
            spans.Add(new ZoneSpan(
                interval.HasStart ? interval.Start.ToUnixTimeTicks() : long.MinValue,
                interval.HasEnd ? interval.End.ToUnixTimeTicks() : long.MaxValue,
                interval.WallOffset.Ticks));
            if (!interval.HasEnd || interval.End >= end) break;
            interval = zone.GetZoneInterval(interval.End);
        }
        return new WallClock([.. spans]);
    }

    /// <summary>Local date (as a <see cref="DateOnly.DayNumber"/>) of a UTC instant.</summary>
    public int LocalDayNumber(long utcTicks)
    {
        foreach (var span in _spans)
        {
            if (utcTicks >= span.StartUtc && utcTicks < span.EndUtc)
            {
                return LocalTicks.DayNumber(utcTicks + span.OffsetTicks);
            }
        }
        return LocalTicks.DayNumber(utcTicks + _spans[^1].OffsetTicks);
    }

    public long ToUtcTicks(long localTicks)
    {
        // Spans are in time order, so the first that contains the local time gives the earlier
        // instant when the local time is ambiguous.
        foreach (var span in _spans)
        {
            var utc = localTicks - span.OffsetTicks;
            if (utc >= span.StartUtc && utc < span.EndUtc) return utc;
        }
        // Skipped: the local time falls in a gap; it takes effect when the gap ends.
        foreach (var span in _spans)
        {
            if (span.StartUtc != long.MinValue && span.StartUtc + span.OffsetTicks > localTicks) return span.StartUtc;
        }
        // Outside the fetched window (cannot happen for times the resolver asks about).
        return localTicks - _spans[^1].OffsetTicks;
    }

    private readonly record struct ZoneSpan(long StartUtc, long EndUtc, long OffsetTicks);
}

/// <summary>Local date-times as ticks since 1970-01-01T00:00 local.</summary>
internal static class LocalTicks
{
    private static readonly int UnixEpochDayNumber = new DateOnly(1970, 1, 1).DayNumber;

    public static int DayNumber(long localTicks)
    {
        // Floor division: a local time before 1970 still belongs to the day it falls in.
        var days = localTicks / TimeSpan.TicksPerDay;
        if (localTicks % TimeSpan.TicksPerDay < 0) days--;
        return (int)days + UnixEpochDayNumber;
    }

    public static long MidnightOf(int dayNumber) => (long)(dayNumber - UnixEpochDayNumber) * TimeSpan.TicksPerDay;

    /// <summary>ISO day of week of a <see cref="DateOnly.DayNumber"/> (day 0, 0001-01-01, was a Monday).</summary>
    public static IsoDayOfWeek DayOfWeek(int dayNumber) => (IsoDayOfWeek)(dayNumber % 7 + 1);
}
