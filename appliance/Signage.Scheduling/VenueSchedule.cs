namespace Signage.Scheduling;

/// <summary>
/// A venue's published schedule, compiled once for fast resolution (spec 31.7: cache published
/// schedules): slots indexed by target and ranked by precedence, plus the fallback chain.
/// Immutable and safe to share between threads.
/// </summary>
public sealed class VenueSchedule
{
    private static readonly CompiledSlot[] NoSlots = [];

    private readonly Dictionary<string, CompiledSlot[]> _deviceSlots;
    private readonly Dictionary<string, CompiledSlot[]> _groupSlots;

    public VenueSchedule(IEnumerable<ScheduleSlot> slots, string? venueFallbackPlaylistId = null, string? tenantDefaultPlaylistId = null)
    {
        ArgumentNullException.ThrowIfNull(slots);
        VenueFallbackPlaylistId = venueFallbackPlaylistId;
        TenantDefaultPlaylistId = tenantDefaultPlaylistId;

        var usable = new List<ScheduleSlot>();
        var ignored = new List<string>();
        foreach (var slot in slots)
        {
            if (!slot.Enabled) continue;
            // Publishing validates slots; one that slipped through is skipped, never thrown on,
            // because a resolver failure must not blank a screen (spec 31.9).
            if (slot.Validate().Count > 0) { ignored.Add(slot.Id); continue; }
            usable.Add(slot);
        }
        IgnoredSlotIds = ignored;

        usable.Sort(Precedence);
        var compiled = usable.Select((slot, rank) => new CompiledSlot(slot, rank)).ToList();
        _deviceSlots = Index(compiled, SlotTargetType.Device);
        _groupSlots = Index(compiled, SlotTargetType.Group);
    }

    public string? VenueFallbackPlaylistId { get; }

    public string? TenantDefaultPlaylistId { get; }

    /// <summary>Enabled slots that failed validation and are therefore not in force.</summary>
    public IReadOnlyList<string> IgnoredSlotIds { get; }

    /// <summary>
    /// Spec 31.4: DEVICE before GROUP, then higher priority, then most recently updated, then
    /// the smaller id (ordinal) so the order is total and the answer deterministic.
    /// </summary>
    public static Comparison<ScheduleSlot> Precedence { get; } = (a, b) =>
    {
        var byTarget = ((int)a.TargetType).CompareTo((int)b.TargetType);
        if (byTarget != 0) return byTarget;
        var byPriority = b.Priority.CompareTo(a.Priority);
        if (byPriority != 0) return byPriority;
        var byUpdated = b.UpdatedAt.CompareTo(a.UpdatedAt);
        if (byUpdated != 0) return byUpdated;
        return string.CompareOrdinal(a.Id, b.Id);
    };

    /// <summary>No slots, no fallback. Declared after <see cref="Precedence"/>, which it needs.</summary>
    public static VenueSchedule Empty { get; } = new([]);

    internal CompiledSlot[] SlotsForDevice(string deviceId) =>
        _deviceSlots.GetValueOrDefault(deviceId, NoSlots);

    internal CompiledSlot[] SlotsForGroup(string? groupId) =>
        groupId is null ? NoSlots : _groupSlots.GetValueOrDefault(groupId, NoSlots);

    private static Dictionary<string, CompiledSlot[]> Index(List<CompiledSlot> compiled, SlotTargetType type) =>
        compiled.Where(c => c.Slot.TargetType == type)
            .GroupBy(c => c.Slot.TargetId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
}

/// <summary>A slot with its precedence rank (lower wins) and its times pre-converted to ticks.</summary>
internal sealed class CompiledSlot(ScheduleSlot slot, int rank)
{
    public ScheduleSlot Slot { get; } = slot;

    public int Rank { get; } = rank;

    /// <summary>Start, as ticks after the local midnight of the day the slot starts on.</summary>
    public long StartOffsetTicks { get; } = slot.StartMinutes * TimeSpan.TicksPerMinute;

    /// <summary>End, as ticks after the same midnight: a wrapping slot ends on the next day.</summary>
    public long EndOffsetTicks { get; } =
        (slot.EndMinutes + (slot.WrapsMidnight ? ScheduleSlot.MinutesPerDay : 0)) * TimeSpan.TicksPerMinute;

    public int FirstDay { get; } = slot.ValidFrom?.ToDateOnly().DayNumber ?? int.MinValue;

    public int LastDay { get; } = slot.ValidTo?.ToDateOnly().DayNumber ?? int.MaxValue;

    public int DaysOfWeekMask { get; } = slot.DaysOfWeekMask;
}
