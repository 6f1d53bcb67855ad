using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Data;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>The native appliance binary as an operator meets it: start, health, errors, stop.</summary>
public sealed class HostTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    private string DataDirectory => _temp.Combine("data");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Healthz_reports_ok_with_version_and_schema_version()
    {
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);
        var response = await appliance.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.HealthReport);
        Assert.Equal("ok", health!.Status);
        Assert.StartsWith("0.1.0", health.Version);
        Assert.Equal(new DatabaseHealth("ok", Migrator.LatestVersion), health.Database);
    }

    [Fact]
    public async Task Healthz_answers_503_without_the_databases_error_text_and_logs_it_instead()
    {
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);
        using (var outside = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "appliance.db")};Pooling=False"))
        {
            outside.Open();
            using var rename = outside.CreateCommand();
            rename.CommandText = "ALTER TABLE schema_migrations RENAME TO schema_migrations_gone;";
            rename.ExecuteNonQuery();
        }

        var response = await appliance.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(body);
        Assert.Equal(ProblemCodes.DatabaseUnavailable, problem.RootElement.GetProperty("code").GetString());
        Assert.DoesNotContain("schema_migrations", body);
        Assert.DoesNotContain("SQLite", body);
        await WaitForAsync(() => appliance.Output.Any(line => line.Contains("no such table: schema_migrations", StringComparison.Ordinal)));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        for (var waited = 0; !condition(); waited += 50)
        {
            Assert.True(waited < 5_000, "The appliance's log never said why.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_and_keeps_a_well_formed_incoming_one()
    {
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);

        var generated = await appliance.Client.GetAsync("/healthz");
        Assert.True(Guid.TryParse(generated.Headers.GetValues("X-Request-Id").Single(), out _));

        using var traced = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { { "X-Request-Id", "player-42.req-7" } } };
        Assert.Equal("player-42.req-7", (await appliance.Client.SendAsync(traced)).Headers.GetValues("X-Request-Id").Single());

        using var hostile = new HttpRequestMessage(HttpMethod.Get, "/healthz") { Headers = { { "X-Request-Id", "<script>alert(1)</script>" } } };
        Assert.True(Guid.TryParse((await appliance.Client.SendAsync(hostile)).Headers.GetValues("X-Request-Id").Single(), out _));
    }

    [Theory]
    [InlineData("GET", "/v1/nothing-here", 404, "NOT_FOUND")]
    [InlineData("DELETE", "/healthz", 405, "METHOD_NOT_ALLOWED")]
    [InlineData("GET", "/../../etc/passwd", 404, "NOT_FOUND")]
    public async Task Errors_are_problem_json_with_code_and_the_request_id(string method, string path, int status, string code)
    {
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);
        var response = await appliance.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.Equal($"urn:signage:error:{code}", problem.RootElement.GetProperty("type").GetString());
        Assert.Equal(response.Headers.GetValues("X-Request-Id").Single(), problem.RootElement.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task Sigterm_stops_the_appliance_cleanly_with_exit_code_zero()
    {
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);
        Assert.Equal(HttpStatusCode.OK, (await appliance.Client.GetAsync("/healthz")).StatusCode);

        Assert.Equal(0, await appliance.StopAsync());
        Assert.Contains(appliance.Output, line => line.Contains("Signage appliance stopped", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Migrations_apply_exactly_once_across_restarts()
    {
        await using (var first = await ApplianceProcess.StartAsync(DataDirectory))
        {
            Assert.Contains(first.Output, l => l.Contains($"{Migrator.All.Count} migrations applied now", StringComparison.Ordinal));
            await first.StopAsync();
        }
        await using (var second = await ApplianceProcess.StartAsync(DataDirectory))
        {
            Assert.Contains(second.Output, l => l.Contains("0 migrations applied now", StringComparison.Ordinal));
            await second.StopAsync();
        }

        await using var connection = new SqliteConnection($"Data Source={Path.Combine(DataDirectory, "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(version) FROM schema_migrations; ";
        Assert.Equal(string.Join(',', Migrator.All.Select(m => m.Version)), command.ExecuteScalar());
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public async Task Writes_its_log_to_a_rolling_file_in_the_data_directory()
    {
        await using (var appliance = await ApplianceProcess.StartAsync(DataDirectory))
        {
            await appliance.StopAsync();
        }
        var log = Assert.Single(Directory.GetFiles(Path.Combine(DataDirectory, "logs"), "appliance-*.log"));
        var text = await File.ReadAllTextAsync(log);
        Assert.Contains("listening on http://127.0.0.1:", text);
        Assert.Contains("Signage appliance stopped", text);
    }

    [Fact]
    public async Task Environment_variables_choose_the_data_directory_and_the_urls()
    {
        var environment = new Dictionary<string, string> { ["SIGNAGE_DATA_DIR"] = DataDirectory, ["SIGNAGE_URLS"] = "http://127.0.0.1:0" };
        await using var appliance = await ApplianceProcess.StartAsync([], environment);

        Assert.Equal(HttpStatusCode.OK, (await appliance.Client.GetAsync("/healthz")).StatusCode);
        Assert.True(File.Exists(Path.Combine(DataDirectory, "appliance.db")));
    }

    [Fact]
    public async Task Command_line_options_win_over_environment_variables()
    {
        var aFile = _temp.Combine("not-a-directory");
        await File.WriteAllTextAsync(aFile, "x");
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory, new Dictionary<string, string> { ["SIGNAGE_DATA_DIR"] = aFile });

        Assert.Equal(HttpStatusCode.OK, (await appliance.Client.GetAsync("/healthz")).StatusCode);
    }
}
