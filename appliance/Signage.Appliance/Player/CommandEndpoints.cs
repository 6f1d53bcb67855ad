using System.Text.Json;
using Microsoft.Data.Sqlite;
using NodaTime;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Data;
using Signage.Contracts;
using Signage.Web.Data;
using Signage.Web.Problems;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.Player;

/// <summary>
/// Support commands (spec 18, 28.7): a manager sends one to a screen; the screen picks it up on its
/// next poll, runs it at a safe moment and reports the result. A command not picked up before it
/// expires is never delivered (a "restart" an hour late would surprise everyone).
/// </summary>
public static class CommandEndpoints
{
    public static readonly Duration DefaultTtl = Duration.FromMinutes(15);
    public static readonly Duration MaxTtl = Duration.FromHours(24);

    public static IEndpointRouteBuilder MapCommands(this IEndpointRouteBuilder app)
    {
        app.MapGet("/v1/player/commands", Poll).RequireDevice();
        app.MapPost("/v1/player/commands/{commandId}/result", Result).RequireDevice();
        var staff = app.MapGroup("/v1/venues/{venueId}/devices/{deviceId}/commands");
        staff.MapPost("", Send).RequireVenueRole(VenueRank.Manager);
        staff.MapGet("", List).RequireVenueRole(VenueRank.Viewer);
        return app;
    }

    private static async Task<IResult> Poll(HttpContext http, DeviceCaller device, Database database, RateLimiter limiter, IClock clock)
    {
        if (limiter.Enforce(http, RateLimit.CommandsPerDevice, device.DeviceId) is { } refused) return refused;
        var now = Sql.Utc(clock.GetCurrentInstant());
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        Expire(connection, transaction, now);
        // Delivered-but-unanswered commands come again: the screen may have crashed before running them.
        // In the order they were sent: rowid breaks ties within a millisecond (the index on
        // (device_id, issued_at_utc, command_id) would otherwise order them by their random ids).
        var commands = connection.Query("""
            SELECT command_id, command_type, issued_at_utc, expires_at_utc, parameters_json FROM device_command
            WHERE device_id = $device AND status IN ('PENDING', 'DELIVERED') ORDER BY issued_at_utc, rowid;
            """, transaction,
            r => new PlayerCommand(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3),
                r.IsDBNull(4) ? null : JsonSerializer.Deserialize(r.GetString(4), ContractsJsonContext.Default.JsonElement)),
            ("$device", device.DeviceId));
        connection.Execute("UPDATE device_command SET status = 'DELIVERED', delivered_at_utc = COALESCE(delivered_at_utc, $now) WHERE device_id = $device AND status = 'PENDING';",
            transaction, ("$now", now), ("$device", device.DeviceId));
        transaction.Commit();
        return TypedResults.Ok(new PlayerCommandsResponse([.. commands]));
    }

    private static async Task<IResult> Result(string commandId, CommandResultRequest request, HttpContext http, DeviceCaller device, Database database, IClock clock)
    {
        if (request.Status is not ("SUCCEEDED" or "FAILED"))
            return ProblemResponses.Invalid(new() { ["status"] = ["status is SUCCEEDED or FAILED."] });
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        var status = connection.Scalar<string>("SELECT status FROM device_command WHERE command_id = $command AND device_id = $device;", transaction,
            ("$command", commandId), ("$device", device.DeviceId));
        if (status is null) return Authentication.NotFound("command");
        if (status is "SUCCEEDED" or "FAILED") return TypedResults.NoContent(); // a re-sent result
        connection.Execute("""
            UPDATE device_command SET status = $status, completed_at_utc = $now, result_message = $message, result_json = $result WHERE command_id = $command;
            """, transaction, ("$status", request.Status), ("$now", Sql.Utc(clock.GetCurrentInstant())), ("$message", request.Message),
            ("$result", request.Result?.GetRawText()), ("$command", commandId));
        transaction.Commit();
        return TypedResults.NoContent();
    }

    internal static async Task<IResult> Send(string venueId, string deviceId, CommandRequest request, HttpContext http, Database database, Caller caller, IClock clock)
    {
        var errors = new Dictionary<string, string[]>();
        if (!CommandTypes.All.Contains(request.CommandType)) errors["commandType"] = [$"Commands are {string.Join(", ", CommandTypes.All)}."];
        if (request.TtlSeconds is { } ttl && (ttl < 10 || ttl > MaxTtl.TotalSeconds)) errors["ttlSeconds"] = ["A command lives between 10 seconds and 24 hours."];
        if (request.Parameters is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null) }) errors["parameters"] = ["parameters must be a JSON object."];
        else if (CommandTypes.All.Contains(request.CommandType)) CheckParameters(request.CommandType, request.Parameters, errors);
        if (errors.Count > 0) return ProblemResponses.Invalid(errors);

        var now = clock.GetCurrentInstant();
        await using var connection = await database.OpenAsync(http.RequestAborted);
        using var transaction = connection.BeginTransaction();
        if (!Devices.DeviceStore.Exists(connection, transaction, venueId, deviceId)) return Authentication.NotFound("screen");
        var commandId = Ids.New("cmd");
        var expires = now + (request.TtlSeconds is { } seconds ? Duration.FromSeconds(seconds) : DefaultTtl);
        connection.Execute("""
            INSERT INTO device_command (command_id, device_id, venue_id, command_type, parameters_json, status, issued_by_user_id, issued_at_utc, expires_at_utc)
            VALUES ($command, $device, $venue, $type, $parameters, 'PENDING', $user, $now, $expires);
            """, transaction, ("$command", commandId), ("$device", deviceId), ("$venue", venueId), ("$type", request.CommandType),
            ("$parameters", request.Parameters?.GetRawText()), ("$user", caller.UserId), ("$now", Sql.Utc(now)), ("$expires", Sql.Utc(expires)));
        AuditLog.Write(connection, transaction, now, "COMMAND_SENT", caller.TenantId, venueId, caller.UserId, "device", deviceId,
            new() { ["commandId"] = commandId, ["commandType"] = request.CommandType });
        transaction.Commit();
        return TypedResults.Created($"/v1/venues/{venueId}/devices/{deviceId}/commands", Load(connection, null, deviceId).First(c => c.CommandId == commandId));
    }

    /// <summary>SET_LOG_LEVEL needs its level and ENABLE_DIAGNOSTICS its duration (so it always ends by
    /// itself); a parameter a command does not take is refused rather than ignored.</summary>
    private static void CheckParameters(string type, JsonElement? parameters, Dictionary<string, string[]> errors)
    {
        var allowed = CommandParameters.For(type);
        if (parameters is { ValueKind: JsonValueKind.Object } given)
        {
            foreach (var p in given.EnumerateObject().Where(p => !allowed.Contains(p.Name)))
                errors[$"parameters.{p.Name}"] = [allowed.Length == 0 ? $"{type} takes no parameters." : $"{type} takes only {string.Join(", ", allowed)}."];
        }
        JsonElement value = default;
        var has = parameters is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(allowed.FirstOrDefault() ?? "", out value);
        if (type == CommandTypes.SetLogLevel && !(has && value.ValueKind == JsonValueKind.String && LogLevels.All.Contains(value.GetString())))
            errors["parameters.level"] = [$"SET_LOG_LEVEL needs parameters.level: one of {string.Join(", ", LogLevels.All)}."];
        if (type == CommandTypes.EnableDiagnostics && !(has && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var seconds)
                && seconds is >= CommandParameters.MinDiagnosticsSeconds and <= CommandParameters.MaxDiagnosticsSeconds))
            errors["parameters.durationSeconds"] = [$"ENABLE_DIAGNOSTICS needs parameters.durationSeconds: whole seconds from {CommandParameters.MinDiagnosticsSeconds} to {CommandParameters.MaxDiagnosticsSeconds} (a day), after which diagnostics turn themselves off."];
    }

    /// <summary>A screen's commands, newest first, cursor-paginated (spec 27.1), so its whole history can be read.</summary>
    internal static async Task<IResult> List(string venueId, string deviceId, string? cursor, int? limit, Database database, IClock clock, CancellationToken cancellationToken)
    {
        if (ListPage.Read(cursor, limit, out var page, KeyPart.Text, KeyPart.Text) is { } badPage) return badPage;
        await using var connection = await database.OpenAsync(cancellationToken);
        using var transaction = connection.BeginTransaction();
        if (!Devices.DeviceStore.Exists(connection, transaction, venueId, deviceId)) return Authentication.NotFound("screen");
        Expire(connection, transaction, Sql.Utc(clock.GetCurrentInstant()));
        var commands = Load(connection, transaction, deviceId, page);
        transaction.Commit();
        return TypedResults.Ok(page.Answer(commands, c => [c.IssuedAtUtc, c.CommandId]));
    }

    /// <summary>Read backwards along index device_command_by_issue (migration 0012), the cursor a range of it: no sort.</summary>
    internal const string ListSql = """
        SELECT command_id, device_id, command_type, status, issued_at_utc, expires_at_utc, delivered_at_utc, completed_at_utc, result_message
        FROM device_command WHERE device_id = $device AND (issued_at_utc, command_id) < ($issued, $id)
        ORDER BY issued_at_utc DESC, command_id DESC LIMIT $limit;
        """;

    /// <summary>Newest first; with a page, the commands before its cursor (one more than the page), else the newest 50.</summary>
    private static List<CommandResponse> Load(SqliteConnection connection, SqliteTransaction? transaction, string deviceId, ListPage? page = null) =>
        connection.Query(ListSql, transaction,
            r => new CommandResponse(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
                r.NullableString(6), r.NullableString(7), r.NullableString(8)),
            // "~" sorts after every UTC timestamp and id.
            ("$device", deviceId), ("$issued", page?.Text(0, "~") ?? "~"), ("$id", page?.Text(1, "~") ?? "~"), ("$limit", page?.Fetch ?? ListPage.DefaultLimit));

    private static void Expire(SqliteConnection connection, SqliteTransaction transaction, string now) =>
        connection.Execute("UPDATE device_command SET status = 'EXPIRED' WHERE status = 'PENDING' AND expires_at_utc <= $now;", transaction, ("$now", now));
}
