using NodaTime;

namespace Signage.Scheduling;

/// <summary>Whom a slot applies to. The numeric values are persisted: never renumber.</summary>
public enum SlotTargetType
{
    Device = 0,
    Group = 1,
}

/// <summary>
/// One published schedule slot (spec 26.8): a playlist for a device or a group, on some weekdays,
/// between two venue-local times of day, optionally within a local date range.
/// </summary>
public sealed record ScheduleSlot
{
    /// <summary>All seven days: bit 0 = Monday … bit 6 = Sunday (ISO order).</summary>
    public const int EveryDay = 0b111_1111;

    public const int MinutesPerDay = 24 * 60;

    public required string Id { get; init; }

    public required SlotTargetType TargetType { get; init; }

    public required string TargetId { get; init; }

    public required string PlaylistId { get; init; }

    /// <summary>Bit 0 = Monday … bit 6 = Sunday; 127 = every day.</summary>
    public int DaysOfWeekMask { get; init; } = EveryDay;

    /// <summary>Start, in minutes since local midnight (0–1439), inclusive.</summary>
    public required int StartMinutes { get; init; }

    /// <summary>End, in minutes since local midnight (0–1439), exclusive. End &lt;= start wraps past midnight.</summary>
    public required int EndMinutes { get; init; }

    /// <summary>Higher wins.</summary>
    public int Priority { get; init; }

    /// <summary>First local date on which the slot may start (inclusive).</summary>
    public LocalDate? ValidFrom { get; init; }

    /// <summary>Last local date on which the slot may start (inclusive).</summary>
    public LocalDate? ValidTo { get; init; }

    public bool Enabled { get; init; } = true;

    /// <summary>When the slot was last edited; the more recent wins a priority tie.</summary>
    public Instant UpdatedAt { get; init; }

    /// <summary>
    /// A slot whose end is not after its start runs past midnight; end == start means 24 hours.
    /// The part after midnight belongs to the day the slot started on.
    /// </summary>
    public bool WrapsMidnight => EndMinutes <= StartMinutes;

    public static int DayBit(IsoDayOfWeek day) => 1 << ((int)day - 1);

    /// <summary>Every reason this slot cannot be published, in words a venue manager understands.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Id)) errors.Add("Slot id is required.");
        if (string.IsNullOrWhiteSpace(TargetId)) errors.Add("Target id is required.");
        if (string.IsNullOrWhiteSpace(PlaylistId)) errors.Add("Playlist id is required.");
        if (!Enum.IsDefined(TargetType)) errors.Add("Target type must be DEVICE or GROUP.");
        if (DaysOfWeekMask is < 1 or > EveryDay) errors.Add("Days of week must name at least one day (mask 1–127).");
        if (StartMinutes is < 0 or >= MinutesPerDay) errors.Add("Start must be between 00:00 and 23:59 (0–1439 minutes).");
        if (EndMinutes is < 0 or >= MinutesPerDay) errors.Add("End must be between 00:00 and 23:59 (0–1439 minutes).");
        if (ValidFrom is { } from && ValidTo is { } to && to < from) errors.Add("The date range ends before it starts.");
        return errors;
    }
}
