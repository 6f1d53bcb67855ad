using BenchmarkDotNet.Attributes;
using NodaTime;

namespace Signage.Scheduling.Benchmarks;

/// <summary>
/// A large venue: 1,000 published slots over 50 groups (20 each), plus 5 slots aimed at the
/// screen itself, in Europe/London. Targets (issue 2): one resolution under 20 µs, one 72-hour
/// timeline under 1 ms. <see cref="Groups"/> = 1 is the worst case: all 1,000 slots aim at the
/// screen's own group.
/// </summary>
[MemoryDiagnoser]
public class ResolverBenchmarks
{
    private readonly ScheduleResolver _resolver = new();
    private List<ScheduleSlot> _slots = null!;
    private VenueSchedule _schedule = null!;
    private ScreenTarget _screen;
    private Instant _now;

    /// <summary>An ordinary weekday afternoon, and the eve of the autumn DST change.</summary>
    [Params("2026-11-18T15:37:00Z", "2026-10-24T22:00:00Z")]
    public string Now { get; set; } = "";

    [Params(50, 1)]
    public int Groups { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _slots = [];
        for (var i = 0; i < 1000; i++) _slots.Add(RandomSlot(random, $"slot-{i:D4}", SlotTargetType.Group, $"group-{i % Groups:D2}"));
        for (var i = 0; i < 5; i++) _slots.Add(RandomSlot(random, $"dev-slot-{i}", SlotTargetType.Device, "screen-1"));
        _schedule = new VenueSchedule(_slots, "fallback");
        _screen = new ScreenTarget("screen-1", Groups == 1 ? "group-00" : "group-07", DateTimeZoneProviders.Tzdb["Europe/London"]);
        _now = NodaTime.Text.InstantPattern.ExtendedIso.Parse(Now).Value;
    }

    [Benchmark]
    public Resolution Resolve() => _resolver.Resolve(_schedule, _screen, _now);

    [Benchmark]
    public IReadOnlyList<TimelineSegment> Timeline72Hours() => _resolver.Timeline(_schedule, _screen, _now);

    /// <summary>Done once per publish, not per request; shown for scale.</summary>
    [Benchmark]
    public VenueSchedule CompileSchedule() => new(_slots, "fallback");

    private static ScheduleSlot RandomSlot(Random random, string id, SlotTargetType type, string target) => new()
    {
        Id = id,
        TargetType = type,
        TargetId = target,
        PlaylistId = $"playlist-{random.Next(30)}",
        DaysOfWeekMask = 1 + random.Next(127),
        StartMinutes = random.Next(96) * 15,
        EndMinutes = random.Next(96) * 15,
        Priority = random.Next(5),
        UpdatedAt = Instant.FromUtc(2026, 1, 1, 0, 0) + Duration.FromMinutes(random.Next(100_000)),
    };
}
