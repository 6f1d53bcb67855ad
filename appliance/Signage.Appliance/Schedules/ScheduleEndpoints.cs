using System.Globalization;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Campaigns;
using Signage.Appliance.Data;
using Signage.Appliance.Player;
using Signage.Appliance.Playlists;
using Signage.Appliance.Venues;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Schedules;

/// <summary>
/// The venue's schedule set (spec 7, 26.8, 27.6, 27.9): draft slots edited under one If-Match
/// (the set's ETag, so two editors cannot interleave changes unseen), published as an immutable
/// numbered version, rolled back as a new version.
/// </summary>
public static class ScheduleEndpoints
{
    public static IEndpointRouteBuilder MapSchedules(this IEndpointRouteBuilder app)
    {
        var set = app.MapGroup("/v1/venues/{venueId}/scheduleset");
        set.MapGet("", Get).RequireVenueRole(VenueRank.Viewer);
        set.MapPost("/slots", AddSlot).RequireVenueRole(VenueRank.Editor);
        set.MapPut("/slots/{slotId}", UpdateSlot).RequireVenueRole(VenueRank.Editor);
        set.MapDelete("/slots/{slotId}", DeleteSlot).RequireVenueRole(VenueRank.Editor);
        set.MapPost("/publish", Publish).RequireVenueRole(VenueRank.Manager).ChangesPlayback();
        set.MapGet("/versions", Versions).RequireVenueRole(VenueRank.Viewer);
        set.MapPost("/rollback", Rollback).RequireVenueRole(VenueRank.Manager).ChangesPlayback();
        app.MapGet("/v1/venues/{venueId}/publishes", Publishes).RequireVenueRole(VenueRank.Viewer);
        return app;
    }

    private static async Task<IResult> Get(string venueId, HttpContext http, Database database, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        return Current(http, connection, venueId, clock);
    }

    internal static Task<IResult> AddSlot(string venueId, SlotRequest request, HttpContext http, Database database, IClock clock) =>
        EditAsync(venueId, http, database, clock, (connection, transaction, now) =>
        {
            if (Validate(connection, transaction, venueId, request) is { Count: > 0 } errors) return ProblemResponses.Invalid(errors);
            ScheduleStore.InsertDraftSlot(connection, transaction, venueId, Ids.New("slot"), request, Sql.Utc(now));
            return null;
        });

    internal static Task<IResult> UpdateSlot(string venueId, string slotId, SlotRequest request, HttpContext http, Database database, IClock clock) =>
        EditAsync(venueId, http, database, clock, (connection, transaction, now) =>
        {
            if (!SlotExists(connection, transaction, venueId, slotId)) return Authentication.NotFound("slot");
            if (Validate(connection, transaction, venueId, request) is { Count: > 0 } errors) return ProblemResponses.Invalid(errors);
            connection.Execute("""
                UPDATE schedule_slot SET target_type = $type, target_id = $target, playlist_id = $playlist, days_of_week_mask = $mask,
                    start_minutes = $start, end_minutes = $end, priority = $priority, valid_from_date = $from, valid_to_date = $to,
                    enabled = $enabled, updated_at_utc = $now
                WHERE slot_id = $slot AND venue_id = $venue;
                """, transaction, ScheduleStore.SlotParameters(venueId, slotId, request, Sql.Utc(now)));
            return null;
        });

    internal static Task<IResult> DeleteSlot(string venueId, string slotId, HttpContext http, Database database, IClock clock) =>
        EditAsync(venueId, http, database, clock, (connection, transaction, _) =>
        {
            if (!SlotExists(connection, transaction, venueId, slotId)) return Authentication.NotFound("slot");
            connection.Execute("DELETE FROM schedule_slot WHERE slot_id = $slot AND venue_id = $venue;", transaction, ("$slot", slotId), ("$venue", venueId));
            return null;
        });

    internal static async Task<IResult> Publish(string venueId, HttpContext http, Database database, Caller caller, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, PlaylistEndpoints.PublishPerTenant, caller.TenantId) is { } refused) return refused;
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var set = ScheduleStore.LoadSet(connection, transaction, venueId, now);
        if (Concurrency.Check(http, set.ETag) is { } precondition) return precondition;
        var slots = ScheduleStore.DraftSlots(connection, transaction, venueId);
        if (Unpublishable(connection, transaction, venueId, slots) is { } problem) return problem;
        Freeze(connection, transaction, venueId, slots, caller, now, rolledBackFrom: null);
        transaction.Commit();
        return Current(http, connection, venueId, clock);
    }

    /// <summary>Restores an earlier published version as a new version, and makes it the draft again.</summary>
    internal static async Task<IResult> Rollback(string venueId, RollbackRequest request, HttpContext http, Database database, Caller caller, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, PlaylistEndpoints.PublishPerTenant, caller.TenantId) is { } refused) return refused;
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var set = ScheduleStore.LoadSet(connection, transaction, venueId, now);
        if (Concurrency.Check(http, set.ETag) is { } precondition) return precondition;
        if (connection.Scalar<long>("SELECT COUNT(*) FROM schedule_published WHERE venue_id = $venue AND version = $version;", transaction,
                ("$venue", venueId), ("$version", request.Version)) == 0)
            return ProblemResponses.Invalid(new() { ["version"] = [$"The schedule has no published version {request.Version}."] });
        var slots = ScheduleStore.PublishedSlots(connection, transaction, venueId, request.Version);
        if (Unpublishable(connection, transaction, venueId, slots) is { } problem) return problem;

        connection.Execute("DELETE FROM schedule_slot WHERE venue_id = $venue;", transaction, ("$venue", venueId));
        foreach (var slot in slots)
        {
            ScheduleStore.InsertDraftSlot(connection, transaction, venueId, slot.SlotId, new SlotRequest(slot.TargetType, slot.TargetId, slot.PlaylistId,
                slot.DaysOfWeekMask, slot.StartMinutes, slot.EndMinutes, slot.Priority, slot.ValidFromDate, slot.ValidToDate, slot.Enabled), Sql.Utc(now));
        }
        Freeze(connection, transaction, venueId, ScheduleStore.DraftSlots(connection, transaction, venueId), caller, now, rolledBackFrom: request.Version);
        transaction.Commit();
        return Current(http, connection, venueId, clock);
    }

    /// <summary>Published versions, newest first, cursor-paginated (spec 27.1) by version.</summary>
    private static async Task<IResult> Versions(string venueId, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Integer) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var versions = connection.Query("""
            SELECT version, published_at_utc, published_by_user_id, rolled_back_from_version FROM schedule_published
            WHERE venue_id = $venue AND version < $before ORDER BY version DESC LIMIT $limit;
            """, null, r => (Version: r.GetInt64(0), At: r.GetString(1), By: r.NullableString(2), From: r.IsDBNull(3) ? (long?)null : r.GetInt64(3)),
            ("$venue", venueId), ("$before", page.Integer(0, long.MaxValue)), ("$limit", page.Fetch));
        return TypedResults.Ok(page.Answer(versions.Select(v =>
            new ScheduleVersionResponse(v.Version, v.At, v.By, v.From, [.. ScheduleStore.PublishedSlots(connection, null, venueId, v.Version)])).ToList(),
            v => [ListPage.Part(v.Version)]));
    }

    /// <summary>Every publish and rollback in the venue, newest first, cursor-paginated.</summary>
    private static async Task<IResult> Publishes(string venueId, string? cursor, int? limit, Database database, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Integer) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = connection.Query("""
            SELECT publish_id, kind, target_id, version, action, actor_user_id, created_at_utc FROM publish_event
            WHERE venue_id = $venue AND publish_id < $before ORDER BY publish_id DESC LIMIT $limit;
            """, null, r => new PublishEventResponse(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.NullableString(5), r.GetString(6)),
            ("$venue", venueId), ("$before", page.Integer(0, long.MaxValue)), ("$limit", page.Fetch));
        return TypedResults.Ok(page.Answer(rows, p => [ListPage.Part(p.PublishId)]));
    }

    /// <summary>Runs a draft edit: If-Match on the set, the edit, then a new ETag — one transaction.</summary>
    private static async Task<IResult> EditAsync(string venueId, HttpContext http, Database database, IClock clock,
        Func<SqliteConnection, SqliteTransaction, Instant, IResult?> edit)
    {
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var set = ScheduleStore.LoadSet(connection, transaction, venueId, now);
        if (Concurrency.Check(http, set.ETag) is { } precondition) return precondition;
        if (edit(connection, transaction, now) is { } problem) return problem;
        ScheduleStore.TouchSet(connection, transaction, venueId, now);
        transaction.Commit();
        return Current(http, connection, venueId, clock);
    }

    private static IResult Current(HttpContext http, SqliteConnection connection, string venueId, IClock clock)
    {
        var set = ScheduleStore.LoadSet(connection, null, venueId, clock.GetCurrentInstant());
        Concurrency.SetETag(http, set.ETag);
        return TypedResults.Ok(new ScheduleSetResponse(set.DraftVersion, set.PublishedVersion, [.. ScheduleStore.DraftSlots(connection, null, venueId)]));
    }

    private static bool SlotExists(SqliteConnection connection, SqliteTransaction transaction, string venueId, string slotId) =>
        connection.Scalar<long>("SELECT COUNT(*) FROM schedule_slot WHERE slot_id = $slot AND venue_id = $venue;", transaction, ("$slot", slotId), ("$venue", venueId)) == 1;

    /// <summary>The resolver's own slot rules plus what only the database knows: targets and playlists exist.</summary>
    private static Dictionary<string, string[]> Validate(SqliteConnection connection, SqliteTransaction transaction, string venueId, SlotRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        CampaignEndpoints.ParseDate(request.ValidFromDate, "validFromDate", errors);
        CampaignEndpoints.ParseDate(request.ValidToDate, "validToDate", errors);
        if (request.TargetType is not ("DEVICE" or "GROUP")) errors["targetType"] = ["Target type is DEVICE or GROUP."];
        else if (request.TargetType == "GROUP" ? !VenueRules.GroupExists(connection, transaction, venueId, request.TargetId)
                                               : !VenueRules.DeviceExists(connection, transaction, venueId, request.TargetId))
            errors["targetId"] = [$"No {request.TargetType.ToLowerInvariant()} '{request.TargetId}' in this venue."];
        if (PlaylistStore.LoadHeader(connection, transaction, venueId, request.PlaylistId) is null) errors["playlistId"] = [$"No playlist '{request.PlaylistId}' in this venue."];
        if (request.Priority is < -1000 or > 1000) errors["priority"] = ["Priority is between -1000 and 1000."];
        if (errors.Count == 0)
        {
            var rules = ScheduleStore.ToResolverSlot("new", request, Instant.MinValue).Validate();
            if (rules.Count > 0) errors["slot"] = [.. rules];
        }
        return errors;
    }

    /// <summary>Spec 27.10: a schedule publishes only published playlists, and only targets that exist.</summary>
    private static IResult? Unpublishable(SqliteConnection connection, SqliteTransaction transaction, string venueId, List<SlotResponse> slots)
    {
        var problems = new List<string>();
        foreach (var slot in slots.Where(s => s.Enabled))
        {
            if (!VenueRules.PlaylistIsPublished(connection, transaction, venueId, slot.PlaylistId))
                problems.Add($"Slot {slot.SlotId} plays playlist '{slot.PlaylistId}', which is not published.");
            var targetExists = slot.TargetType == "GROUP"
                ? VenueRules.GroupExists(connection, transaction, venueId, slot.TargetId)
                : VenueRules.DeviceExists(connection, transaction, venueId, slot.TargetId);
            if (!targetExists) problems.Add($"Slot {slot.SlotId} targets {slot.TargetType.ToLowerInvariant()} '{slot.TargetId}', which no longer exists.");
        }
        return problems.Count > 0 ? ProblemResponses.Invalid(new() { ["slots"] = [.. problems] }) : null;
    }

    private static void Freeze(SqliteConnection connection, SqliteTransaction transaction, string venueId, List<SlotResponse> slots, Caller caller, Instant now, long? rolledBackFrom)
    {
        var version = connection.Scalar<long>("SELECT COALESCE(MAX(version), 0) + 1 FROM schedule_published WHERE venue_id = $venue;", transaction, ("$venue", venueId));
        var at = Sql.Utc(now);
        connection.Execute("""
            INSERT INTO schedule_published (venue_id, version, published_at_utc, published_by_user_id, rolled_back_from_version)
            VALUES ($venue, $version, $now, $user, $from);
            """, transaction, ("$venue", venueId), ("$version", version), ("$now", at), ("$user", caller.UserId), ("$from", rolledBackFrom));
        connection.Execute("""
            INSERT INTO schedule_published_slot (venue_id, version, slot_id, target_type, target_id, playlist_id, days_of_week_mask, start_minutes,
                end_minutes, priority, valid_from_date, valid_to_date, enabled, updated_at_utc)
            SELECT venue_id, $version, slot_id, target_type, target_id, playlist_id, days_of_week_mask, start_minutes,
                end_minutes, priority, valid_from_date, valid_to_date, enabled, updated_at_utc
            FROM schedule_slot WHERE venue_id = $venue;
            """, transaction, ("$venue", venueId), ("$version", version));
        connection.Execute("UPDATE schedule_set SET published_version = $version, draft_version = draft_version + 1, updated_at_utc = $now WHERE venue_id = $venue;",
            transaction, ("$version", version), ("$now", at), ("$venue", venueId));
        VenueRules.BumpManifestEpoch(connection, transaction, venueId);
        VenueRules.RecordPublish(connection, transaction, venueId, "SCHEDULE", venueId, version, rolledBackFrom is not null, caller.UserId, at);
        AuditLog.Write(connection, transaction, now, rolledBackFrom is null ? "SCHEDULE_PUBLISHED" : "SCHEDULE_ROLLED_BACK", caller.TenantId, venueId, caller.UserId,
            "scheduleset", venueId, new() { ["version"] = version.ToString(CultureInfo.InvariantCulture), ["slots"] = slots.Count.ToString(CultureInfo.InvariantCulture),
                ["rolledBackFrom"] = rolledBackFrom?.ToString(CultureInfo.InvariantCulture) });
    }
}
