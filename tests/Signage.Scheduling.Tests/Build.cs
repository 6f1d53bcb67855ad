using NodaTime;
using NodaTime.Text;

namespace Signage.Scheduling.Tests;

/// <summary>Terse builders for schedule tests: times as "HH:mm", instants as ISO strings.</summary>
internal static class Build
{
    public const string Device = "dev-1";
    public const string Group = "grp-1";

    public static ScheduleSlot Slot(string id, string playlist, string start, string end,
        int mask = ScheduleSlot.EveryDay, SlotTargetType type = SlotTargetType.Group, string target = Group,
        int priority = 0, string? from = null, string? to = null, bool enabled = true, int updated = 0) => new()
    {
        Id = id,
        PlaylistId = playlist,
        TargetType = type,
        TargetId = target,
        DaysOfWeekMask = mask,
        StartMinutes = Minutes(start),
        EndMinutes = Minutes(end),
        Priority = priority,
        ValidFrom = from is null ? null : LocalDatePattern.Iso.Parse(from).Value,
        ValidTo = to is null ? null : LocalDatePattern.Iso.Parse(to).Value,
        Enabled = enabled,
        UpdatedAt = Instant.FromUtc(2026, 1, 1, 0, 0) + Duration.FromMinutes(updated),
    };

    public static int Minutes(string hhmm) => int.Parse(hhmm[..2]) * 60 + int.Parse(hhmm[3..]);

    public static Instant At(string isoInstant) => InstantPattern.ExtendedIso.Parse(isoInstant).Value;

    public static ScreenTarget Screen(string zone = "Europe/London", string device = Device, string? group = Group) =>
        new(device, group, DateTimeZoneProviders.Tzdb[zone]);

    public static VenueSchedule Schedule(params ScheduleSlot[] slots) => new(slots);

    public static int Mask(params IsoDayOfWeek[] days) => days.Aggregate(0, (mask, d) => mask | ScheduleSlot.DayBit(d));
}
