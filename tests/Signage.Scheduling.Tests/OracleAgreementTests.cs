using NodaTime;

namespace Signage.Scheduling.Tests;

/// <summary>
/// Property test: on thousands of random schedules, over 72 hours that cross a DST change, the
/// resolver's timeline and every validToUtc agree minute by minute with <see cref="BruteForceOracle"/>.
/// Seeds are fixed, so a failure names the seed that reproduces it.
/// </summary>
public sealed class OracleAgreementTests
{
    private const int SchedulesPerZone = 400;
    private static readonly Duration Minute = Duration.FromMinutes(1);

    public static TheoryData<string> Zones => new()
    {
        "Europe/London",
        "America/New_York",
        "Australia/Lord_Howe",  // 30-minute DST
        "America/St_Johns",     // -03:30 / -02:30
        "Australia/Adelaide",   // +09:30 / +10:30
        "Asia/Kathmandu",       // +05:45, no DST
    };

    [Theory]
    [MemberData(nameof(Zones))]
    public void Timeline_and_validTo_agree_with_the_brute_force_oracle(string zoneId)
    {
        var zone = DateTimeZoneProviders.Tzdb[zoneId];
        var resolver = new ScheduleResolver();
        for (var n = 0; n < SchedulesPerZone; n++)
        {
            var seed = HashCode.Combine(zoneId.Length, n) ^ (n * 7919);
            var random = new Random(seed);
            var start = StartNearTransition(zone, random);
            var slots = RandomSlots(random, start.InZone(zone).Date);
            var venueFallback = random.Next(3) == 0 ? "fb-venue" : null;
            var tenantDefault = random.Next(3) == 0 ? "fb-tenant" : null;
            var schedule = new VenueSchedule(slots, venueFallback, tenantDefault);
            var oracle = new BruteForceOracle(slots, venueFallback, tenantDefault, Build.Device, Build.Group, zone);
            var screen = new ScreenTarget(Build.Device, Build.Group, zone);
            var context = $"zone {zoneId}, schedule #{n} (seed {seed}), start {start}";

            // The oracle's answer for every minute of 72 h plus the maximum validity after it.
            var minutes = (int)(resolver.Options.TimelineHorizon + resolver.Options.MaxValidity).TotalMinutes;
            var expected = new string?[minutes];
            for (var i = 0; i < minutes; i++) expected[i] = oracle.PlaylistAt(start + Minute * i);

            AssertTimelineAgrees(resolver.Timeline(schedule, screen, start), expected, start, resolver.Options.TimelineHorizon, context);

            // validTo at every minute for one schedule in eight, at 40 random minutes for the rest.
            var horizonMinutes = (int)resolver.Options.TimelineHorizon.TotalMinutes;
            var maxValidity = (int)resolver.Options.MaxValidity.TotalMinutes;
            var checkedMinutes = n % 8 == 0 ? Enumerable.Range(0, horizonMinutes) : Enumerable.Range(0, 40).Select(_ => random.Next(horizonMinutes));
            foreach (var i in checkedMinutes)
            {
                var change = i + 1;
                while (change < Math.Min(i + maxValidity + 1, minutes) && expected[change] == expected[i]) change++;
                // Mid-minute instants resolve like the minute they fall in; validity is clamped to at + 6 h.
                var at = start + Minute * i + (random.Next(4) == 0 ? Duration.FromSeconds(random.Next(60)) : Duration.Zero);
                var validTo = Instant.Min(start + Minute * change, at + resolver.Options.MaxValidity);
                var resolution = resolver.Resolve(schedule, screen, at);
                Assert.True(expected[i] == resolution.PlaylistId, $"{context}: playlist at {at} was {resolution.PlaylistId}, oracle says {expected[i]}");
                Assert.True(validTo == resolution.ValidToUtc, $"{context}: validTo at {at} was {resolution.ValidToUtc}, oracle says {validTo}");
            }
        }
    }

    private static void AssertTimelineAgrees(IReadOnlyList<TimelineSegment> timeline, string?[] expected, Instant start, Duration horizon, string context)
    {
        Assert.Equal(start, timeline[0].FromUtc);
        Assert.Equal(start + horizon, timeline[^1].ToUtc);
        for (var s = 1; s < timeline.Count; s++)
        {
            Assert.Equal(timeline[s - 1].ToUtc, timeline[s].FromUtc);
            Assert.NotEqual(timeline[s - 1].PlaylistId, timeline[s].PlaylistId);
        }
        var segment = 0;
        for (var i = 0; i < (int)horizon.TotalMinutes; i++)
        {
            var t = start + Minute * i;
            while (timeline[segment].ToUtc <= t) segment++;
            Assert.True(expected[i] == timeline[segment].PlaylistId,
                $"{context}: timeline says {timeline[segment].PlaylistId} at {t}, oracle says {expected[i]}");
        }
    }

    /// <summary>A whole minute up to 72 h before one of the zone's transitions (any time for a zone with none).</summary>
    private static Instant StartNearTransition(DateTimeZone zone, Random random)
    {
        var year = 2024 + random.Next(4);
        var interval = new Interval(Instant.FromUtc(year, 1, 1, 0, 0), Instant.FromUtc(year + 1, 1, 1, 0, 0));
        var transitions = zone.GetZoneIntervals(interval).Where(i => i.HasStart && i.Start > interval.Start).Select(i => i.Start).ToList();
        var anchor = transitions.Count > 0 ? transitions[random.Next(transitions.Count)] : interval.Start + Duration.FromDays(random.Next(360));
        return anchor - Minute * random.Next(72 * 60);
    }

    private static readonly int[] InterestingMinutes = [0, 30, 60, 90, 120, 135, 150, 165, 180, 1320, 1380, 1410, 1439];
    private static readonly string[] Playlists = ["p1", "p2", "p3", "p4", "fb-venue"];

    private static List<ScheduleSlot> RandomSlots(Random random, LocalDate around)
    {
        var slots = new List<ScheduleSlot>();
        var count = 1 + random.Next(10);
        for (var i = 0; i < count; i++)
        {
            var (type, target) = random.Next(6) switch
            {
                0 => (SlotTargetType.Device, Build.Device),
                1 => (SlotTargetType.Device, "dev-2"),
                2 => (SlotTargetType.Group, "grp-2"),
                _ => (SlotTargetType.Group, Build.Group),
            };
            slots.Add(new ScheduleSlot
            {
                Id = $"s{random.Next(100):D2}-{i}",
                TargetType = type,
                TargetId = target,
                PlaylistId = Playlists[random.Next(Playlists.Length)],
                DaysOfWeekMask = random.Next(3) == 0 ? ScheduleSlot.EveryDay : 1 + random.Next(127),
                StartMinutes = TimeOfDay(random),
                EndMinutes = TimeOfDay(random),
                Priority = random.Next(3),
                ValidFrom = random.Next(4) == 0 ? around.PlusDays(random.Next(-2, 3)) : null,
                ValidTo = random.Next(4) == 0 ? around.PlusDays(random.Next(3, 6)) : null,
                Enabled = random.Next(10) != 0,
                UpdatedAt = Instant.FromUtc(2026, 1, 1, 0, 0) + Duration.FromMinutes(random.Next(3)),
            });
        }
        return slots;
    }

    private static int TimeOfDay(Random random) =>
        random.Next(2) == 0 ? InterestingMinutes[random.Next(InterestingMinutes.Length)] : random.Next(ScheduleSlot.MinutesPerDay);
}
