using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>The spec's words on the wire (issue 16): §28.7's command names with their parameters, §26.5's
/// pairing field names, and an events endpoint that never answers 2xx to a batch of which nothing was stored.</summary>
public sealed class SpecWireNamesTests : ApplianceApiTests
{
    protected override IDictionary<string, string>? Environment => new Dictionary<string, string> { ["RateLimits__Enabled"] = "false" };

    private string Venue => $"/v1/venues/{Api.VenueId}";

    /// <summary>Valid parameters for each command name (null: it takes none).</summary>
    private static string? ParametersOf(string type) => type switch
    {
        CommandTypes.SetLogLevel => """{"level":"DEBUG"}""",
        CommandTypes.EnableDiagnostics => """{"durationSeconds":900}""",
        _ => null,
    };

    // ---- commands ----

    [Fact]
    public async Task Every_spec_command_name_is_accepted_and_reaches_the_screen_with_its_parameters_and_its_result_is_kept()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var sent = new Dictionary<string, string>();
        foreach (var type in CommandTypes.All)
        {
            var response = await SendCommandAsync(deviceId, type, ParametersOf(type));
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"{type}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            var created = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.CommandResponse))!;
            Assert.Equal((type, "PENDING"), (created.CommandType, created.Status));
            sent[type] = created.CommandId;
        }

        var polled = await PollAsync(token);
        Assert.Equal(CommandTypes.All, polled.Select(c => c.CommandType));
        foreach (var command in polled)
        {
            var expected = ParametersOf(command.CommandType);
            Assert.Equal(expected is null ? null : JsonDocument.Parse(expected).RootElement.GetRawText(), command.Parameters?.GetRawText());
            var result = await Player(HttpMethod.Post, $"/v1/player/commands/{command.CommandId}/result", token,
                JsonContent.Create(new CommandResultRequest("SUCCEEDED", $"{command.CommandType} done"), ContractsJsonContext.Default.CommandResultRequest));
            Assert.Equal(HttpStatusCode.NoContent, result.StatusCode);
        }

        var list = (await (await Api.AsAdmin(HttpMethod.Get, $"{Venue}/devices/{deviceId}/commands")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseCommandResponse))!;
        Assert.All(CommandTypes.All, type => Assert.Contains(list.Items, c => c.CommandId == sent[type] && c.Status == "SUCCEEDED" && c.ResultMessage == $"{type} done"));
    }

    [Theory]
    [InlineData("REFRESH_MANIFEST")]
    [InlineData("RESTART_PLAYBACK")]
    [InlineData("CLEAR_UNUSED_CACHE")]
    [InlineData("CLEAR_ALL_CACHE")]
    [InlineData("RESTART_APP")]
    public async Task An_old_command_name_is_refused_with_the_spec_names_listed_and_nothing_is_queued(string oldName)
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var response = await SendCommandAsync(deviceId, oldName, null);
        var problem = await RefusedAsync(response, "commandType");
        Assert.Contains("REQUEST_MANIFEST_REFRESH, RESTART_PLAYBACK_LOOP, CLEAR_CACHE_UNUSED, CLEAR_CACHE_ALL, REBOOT_APP, SET_LOG_LEVEL, ENABLE_DIAGNOSTICS",
            problem.GetProperty("detail").GetString());
        Assert.Empty(await PollAsync(token));
    }

    [Theory]
    [InlineData(CommandTypes.SetLogLevel, null, "parameters.level")]
    [InlineData(CommandTypes.SetLogLevel, """{}""", "parameters.level")]
    [InlineData(CommandTypes.SetLogLevel, """{"level":"LOUD"}""", "parameters.level")]
    [InlineData(CommandTypes.SetLogLevel, """{"level":"debug"}""", "parameters.level")]
    [InlineData(CommandTypes.SetLogLevel, """{"level":2}""", "parameters.level")]
    [InlineData(CommandTypes.SetLogLevel, """{"level":"DEBUG","durationSeconds":60}""", "parameters.durationSeconds")]
    [InlineData(CommandTypes.EnableDiagnostics, null, "parameters.durationSeconds")]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationSeconds":0}""", "parameters.durationSeconds")]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationSeconds":-5}""", "parameters.durationSeconds")]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationSeconds":86401}""", "parameters.durationSeconds")]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationSeconds":1.5}""", "parameters.durationSeconds")]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationSeconds":"900"}""", "parameters.durationSeconds")]
    [InlineData(CommandTypes.EnableDiagnostics, """{"durationMinutes":15}""", "parameters.durationMinutes")]
    [InlineData(CommandTypes.RebootApp, """{"level":"DEBUG"}""", "parameters.level")]
    [InlineData(CommandTypes.RequestManifestRefresh, """{"now":true}""", "parameters.now")]
    public async Task A_missing_or_invalid_command_parameter_is_refused_naming_it_and_nothing_is_queued(string type, string? parameters, string field)
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        await RefusedAsync(await SendCommandAsync(deviceId, type, parameters), field);
        Assert.Empty(await PollAsync(token));
    }

    // ---- pairing ----

    [Fact]
    public async Task Pairing_bodies_use_deviceHardwareId_and_pairingCode_and_the_old_names_are_refused()
    {
        // A missing required field is a 400 MALFORMED_JSON here, as for every body.
        var old = await Api.Process.Client.PostAsync("/v1/devices/pairing/start", Json("""{"hardwareId":"hw-old"}"""));
        await MissingFieldAsync(old, "deviceHardwareId");
        await RefusedAsync(await Api.Process.Client.PostAsync("/v1/devices/pairing/start", Json("""{"deviceHardwareId":" "}""")), "deviceHardwareId");

        var start = await Api.Process.Client.PostAsync("/v1/devices/pairing/start", Json("""{"deviceHardwareId":"hw-spec","deviceInfo":{"model":"AFTSS"}}"""));
        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
        var started = JsonDocument.Parse(await start.Content.ReadAsStringAsync()).RootElement;
        Assert.False(started.TryGetProperty("code", out _));
        var code = started.GetProperty("pairingCode").GetString()!;
        Assert.Matches("^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$", code);

        var oldClaim = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/devices/pairing/claim", Json($$"""{"code":"{{code}}","name":"Bar TV"}"""));
        await MissingFieldAsync(oldClaim, "pairingCode");
        await RefusedAsync(await Api.AsAdmin(HttpMethod.Post, $"{Venue}/devices/pairing/claim", Json("""{"pairingCode":"12","name":"Bar TV"}""")), "pairingCode");
        var claim = await Api.AsAdmin(HttpMethod.Post, $"{Venue}/devices/pairing/claim", Json($$"""{"pairingCode":"{{code}}","name":"Bar TV"}"""));
        Assert.Equal(HttpStatusCode.Created, claim.StatusCode);
        var device = (await claim.Content.ReadFromJsonAsync(ContractsJsonContext.Default.DeviceResponse))!;
        Assert.Equal("hw-spec", device.HardwareId);
        Assert.Equal("hw-spec", Scalar("SELECT hardware_id FROM device_pairing WHERE code = $code;", ("$code", code)));
    }

    // ---- events ----

    [Fact]
    public async Task A_batch_of_which_no_event_is_stored_is_422_with_each_events_reason_and_writes_nothing()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        PlayerEvent[] invalid =
        [
            Event(1, "TELEPORTED"),
            Event(2, EventTypes.AppStarted) with { EventId = "not-a-uuid" },
            Event(3, EventTypes.AppStarted) with { Sequence = 0 },
            Event(4, EventTypes.AppStarted) with { EventTimeUtc = "yesterday" },
        ];
        var response = await Player(HttpMethod.Post, "/v1/player/events", token, Events(invalid));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal((PlayerProblemCodes.EventsRejected, 422), (problem.GetProperty("code").GetString(), problem.GetProperty("status").GetInt32()));
        Assert.Equal((0, 0, 4), (problem.GetProperty("accepted").GetInt32(), problem.GetProperty("duplicates").GetInt32(), problem.GetProperty("rejected").GetInt32()));
        var reasons = problem.GetProperty("rejectedEvents").EnumerateArray().ToList();
        Assert.Equal([0, 1, 2, 3], reasons.Select(r => r.GetProperty("index").GetInt32()));
        Assert.Equal(invalid[0].EventId, reasons[0].GetProperty("eventId").GetString());
        Assert.Contains("TELEPORTED", reasons[0].GetProperty("reason").GetString());
        Assert.Contains("eventId", reasons[1].GetProperty("reason").GetString());
        Assert.Contains("sequence", reasons[2].GetProperty("reason").GetString());
        Assert.Contains("eventTimeUtc", reasons[3].GetProperty("reason").GetString());
        Assert.Contains("None of the 4 events was stored", problem.GetProperty("detail").GetString());

        // Refused by the writer (it needs the venue's data to decide): a play of an asset the venue does not have.
        var unknownPlay = new PlayerEvent(Guid.NewGuid().ToString(), 5, EventTypes.PlayEnd, "2026-11-20T12:00:10Z", "INFO", JsonDocument.Parse(
            """{"playlistId":"pl_nope","assetId":"ast_nope","startedAtUtc":"2026-11-20T12:00:00Z","durationMs":10000,"result":"COMPLETED"}""").RootElement);
        var play = await Player(HttpMethod.Post, "/v1/player/events", token, Events([unknownPlay]));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, play.StatusCode);
        var playProblem = await ProblemAsync(play);
        Assert.Equal(PlayerProblemCodes.EventsRejected, playProblem.GetProperty("code").GetString());
        Assert.Contains("No asset 'ast_nope'", playProblem.GetProperty("rejectedEvents")[0].GetProperty("reason").GetString());

        var empty = await Player(HttpMethod.Post, "/v1/player/events", token, Events([]));
        await RefusedAsync(empty, "events");

        Assert.Equal(0L, Scalar("SELECT COUNT(*) FROM device_event_log WHERE device_id = $device;", ("$device", deviceId)));
    }

    [Fact]
    public async Task A_mixed_batch_is_200_with_the_rejected_listed_and_a_resent_batch_of_duplicates_is_200()
    {
        var (deviceId, token) = await Api.PairScreenAsync("Bar TV");
        var good = Event(1, EventTypes.AppStarted);
        var mixed = await Player(HttpMethod.Post, "/v1/player/events", token, Events([good, Event(2, "TELEPORTED")]));
        Assert.Equal(HttpStatusCode.OK, mixed.StatusCode);
        var answer = (await mixed.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!;
        Assert.Equal((1, 0, 1, 1), (answer.Accepted, answer.Duplicates, answer.Rejected, Assert.Single(answer.RejectedEvents).Index));

        // Stored before: nothing is lost, so the screen may drop it from its queue.
        var again = await Player(HttpMethod.Post, "/v1/player/events", token, Events([good]));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal((0, 1), (await again.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse)) is { } a ? (a.Accepted, a.Duplicates) : default);
        Assert.Equal(1L, Scalar("SELECT COUNT(*) FROM device_event_log WHERE device_id = $device;", ("$device", deviceId)));
    }

    // ---- helpers ----

    private static async Task<JsonElement> RefusedAsync(HttpResponseMessage response, string field)
    {
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var problem = await ProblemAsync(response);
        Assert.Equal(ProblemCodes.ValidationFailed, problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for {field}: {problem}");
        return problem;
    }

    private static async Task MissingFieldAsync(HttpResponseMessage response, string field)
    {
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var problem = await ProblemAsync(response);
        Assert.Equal(ProblemCodes.MalformedJson, problem.GetProperty("code").GetString());
        // The body is refused as a whole; the detail ("Failed to read parameter …") does not yet name the missing field.
        Assert.DoesNotContain(field, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    private Task<HttpResponseMessage> SendCommandAsync(string deviceId, string type, string? parameters) =>
        Api.AsAdmin(HttpMethod.Post, $"{Venue}/devices/{deviceId}/commands",
            Json(parameters is null ? $$"""{"commandType":"{{type}}"}""" : $$"""{"commandType":"{{type}}","parameters":{{parameters}}}"""));

    private async Task<PlayerCommand[]> PollAsync(string token) =>
        (await (await Player(HttpMethod.Get, "/v1/player/commands", token)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlayerCommandsResponse))!.Commands;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static PlayerEvent Event(long sequence, string type) => new(Guid.NewGuid().ToString(), sequence, type,
        DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"), "WARNING", JsonDocument.Parse("""{"assetId":"ast_1"}""").RootElement);

    private static JsonContent Events(PlayerEvent[] events) => JsonContent.Create(new EventBatchRequest(events), ContractsJsonContext.Default.EventBatchRequest);

    private Task<HttpResponseMessage> Player(HttpMethod method, string path, string? token, HttpContent? content = null) =>
        Api.Process.Client.SendAsync(Request(method, path, token, content));

    private object? Scalar(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return command.ExecuteScalar();
    }
}
