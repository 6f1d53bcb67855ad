using Microsoft.Data.Sqlite;
using NodaTime;
using NodaTime.Text;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Scheduling;
using Signage.Web.Problems;

namespace Signage.Appliance.Schedules;

/// <summary>The schedule feature's SQL: the venue's draft slots, published versions, and the
/// published schedule compiled for the resolver.</summary>
public static class ScheduleStore
{
    private const string SlotColumns = """
        slot_id, target_type, target_id, playlist_id, days_of_week_mask, start_minutes, end_minutes, priority,
        valid_from_date, valid_to_date, enabled, updated_at_utc
        """;

    public sealed record SetHeader(string VenueId, long DraftVersion, long? PublishedVersion)
    {
        public string ETag => Concurrency.ETag("scheduleset", VenueId, DraftVersion);
    }

    /// <summary>The venue's schedule set, created empty on first use.</summary>
    public static SetHeader LoadSet(SqliteConnection connection, SqliteTransaction? transaction, string venueId, Instant now)
    {
        connection.Execute("INSERT OR IGNORE INTO schedule_set (venue_id, updated_at_utc) VALUES ($venue, $now);", transaction,
            ("$venue", venueId), ("$now", Sql.Utc(now)));
        return connection.QuerySingle("SELECT draft_version, published_version FROM schedule_set WHERE venue_id = $venue;", transaction,
            r => new SetHeader(venueId, r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1)), ("$venue", venueId))!;
    }

    public static void TouchSet(SqliteConnection connection, SqliteTransaction transaction, string venueId, Instant now) =>
        connection.Execute("UPDATE schedule_set SET draft_version = draft_version + 1, updated_at_utc = $now WHERE venue_id = $venue;", transaction,
            ("$now", Sql.Utc(now)), ("$venue", venueId));

    public static List<SlotResponse> DraftSlots(SqliteConnection connection, SqliteTransaction? transaction, string venueId) =>
        connection.Query($"SELECT {SlotColumns} FROM schedule_slot WHERE venue_id = $venue ORDER BY start_minutes, slot_id;", transaction, MapSlot, ("$venue", venueId));

    public static List<SlotResponse> PublishedSlots(SqliteConnection connection, SqliteTransaction? transaction, string venueId, long version) =>
        connection.Query($"SELECT {SlotColumns} FROM schedule_published_slot WHERE venue_id = $venue AND version = $version ORDER BY start_minutes, slot_id;",
            transaction, MapSlot, ("$venue", venueId), ("$version", version));

    public static void InsertDraftSlot(SqliteConnection connection, SqliteTransaction transaction, string venueId, string slotId, SlotRequest slot, string now) =>
        connection.Execute($"""
            INSERT INTO schedule_slot ({SlotColumns}, venue_id, created_at_utc)
            VALUES ($slot, $type, $target, $playlist, $mask, $start, $end, $priority, $from, $to, $enabled, $now, $venue, $now);
            """, transaction, SlotParameters(venueId, slotId, slot, now));

    public static (string, object?)[] SlotParameters(string venueId, string slotId, SlotRequest slot, string now) =>
    [
        ("$slot", slotId), ("$type", slot.TargetType), ("$target", slot.TargetId), ("$playlist", slot.PlaylistId), ("$mask", slot.DaysOfWeekMask),
        ("$start", slot.StartMinutes), ("$end", slot.EndMinutes), ("$priority", slot.Priority), ("$from", slot.ValidFromDate), ("$to", slot.ValidToDate),
        ("$enabled", slot.Enabled ? 1 : 0), ("$now", now), ("$venue", venueId),
    ];

    /// <summary>The published schedule, its fallbacks and the effective zones, ready for the resolver.</summary>
    public sealed record Published(VenueSchedule Schedule, long? Version, string? VenueZone, string? TenantZone);

    public static Published LoadPublished(SqliteConnection connection, SqliteTransaction? transaction, string venueId)
    {
        var venue = connection.QuerySingle("""
            SELECT v.timezone, t.default_timezone, s.published_version,
                   (SELECT p.playlist_id FROM playlist p WHERE p.playlist_id = v.fallback_playlist_id AND p.published_version IS NOT NULL),
                   (SELECT p.playlist_id FROM playlist p WHERE p.playlist_id = t.default_playlist_id AND p.published_version IS NOT NULL)
            FROM venue v JOIN tenant t ON t.tenant_id = v.tenant_id LEFT JOIN schedule_set s ON s.venue_id = v.venue_id
            WHERE v.venue_id = $venue;
            """, transaction,
            r => new { VenueZone = r.GetString(0), TenantZone = r.NullableString(1), Version = r.IsDBNull(2) ? (long?)null : r.GetInt64(2),
                VenueFallback = r.NullableString(3), TenantDefault = r.NullableString(4) },
            ("$venue", venueId))!;
        var slots = venue.Version is { } version ? PublishedSlots(connection, transaction, venueId, version).Select(ToResolverSlot) : [];
        return new Published(new VenueSchedule(slots, venue.VenueFallback, venue.TenantDefault), venue.Version, venue.VenueZone, venue.TenantZone);
    }

    /// <summary>The resolver's view of a slot; dates that do not parse become null (validated on save).</summary>
    public static ScheduleSlot ToResolverSlot(SlotResponse slot) => ToResolverSlot(slot.SlotId, new SlotRequest(slot.TargetType, slot.TargetId, slot.PlaylistId,
        slot.DaysOfWeekMask, slot.StartMinutes, slot.EndMinutes, slot.Priority, slot.ValidFromDate, slot.ValidToDate, slot.Enabled), Sql.ParseUtc(slot.UpdatedAtUtc));

    public static ScheduleSlot ToResolverSlot(string slotId, SlotRequest slot, Instant updatedAt) => new()
    {
        Id = slotId,
        TargetType = slot.TargetType == "DEVICE" ? SlotTargetType.Device : SlotTargetType.Group,
        TargetId = slot.TargetId,
        PlaylistId = slot.PlaylistId,
        DaysOfWeekMask = slot.DaysOfWeekMask,
        StartMinutes = slot.StartMinutes,
        EndMinutes = slot.EndMinutes,
        Priority = slot.Priority,
        ValidFrom = ParseDate(slot.ValidFromDate),
        ValidTo = ParseDate(slot.ValidToDate),
        Enabled = slot.Enabled,
        UpdatedAt = updatedAt,
    };

    private static LocalDate? ParseDate(string? text) =>
        text is not null && LocalDatePattern.Iso.Parse(text) is { Success: true } parsed ? parsed.Value : null;

    private static SlotResponse MapSlot(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4),
        r.GetInt32(5), r.GetInt32(6), r.GetInt32(7), r.NullableString(8), r.NullableString(9), r.GetInt64(10) == 1, r.GetString(11));
}
