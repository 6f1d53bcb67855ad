using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Player;
using Signage.Appliance.Venues;
using Signage.Contracts;
using Signage.Scheduling;
using Signage.Web.Data;
using Signage.Web.Problems;

namespace Signage.Appliance.Devices;

/// <summary>Screens (spec 26.4, 27.6): list, detail, rename, regroup, settings, remove.</summary>
public static class DeviceEndpoints
{
    public static IEndpointRouteBuilder MapDevices(this IEndpointRouteBuilder app)
    {
        var devices = app.MapGroup("/v1/venues/{venueId}/devices");
        devices.MapGet("", List).RequireVenueRole(VenueRank.Viewer);
        devices.MapGet("/{deviceId}", Get).RequireVenueRole(VenueRank.Viewer);
        devices.MapPatch("/{deviceId}", Update).RequireVenueRole(VenueRank.Manager).ChangesPlayback();
        devices.MapDelete("/{deviceId}", Remove).RequireVenueRole(VenueRank.Manager);
        return app;
    }

    /// <summary>By name, cursor-paginated (spec 27.1).</summary>
    private static async Task<IResult> List(string venueId, string? cursor, int? limit, Database database, ManifestService manifests, ScreenPresence presence, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        return TypedResults.Ok(page.Answer(DeviceStore.List(connection, venueId, presence, manifests.CurrentETag, page), d => [d.Name, d.DeviceId]));
    }

    private static async Task<IResult> Get(string venueId, string deviceId, HttpContext http, Database database, ManifestService manifests, ScreenPresence presence)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        if (DeviceStore.Load(connection, venueId, deviceId, presence, manifests.CurrentETag) is not { } device) return Authentication.NotFound("screen");
        Concurrency.SetETag(http, Concurrency.ETag("device", deviceId, DeviceStore.RowVersion(connection, null, deviceId)));
        return TypedResults.Ok(device);
    }

    internal static async Task<IResult> Update(string venueId, string deviceId, UpdateDeviceRequest request, HttpContext http, Database database,
        DeviceDirectory directory, ManifestService manifests, Caller caller, ScreenPresence presence, IClock clock)
    {
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (!DeviceStore.Exists(connection, transaction, venueId, deviceId)) return Authentication.NotFound("screen");
        if (Concurrency.Check(http, Concurrency.ETag("device", deviceId, DeviceStore.RowVersion(connection, transaction, deviceId))) is { } precondition) return precondition;

        var errors = new Dictionary<string, string[]>();
        if (request.Name is { } name && (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 100)) errors["name"] = ["Name the screen (1 to 100 characters)."];
        if (request.GroupId is { Length: > 0 } group && !VenueRules.GroupExists(connection, transaction, venueId, group)) errors["groupId"] = [$"No group '{group}' in this venue."];
        if (request.RunMode is { } mode && mode is not ("KIOSK" or "SHARED")) errors["runMode"] = ["Run mode is KIOSK or SHARED."];
        if (request.Orientation is { } orientation && orientation is not ("LANDSCAPE" or "PORTRAIT")) errors["orientation"] = ["Orientation is LANDSCAPE or PORTRAIT."];
        if (request.Timezone is { Length: > 0 } zone && !TimeZones.IsValid(zone)) errors["timezone"] = [$"'{zone}' is not an IANA time zone such as Europe/London."];
        if (request.CacheBudgetBytes is { } budget && budget is < 100L * 1024 * 1024 or > 1024L * 1024 * 1024 * 1024)
            errors["cacheBudgetBytes"] = ["The cache budget is between 100 MB and 1 TB."];
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        connection.Execute("""
            UPDATE device SET
                name = COALESCE($name, name),
                group_id = CASE WHEN $group IS NULL THEN group_id WHEN $group = '' THEN NULL ELSE $group END,
                run_mode = COALESCE($mode, run_mode), launch_on_boot = COALESCE($boot, launch_on_boot), auto_relaunch = COALESCE($relaunch, auto_relaunch),
                keep_awake = COALESCE($awake, keep_awake), watchdog_return_to_foreground = COALESCE($watchdog, watchdog_return_to_foreground),
                orientation = COALESCE($orientation, orientation),
                timezone = CASE WHEN $zone IS NULL THEN timezone WHEN $zone = '' THEN NULL ELSE $zone END,
                cache_budget_bytes = COALESCE($budget, cache_budget_bytes), row_version = row_version + 1, updated_at_utc = $now
            WHERE device_id = $device;
            """, transaction,
            ("$name", request.Name?.Trim()), ("$group", request.GroupId), ("$mode", request.RunMode), ("$boot", Bit(request.LaunchOnBoot)),
            ("$relaunch", Bit(request.AutoRelaunch)), ("$awake", Bit(request.KeepAwake)), ("$watchdog", Bit(request.WatchdogReturnToForeground)),
            ("$orientation", request.Orientation), ("$zone", request.Timezone), ("$budget", request.CacheBudgetBytes), ("$now", Sql.Utc(now)), ("$device", deviceId));
        VenueRules.BumpManifestEpoch(connection, transaction, venueId);
        AuditLog.Write(connection, transaction, now, "DEVICE_UPDATED", caller.TenantId, venueId, caller.UserId, "device", deviceId);
        transaction.Commit();
        directory.Refresh(connection, deviceId);
        Concurrency.SetETag(http, Concurrency.ETag("device", deviceId, DeviceStore.RowVersion(connection, null, deviceId)));
        return TypedResults.Ok(DeviceStore.Load(connection, venueId, deviceId, presence, manifests.CurrentETag));
    }

    /// <summary>Removes the screen; its token stops working at once (the directory forgets it).</summary>
    internal static async Task<IResult> Remove(string venueId, string deviceId, HttpContext http, Database database, DeviceDirectory directory,
        ManifestService manifests, Caller caller, IClock clock)
    {
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (!DeviceStore.Exists(connection, transaction, venueId, deviceId)) return Authentication.NotFound("screen");
        var slots = connection.Scalar<long>("SELECT COUNT(*) FROM schedule_slot WHERE target_type = 'DEVICE' AND target_id = $device;", transaction, ("$device", deviceId));
        if (slots > 0)
            return ProblemResponses.Problem(StatusCodes.Status409Conflict, "DEVICE_IN_USE", "Schedule slots target this screen; remove them (and publish) first.");
        connection.Execute("DELETE FROM device WHERE device_id = $device;", transaction, ("$device", deviceId));
        AuditLog.Write(connection, transaction, clock.GetCurrentInstant(), "DEVICE_REMOVED", caller.TenantId, venueId, caller.UserId, "device", deviceId);
        transaction.Commit();
        directory.Refresh(connection, deviceId);
        manifests.Forget(deviceId);
        return TypedResults.NoContent();
    }

    private static long? Bit(bool? value) => value is null ? null : value.Value ? 1 : 0;
}
