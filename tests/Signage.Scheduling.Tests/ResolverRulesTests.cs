using NodaTime;
using static Signage.Scheduling.Tests.Build;

namespace Signage.Scheduling.Tests;

/// <summary>One test per rule of spec 30–31. January in London is UTC, so UTC = local time here.
/// 2026-01-05 is a Monday.</summary>
public sealed class ResolverRulesTests
{
    private readonly ScheduleResolver _resolver = new();

    private string? PlaylistAt(VenueSchedule schedule, string instant, ScreenTarget? screen = null) =>
        _resolver.Resolve(schedule, screen ?? Screen(), At(instant)).PlaylistId;

    [Fact]
    public void Mask_bit_zero_is_monday_and_bit_six_is_sunday()
    {
        var schedule = Schedule(
            Slot("mon", "p-mon", "00:00", "00:00", mask: 1),
            Slot("sun", "p-sun", "00:00", "00:00", mask: 1 << 6));
        Assert.Equal("p-mon", PlaylistAt(schedule, "2026-01-05T12:00:00Z"));
        Assert.Equal("p-sun", PlaylistAt(schedule, "2026-01-11T12:00:00Z"));
        Assert.Null(PlaylistAt(schedule, "2026-01-07T12:00:00Z"));
    }

    [Fact]
    public void Start_is_inclusive_and_end_is_exclusive()
    {
        var schedule = Schedule(Slot("s", "p", "09:00", "17:00"));
        Assert.Null(PlaylistAt(schedule, "2026-01-05T08:59:59Z"));
        Assert.Equal("p", PlaylistAt(schedule, "2026-01-05T09:00:00Z"));
        Assert.Equal("p", PlaylistAt(schedule, "2026-01-05T16:59:59Z"));
        Assert.Null(PlaylistAt(schedule, "2026-01-05T17:00:00Z"));
    }

    [Fact]
    public void Wrapping_slot_after_midnight_belongs_to_the_weekday_it_started_on()
    {
        // Friday only, 21:00–02:00: on Saturday 01:00 it is still Friday's slot; Friday 01:00 it is not.
        var schedule = Schedule(Slot("late", "p-late", "21:00", "02:00", mask: Mask(IsoDayOfWeek.Friday)));
        Assert.Equal("p-late", PlaylistAt(schedule, "2026-01-09T21:00:00Z"));
        Assert.Equal("p-late", PlaylistAt(schedule, "2026-01-10T01:59:00Z"));
        Assert.Null(PlaylistAt(schedule, "2026-01-10T02:00:00Z"));
        Assert.Null(PlaylistAt(schedule, "2026-01-09T01:00:00Z"));
        Assert.Null(PlaylistAt(schedule, "2026-01-10T21:00:00Z"));
    }

    [Fact]
    public void Wrapping_slot_after_midnight_belongs_to_the_date_range_of_the_day_it_started_on()
    {
        var endsFriday = Schedule(Slot("late", "p", "21:00", "02:00", to: "2026-01-09"));
        Assert.Equal("p", PlaylistAt(endsFriday, "2026-01-10T01:00:00Z"));
        Assert.Null(PlaylistAt(endsFriday, "2026-01-10T21:00:00Z"));

        var startsSaturday = Schedule(Slot("late", "p", "21:00", "02:00", from: "2026-01-10"));
        Assert.Null(PlaylistAt(startsSaturday, "2026-01-10T01:00:00Z"));
        Assert.Equal("p", PlaylistAt(startsSaturday, "2026-01-10T21:00:00Z"));
    }

    [Fact]
    public void Equal_start_and_end_means_twenty_four_hours()
    {
        var schedule = Schedule(Slot("all", "p", "06:00", "06:00", mask: Mask(IsoDayOfWeek.Monday)));
        Assert.Null(PlaylistAt(schedule, "2026-01-05T05:59:00Z"));
        Assert.Equal("p", PlaylistAt(schedule, "2026-01-05T06:00:00Z"));
        Assert.Equal("p", PlaylistAt(schedule, "2026-01-06T05:59:00Z"));
        Assert.Null(PlaylistAt(schedule, "2026-01-06T06:00:00Z"));
    }

    [Fact]
    public void Date_range_is_inclusive_at_both_ends()
    {
        var schedule = Schedule(Slot("s", "p", "09:00", "17:00", from: "2026-01-06", to: "2026-01-07"));
        Assert.Null(PlaylistAt(schedule, "2026-01-05T10:00:00Z"));
        Assert.Equal("p", PlaylistAt(schedule, "2026-01-06T10:00:00Z"));
        Assert.Equal("p", PlaylistAt(schedule, "2026-01-07T10:00:00Z"));
        Assert.Null(PlaylistAt(schedule, "2026-01-08T10:00:00Z"));
    }

    [Fact]
    public void Device_slot_beats_group_slot_even_with_lower_priority()
    {
        var schedule = Schedule(
            Slot("g", "p-group", "00:00", "00:00", priority: 100),
            Slot("d", "p-device", "00:00", "00:00", type: SlotTargetType.Device, target: Device, priority: 0));
        Assert.Equal("p-device", PlaylistAt(schedule, "2026-01-05T12:00:00Z"));
    }

    [Fact]
    public void Higher_priority_wins_within_the_same_target_type()
    {
        var schedule = Schedule(
            Slot("a", "p-low", "00:00", "00:00", priority: 1),
            Slot("b", "p-high", "00:00", "00:00", priority: 5));
        Assert.Equal("p-high", PlaylistAt(schedule, "2026-01-05T12:00:00Z"));
    }

    [Fact]
    public void Most_recently_updated_wins_a_priority_tie()
    {
        var schedule = Schedule(
            Slot("a", "p-new", "00:00", "00:00", updated: 10),
            Slot("b", "p-old", "00:00", "00:00", updated: 5));
        Assert.Equal("p-new", PlaylistAt(schedule, "2026-01-05T12:00:00Z"));
    }

    [Fact]
    public void Smaller_id_wins_a_full_tie_whatever_the_input_order()
    {
        var first = Schedule(Slot("b", "p-b", "00:00", "00:00"), Slot("a", "p-a", "00:00", "00:00"));
        var second = Schedule(Slot("a", "p-a", "00:00", "00:00"), Slot("b", "p-b", "00:00", "00:00"));
        Assert.Equal("p-a", PlaylistAt(first, "2026-01-05T12:00:00Z"));
        Assert.Equal("p-a", PlaylistAt(second, "2026-01-05T12:00:00Z"));
    }

    [Fact]
    public void Disabled_slots_and_other_targets_are_ignored()
    {
        var schedule = Schedule(
            Slot("off", "p-off", "00:00", "00:00", enabled: false, priority: 9),
            Slot("other-group", "p-other", "00:00", "00:00", target: "grp-2", priority: 9),
            Slot("other-device", "p-other-dev", "00:00", "00:00", type: SlotTargetType.Device, target: "dev-2"),
            Slot("mine", "p-mine", "00:00", "00:00"));
        Assert.Equal("p-mine", PlaylistAt(schedule, "2026-01-05T12:00:00Z"));
    }

    [Fact]
    public void Screen_without_a_group_sees_only_its_device_slots()
    {
        var schedule = Schedule(Slot("g", "p-group", "00:00", "00:00"));
        Assert.Null(PlaylistAt(schedule, "2026-01-05T12:00:00Z", Screen(group: null)));
    }

    [Fact]
    public void Fallback_chain_is_venue_fallback_then_tenant_default_then_nothing()
    {
        var slot = Slot("s", "p", "09:00", "17:00");
        var at = At("2026-01-05T20:00:00Z");

        var both = _resolver.Resolve(new VenueSchedule([slot], "venue-fb", "tenant-def"), Screen(), at);
        Assert.Equal(("venue-fb", ResolutionSource.VenueFallback), (both.PlaylistId, both.Source));

        var tenantOnly = _resolver.Resolve(new VenueSchedule([slot], null, "tenant-def"), Screen(), at);
        Assert.Equal(("tenant-def", ResolutionSource.TenantDefault), (tenantOnly.PlaylistId, tenantOnly.Source));

        var none = _resolver.Resolve(new VenueSchedule([slot]), Screen(), at);
        Assert.Equal((null, ResolutionSource.None), (none.PlaylistId, none.Source));

        var inSlot = _resolver.Resolve(new VenueSchedule([slot], "venue-fb"), Screen(), At("2026-01-05T10:00:00Z"));
        Assert.Equal(("p", ResolutionSource.Slot, "s"), (inSlot.PlaylistId, inSlot.Source, inSlot.SlotId));
    }

    [Fact]
    public void ValidTo_is_the_next_instant_the_playlist_changes()
    {
        var schedule = Schedule(Slot("s", "p", "09:00", "17:00"));
        Assert.Equal(At("2026-01-05T09:00:00Z"), _resolver.Resolve(schedule, Screen(), At("2026-01-05T08:00:00Z")).ValidToUtc);
        Assert.Equal(At("2026-01-05T17:00:00Z"), _resolver.Resolve(schedule, Screen(), At("2026-01-05T12:00:00Z")).ValidToUtc);
    }

    [Fact]
    public void ValidTo_skips_a_boundary_where_the_same_playlist_carries_on()
    {
        var schedule = Schedule(Slot("a", "p", "09:00", "12:00"), Slot("b", "p", "12:00", "14:00"));
        Assert.Equal(At("2026-01-05T14:00:00Z"), _resolver.Resolve(schedule, Screen(), At("2026-01-05T10:00:00Z")).ValidToUtc);
    }

    [Fact]
    public void ValidTo_is_clamped_to_the_maximum_validity()
    {
        var schedule = Schedule(Slot("s", "p", "00:00", "00:00"));
        var now = At("2026-01-05T10:00:00Z");
        Assert.Equal(now + Duration.FromHours(6), _resolver.Resolve(schedule, Screen(), now).ValidToUtc);

        var shortResolver = new ScheduleResolver(new ResolverOptions { MaxValidity = Duration.FromMinutes(30) });
        Assert.Equal(now + Duration.FromMinutes(30), shortResolver.Resolve(schedule, Screen(), now).ValidToUtc);
    }

    [Fact]
    public void Higher_priority_slot_starting_later_ends_the_validity()
    {
        var schedule = Schedule(Slot("base", "p-base", "00:00", "00:00"), Slot("promo", "p-promo", "12:00", "13:00", priority: 5));
        var at = _resolver.Resolve(schedule, Screen(), At("2026-01-05T10:00:00Z"));
        Assert.Equal(("p-base", At("2026-01-05T12:00:00Z")), (at.PlaylistId, at.ValidToUtc));
    }

    [Fact]
    public void Timeline_covers_72_hours_in_contiguous_segments_that_change_playlist()
    {
        var schedule = new VenueSchedule([Slot("s", "p", "09:00", "17:00", mask: Mask(IsoDayOfWeek.Monday, IsoDayOfWeek.Tuesday))], "fb");
        var now = At("2026-01-05T08:00:00Z");
        var timeline = _resolver.Timeline(schedule, Screen(), now);

        Assert.Equal(
        [
            new TimelineSegment(now, At("2026-01-05T09:00:00Z"), "fb"),
            new TimelineSegment(At("2026-01-05T09:00:00Z"), At("2026-01-05T17:00:00Z"), "p"),
            new TimelineSegment(At("2026-01-05T17:00:00Z"), At("2026-01-06T09:00:00Z"), "fb"),
            new TimelineSegment(At("2026-01-06T09:00:00Z"), At("2026-01-06T17:00:00Z"), "p"),
            new TimelineSegment(At("2026-01-06T17:00:00Z"), now + Duration.FromHours(72), "fb"),
        ], timeline);
    }

    [Fact]
    public void Same_inputs_give_identical_answers()
    {
        var slots = new[] { Slot("a", "p1", "09:00", "17:00"), Slot("b", "p2", "12:00", "02:00", priority: 1) };
        var now = At("2026-01-05T11:30:00Z");
        Assert.Equal(_resolver.Resolve(new VenueSchedule(slots), Screen(), now), _resolver.Resolve(new VenueSchedule(slots.Reverse()), Screen(), now));
        Assert.Equal(_resolver.Timeline(new VenueSchedule(slots), Screen(), now), _resolver.Timeline(new VenueSchedule(slots.Reverse()), Screen(), now));
    }

    [Fact]
    public void Invalid_slot_is_ignored_and_reported_not_thrown()
    {
        var bad = Slot("bad", "p-bad", "09:00", "17:00") with { StartMinutes = 2000 };
        var schedule = new VenueSchedule([bad, Slot("ok", "p-ok", "00:00", "00:00")]);
        Assert.Equal(["bad"], schedule.IgnoredSlotIds);
        Assert.Equal("p-ok", PlaylistAt(schedule, "2026-01-05T10:00:00Z"));
    }

    [Fact]
    public void Venue_time_zone_decides_the_local_time_of_day()
    {
        // 09:00–17:00 in New York is 14:00–22:00 UTC in January.
        var schedule = Schedule(Slot("s", "p", "09:00", "17:00"));
        Assert.Null(PlaylistAt(schedule, "2026-01-05T13:59:00Z", Screen("America/New_York")));
        Assert.Equal("p", PlaylistAt(schedule, "2026-01-05T14:00:00Z", Screen("America/New_York")));
        Assert.Equal("p", PlaylistAt(schedule, "2026-01-05T21:59:00Z", Screen("America/New_York")));
    }
}
