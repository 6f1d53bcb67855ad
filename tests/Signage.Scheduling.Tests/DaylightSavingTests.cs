using NodaTime;
using static Signage.Scheduling.Tests.Build;

namespace Signage.Scheduling.Tests;

/// <summary>
/// The DST rule (docs/SCHEDULING.md): a boundary inside a spring-forward gap takes effect when the
/// gap ends; a boundary inside a fall-back overlap takes effect at its first occurrence.
/// London 2026: clocks go 01:00 GMT → 02:00 BST on Sunday 29 March (01:00 UTC) and
/// 02:00 BST → 01:00 GMT on Sunday 25 October (01:00 UTC).
/// </summary>
public sealed class DaylightSavingTests
{
    private static readonly int Sunday = Mask(IsoDayOfWeek.Sunday);
    private readonly ScheduleResolver _resolver = new();

    private IReadOnlyList<TimelineSegment> Timeline(VenueSchedule schedule, string from, string zone = "Europe/London") =>
        _resolver.Timeline(schedule, Screen(zone), At(from));

    private static TimelineSegment? SegmentOf(IReadOnlyList<TimelineSegment> timeline, string playlist) =>
        timeline.SingleOrDefault(s => s.PlaylistId == playlist) is { PlaylistId: not null } found ? found : null;

    [Fact]
    public void Slot_starting_inside_the_spring_gap_starts_when_the_gap_ends()
    {
        var timeline = Timeline(Schedule(Slot("s", "p", "01:30", "03:00", mask: Sunday)), "2026-03-28T12:00:00Z");
        Assert.Equal(new TimelineSegment(At("2026-03-29T01:00:00Z"), At("2026-03-29T02:00:00Z"), "p"), SegmentOf(timeline, "p"));
    }

    [Fact]
    public void Slot_ending_inside_the_spring_gap_ends_when_the_gap_begins()
    {
        var timeline = Timeline(Schedule(Slot("s", "p", "00:00", "01:30", mask: Sunday)), "2026-03-28T12:00:00Z");
        Assert.Equal(new TimelineSegment(At("2026-03-29T00:00:00Z"), At("2026-03-29T01:00:00Z"), "p"), SegmentOf(timeline, "p"));
    }

    [Fact]
    public void Slot_wholly_inside_the_spring_gap_does_not_play_that_day()
    {
        var timeline = Timeline(Schedule(Slot("s", "p", "01:10", "01:40", mask: Sunday)), "2026-03-28T12:00:00Z");
        Assert.Equal([new TimelineSegment(At("2026-03-28T12:00:00Z"), At("2026-03-31T12:00:00Z"), null)], timeline);
    }

    [Fact]
    public void Slot_inside_the_repeated_hour_plays_once_not_twice()
    {
        var timeline = Timeline(Schedule(Slot("s", "p", "01:00", "01:30", mask: Sunday)), "2026-10-24T12:00:00Z");
        // 01:00–01:30 BST = 00:00–00:30 UTC; the second 01:00–01:30 (GMT) is not played again.
        Assert.Equal(new TimelineSegment(At("2026-10-25T00:00:00Z"), At("2026-10-25T00:30:00Z"), "p"), SegmentOf(timeline, "p"));
        Assert.Null(_resolver.Resolve(Schedule(Slot("s", "p", "01:00", "01:30", mask: Sunday)), Screen(), At("2026-10-25T01:10:00Z")).PlaylistId);
    }

    [Fact]
    public void Slot_starting_in_the_repeated_hour_runs_on_through_it_until_its_end()
    {
        var timeline = Timeline(Schedule(Slot("s", "p", "01:30", "02:00", mask: Sunday)), "2026-10-24T12:00:00Z");
        Assert.Equal(new TimelineSegment(At("2026-10-25T00:30:00Z"), At("2026-10-25T02:00:00Z"), "p"), SegmentOf(timeline, "p"));
    }

    [Fact]
    public void Fall_back_never_switches_back_to_a_slot_that_has_ended()
    {
        var schedule = Schedule(
            Slot("night", "p-night", "18:00", "01:30", mask: Mask(IsoDayOfWeek.Saturday)),
            Slot("early", "p-early", "01:30", "06:00", mask: Sunday));
        var timeline = Timeline(schedule, "2026-10-24T20:00:00Z");
        Assert.Equal(
        [
            new TimelineSegment(At("2026-10-24T20:00:00Z"), At("2026-10-25T00:30:00Z"), "p-night"),
            new TimelineSegment(At("2026-10-25T00:30:00Z"), At("2026-10-25T06:00:00Z"), "p-early"),
        ], timeline.Take(2));
        Assert.Single(timeline, s => s.PlaylistId == "p-night");
    }

    [Fact]
    public void Resolving_every_minute_through_the_overlap_never_oscillates()
    {
        var schedule = Schedule(Slot("a", "p-a", "00:00", "01:30"), Slot("b", "p-b", "01:30", "00:00"));
        var changes = 0;
        string? previous = null;
        for (var t = At("2026-10-24T22:00:00Z"); t < At("2026-10-25T04:00:00Z"); t += Duration.FromMinutes(1))
        {
            var playlist = _resolver.Resolve(schedule, Screen(), t).PlaylistId;
            if (previous is not null && playlist != previous) changes++;
            previous = playlist;
        }
        Assert.Equal(2, changes); // b → a at local midnight, a → b at the first 01:30
    }

    [Fact]
    public void Lord_Howe_half_hour_gap_starts_a_slot_when_the_gap_ends()
    {
        // 2026-10-04 02:00 +10:30 → 02:30 +11:00, i.e. 2026-10-03T15:30Z.
        var timeline = Timeline(Schedule(Slot("s", "p", "02:15", "03:00", mask: Sunday)), "2026-10-03T00:00:00Z", "Australia/Lord_Howe");
        Assert.Equal(new TimelineSegment(At("2026-10-03T15:30:00Z"), At("2026-10-03T16:00:00Z"), "p"), SegmentOf(timeline, "p"));
    }

    [Fact]
    public void ValidTo_before_a_spring_gap_points_at_the_gap_end()
    {
        var schedule = Schedule(Slot("s", "p", "01:30", "03:00", mask: Sunday));
        var resolution = _resolver.Resolve(schedule, Screen(), At("2026-03-29T00:30:00Z"));
        Assert.Equal((null, At("2026-03-29T01:00:00Z")), (resolution.PlaylistId, resolution.ValidToUtc));
    }

    [Fact]
    public void Every_zone_in_tzdb_resolves_across_its_transitions_without_throwing()
    {
        var schedule = Schedule(
            Slot("a", "p-a", "00:00", "01:30"), Slot("b", "p-b", "01:30", "02:30", priority: 1),
            Slot("c", "p-c", "02:00", "00:00"), Slot("d", "p-d", "23:30", "00:30", priority: 2));
        var year = new Interval(Instant.FromUtc(2026, 1, 1, 0, 0), Instant.FromUtc(2027, 1, 1, 0, 0));
        foreach (var id in DateTimeZoneProviders.Tzdb.Ids)
        {
            var zone = DateTimeZoneProviders.Tzdb[id];
            foreach (var interval in zone.GetZoneIntervals(year).Where(i => i.HasStart && i.Start > year.Start))
            {
                var screen = new ScreenTarget(Device, Group, zone);
                var before = interval.Start - Duration.FromHours(3);
                var resolution = _resolver.Resolve(schedule, screen, before);
                Assert.True(resolution.ValidToUtc > before, id);
                var timeline = _resolver.Timeline(schedule, screen, before);
                Assert.Equal(before, timeline[0].FromUtc);
                Assert.Equal(before + Duration.FromHours(72), timeline[^1].ToUtc);
                Assert.All(timeline.Zip(timeline.Skip(1)), pair => Assert.Equal(pair.First.ToUtc, pair.Second.FromUtc));
            }
        }
    }
}
