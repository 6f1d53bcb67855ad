using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Venues;
using Signage.Contracts;
using Signage.Web.Problems;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.Pairing;

/// <summary>
/// Pairing (spec 8, 26.5, 27.7): the screen starts a pairing and shows a code and a QR code; a
/// venue manager claims the code, naming the screen; the screen's next poll gets its device
/// token. PENDING → CLAIMED → COMPLETED, or PENDING → EXPIRED after 10 minutes. Single use.
/// </summary>
public static class PairingEndpoints
{
    public static readonly Duration CodeLifetime = Duration.FromMinutes(10);
    public const int PollIntervalSeconds = 3;
    public static readonly RateLimit StartPerIp = new("pairing-start-ip", 10, Duration.FromMinutes(1));
    public static readonly RateLimit StatusPerPairing = new("pairing-status", 60, Duration.FromMinutes(1));
    public static readonly RateLimit ClaimPerUser = new("pairing-claim-user", 10, Duration.FromMinutes(1));

    public static IEndpointRouteBuilder MapPairing(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/devices/pairing/start", Start).AllowAnyone();
        app.MapGet("/v1/devices/pairing/status", Status).AllowAnyone();
        app.MapPost("/v1/venues/{venueId}/devices/pairing/claim", Claim).RequireVenueRole(VenueRank.Manager);
        return app;
    }

    private static async Task<IResult> Start(PairingStartRequest request, HttpContext http, Database database, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, StartPerIp, http.Connection.RemoteIpAddress?.ToString() ?? "unknown") is { } refused) return refused;
        if (string.IsNullOrWhiteSpace(request.DeviceHardwareId) || request.DeviceHardwareId.Length > 200)
            return ProblemResponses.Invalid(new() { ["deviceHardwareId"] = ["Send the screen's deviceHardwareId (1 to 200 characters)."] });

        var now = clock.GetCurrentInstant();
        var secret = PairingCodes.NewSecret();
        var pairingId = Ids.New("pair");
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        ExpireOld(connection, transaction, now);
        var code = PairingCodes.New();
        while (connection.Scalar<long>("SELECT COUNT(*) FROM device_pairing WHERE code = $code AND status = 'PENDING';", transaction, ("$code", code)) > 0)
            code = PairingCodes.New();
        connection.Execute("""
            INSERT INTO device_pairing (pairing_id, code, secret_hash, hardware_id, device_info_json, status, expires_at_utc, created_at_utc, updated_at_utc)
            VALUES ($id, $code, $secret, $hardware, $info, 'PENDING', $expires, $now, $now);
            """, transaction, ("$id", pairingId), ("$code", code), ("$secret", PairingCodes.Hash(secret)), ("$hardware", request.DeviceHardwareId.Trim()),
            ("$info", JsonSerializer.Serialize(request.DeviceInfo ?? new DeviceInfo(), ContractsJsonContext.Default.DeviceInfo)),
            ("$expires", Sql.Utc(now + CodeLifetime)), ("$now", Sql.Utc(now)));
        transaction.Commit();

        // The phone that scans the TV reaches this appliance the way the TV did.
        var qr = $"{http.Request.Scheme}://{http.Request.Host}/admin/pair?code={Uri.EscapeDataString(code)}";
        return TypedResults.Ok(new PairingStartResponse(pairingId, code, Sql.Utc(now + CodeLifetime), PollIntervalSeconds, qr, secret));
    }

    /// <summary>Only the screen holding the pairing secret may poll; to anyone else the pairing does not exist.</summary>
    private static async Task<IResult> Status(string? pairingId, HttpContext http, Database database, AccessTokens tokens, DeviceDirectory directory, RateLimiter limiter, IClock clock)
    {
        if (pairingId is null) return ProblemResponses.Problem(400, ProblemCodes.BadRequest, "Give the pairingId from pairing/start.");
        if (limiter.Enforce(http, StatusPerPairing, pairingId) is { } refused) return refused;
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var pairing = connection.QuerySingle("""
            SELECT secret_hash, status, expires_at_utc, claimed_venue_id, resulting_device_id FROM device_pairing WHERE pairing_id = $id;
            """, transaction,
            r => new { Secret = r.GetString(0), Status = r.GetString(1), Expires = r.GetString(2), Venue = r.NullableString(3), Device = r.NullableString(4) },
            ("$id", pairingId));
        if (pairing is null || !PairingCodes.SecretMatches(http.Request.Headers[PairingSecretHeader], pairing.Secret)) return Authentication.NotFound("pairing");

        var status = pairing.Status;
        string? token = null;
        if (status == PairingStatus.Pending && Sql.ParseUtc(pairing.Expires) <= now)
        {
            status = PairingStatus.Expired;
            SetStatus(connection, transaction, pairingId, status, now);
        }
        else if (status is PairingStatus.Claimed or PairingStatus.Completed && pairing.Device is { } deviceId && directory.Find(deviceId) is { } device)
        {
            // Handed out again on a repeated poll, in case the screen lost the first answer.
            token = tokens.IssueDevice(device.DeviceId, device.VenueId, device.TenantId, device.TokenVersion);
            if (status == PairingStatus.Claimed) SetStatus(connection, transaction, pairingId, status = PairingStatus.Completed, now);
        }
        transaction.Commit();
        return TypedResults.Ok(new PairingStatusResponse(pairingId, status, pairing.Expires, token is null ? null : pairing.Device, pairing.Venue, token));
    }

    private static async Task<IResult> Claim(string venueId, PairingClaimRequest request, HttpContext http, Database database, DeviceDirectory directory,
        Caller caller, RateLimiter limiter, ScreenPresence presence, IClock clock)
    {
        if (limiter.Enforce(http, ClaimPerUser, caller.UserId) is { } refused) return refused;
        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        var outcome = ClaimCode(connection, directory, caller, venueId, request, now);
        if (outcome.Failure is { } failure)
            return failure.Errors is { } errors ? ProblemResponses.Invalid(errors) : ProblemResponses.Problem(failure.Status, failure.Code, failure.Detail);
        return TypedResults.Created($"/v1/venues/{venueId}/devices/{outcome.DeviceId}", DeviceStore.Load(connection, venueId, outcome.DeviceId!, presence));
    }

    /// <summary>Why a claim was refused: field errors (422) or one problem; the admin page shows the same words.</summary>
    public sealed record ClaimFailure(int Status, string Code, string Detail, Dictionary<string, string[]>? Errors = null);

    /// <summary>The claim itself, shared by the JSON API and the admin pairing page: validates, names
    /// the screen, marks the code CLAIMED so the screen's next poll gets its token.</summary>
    internal static (string? DeviceId, ClaimFailure? Failure) ClaimCode(SqliteConnection connection, DeviceDirectory directory, Caller caller, string venueId,
        PairingClaimRequest request, Instant now)
    {
        var code = PairingCodes.Normalize(request.PairingCode);
        var errors = new Dictionary<string, string[]>();
        if (code is null) errors["pairingCode"] = [$"A pairingCode is {PairingCodes.Length} letters, as shown on the screen (e.g. BCDF-GHJK)."];
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 100) errors["name"] = ["Name the screen (1 to 100 characters)."];
        if (errors.Count > 0) return (null, Invalid(errors));

        using var transaction = connection.BeginTransaction();
        if (request.GroupId is { } group && !VenueRules.GroupExists(connection, transaction, venueId, group))
            return (null, Invalid(new() { ["groupId"] = [$"No group '{group}' in this venue."] }));
        ExpireOld(connection, transaction, now);
        var pairing = connection.QuerySingle("""
            SELECT pairing_id, status, hardware_id, device_info_json FROM device_pairing WHERE code = $code ORDER BY created_at_utc DESC LIMIT 1;
            """, transaction, r => new { Id = r.GetString(0), Status = r.GetString(1), Hardware = r.GetString(2), Info = r.GetString(3) }, ("$code", code));
        if (pairing is null || pairing.Status == PairingStatus.Expired)
        {
            transaction.Commit(); // keeps the expiry marks
            return (null, new(StatusCodes.Status404NotFound, "PAIRING_CODE_UNKNOWN", "No screen is showing this code, or it expired. Check the code on the screen."));
        }
        if (pairing.Status != PairingStatus.Pending)
            return (null, new(StatusCodes.Status409Conflict, "PAIRING_CODE_USED", "This code has already been used. Each code pairs one screen once."));

        var info = JsonSerializer.Deserialize(pairing.Info, ContractsJsonContext.Default.DeviceInfo) ?? new DeviceInfo();
        var deviceId = UpsertDevice(connection, transaction, caller.TenantId, venueId, pairing.Hardware, request, info, now);
        connection.Execute("""
            UPDATE device_pairing SET status = 'CLAIMED', claimed_by_user_id = $user, claimed_venue_id = $venue, resulting_device_id = $device, updated_at_utc = $now
            WHERE pairing_id = $id;
            """, transaction, ("$user", caller.UserId), ("$venue", venueId), ("$device", deviceId), ("$now", Sql.Utc(now)), ("$id", pairing.Id));
        AuditLog.Write(connection, transaction, now, "DEVICE_PAIRED", caller.TenantId, venueId, caller.UserId, "device", deviceId,
            new() { ["name"] = request.Name.Trim(), ["hardwareId"] = pairing.Hardware });
        transaction.Commit();
        directory.Refresh(connection, deviceId);
        return (deviceId, null);
    }

    private static ClaimFailure Invalid(Dictionary<string, string[]> errors) =>
        new(StatusCodes.Status422UnprocessableEntity, "VALIDATION_FAILED", string.Join(" ", errors.Values.SelectMany(v => v)), errors);

    /// <summary>The same hardware paired again in this venue keeps its record (history, group) but
    /// gets a new token version, so any old token stops working.</summary>
    private static string UpsertDevice(SqliteConnection connection, SqliteTransaction transaction, string tenantId, string venueId, string hardwareId,
        PairingClaimRequest request, DeviceInfo info, Instant now)
    {
        var existing = connection.Scalar<string>("SELECT device_id FROM device WHERE venue_id = $venue AND hardware_id = $hardware;", transaction,
            ("$venue", venueId), ("$hardware", hardwareId));
        var parameters = new (string, object?)[]
        {
            ("$device", existing ?? Ids.New("dev")), ("$tenant", tenantId), ("$venue", venueId), ("$name", request.Name.Trim()), ("$group", request.GroupId),
            ("$hardware", hardwareId), ("$manufacturer", info.Manufacturer), ("$model", info.Model), ("$os", info.OsVersion), ("$app", info.AppVersion),
            ("$now", Sql.Utc(now)),
        };
        if (existing is null)
        {
            connection.Execute("""
                INSERT INTO device (device_id, tenant_id, venue_id, name, group_id, hardware_id, manufacturer, model, os_version, app_version, created_at_utc, updated_at_utc)
                VALUES ($device, $tenant, $venue, $name, $group, $hardware, $manufacturer, $model, $os, $app, $now, $now);
                """, transaction, parameters);
        }
        else
        {
            connection.Execute("""
                UPDATE device SET name = $name, group_id = COALESCE($group, group_id), manufacturer = $manufacturer, model = $model, os_version = $os,
                    app_version = $app, token_version = token_version + 1, row_version = row_version + 1, updated_at_utc = $now
                WHERE device_id = $device;
                """, transaction, parameters);
        }
        return (string)parameters[0].Item2!;
    }

    private static void ExpireOld(SqliteConnection connection, SqliteTransaction transaction, Instant now) =>
        connection.Execute("UPDATE device_pairing SET status = 'EXPIRED', updated_at_utc = $now WHERE status = 'PENDING' AND expires_at_utc <= $now;",
            transaction, ("$now", Sql.Utc(now)));

    private static void SetStatus(SqliteConnection connection, SqliteTransaction transaction, string pairingId, string status, Instant now) =>
        connection.Execute("UPDATE device_pairing SET status = $status, updated_at_utc = $now WHERE pairing_id = $id;", transaction,
            ("$status", status), ("$now", Sql.Utc(now)), ("$id", pairingId));
}
