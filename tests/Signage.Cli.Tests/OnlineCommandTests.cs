using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Cli.Tests;

/// <summary>The commands that talk to a running appliance: status, pair, export pop, enroll; and their failures.</summary>
public sealed class OnlineCommandTests : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private ApplianceApi _appliance = null!;

    public async Task InitializeAsync() => _appliance = await ApplianceApi.StartAsync(_temp.Combine("data"));

    public async Task DisposeAsync()
    {
        await _appliance.DisposeAsync();
        _temp.Dispose();
    }

    private string Url => _appliance.Process.BaseAddress.ToString();

    private Dictionary<string, string> Credentials(string? password = null) => new()
    {
        ["SIGNAGE_APPLIANCE"] = Url,
        ["SIGNAGE_EMAIL"] = ApplianceApi.AdminEmail,
        ["SIGNAGE_PASSWORD"] = password ?? ApplianceApi.AdminPassword,
    };

    [Fact]
    public async Task Status_reports_health_and_counts_the_screens_online()
    {
        var (_, token) = await _appliance.PairScreenAsync("Bar left");
        using (var heartbeat = ApplianceApi.Request(HttpMethod.Post, "/v1/player/heartbeat", token,
            JsonContent.Create(new HeartbeatRequest("1.0.0", "PLAYING", DateTime.UtcNow.ToString("O")), ContractsJsonContext.Default.HeartbeatRequest)))
        {
            (await _appliance.Process.Client.SendAsync(heartbeat)).EnsureSuccessStatusCode();
        }
        await _appliance.PairScreenAsync("Never seen");

        var text = await NativeCli.RunAsync(["status"], Credentials());
        Assert.Equal(0, text.ExitCode);
        Assert.Contains("1 of 2 screens online", text.Output);
        Assert.Contains("The Crown", text.Output);

        var json = await NativeCli.RunAsync(["status", "--json"], Credentials());
        Assert.Equal(0, json.ExitCode);
        using var report = JsonDocument.Parse(json.Output);
        Assert.Equal("ok", report.RootElement.GetProperty("status").GetString());
        var venue = report.RootElement.GetProperty("venues").EnumerateArray().Single();
        Assert.Equal(_appliance.VenueId, venue.GetProperty("venueId").GetString());
        Assert.Equal(2, venue.GetProperty("screensTotal").GetInt32());
        Assert.Equal(1, venue.GetProperty("screensOnline").GetInt32());
    }

    [Fact]
    public async Task Status_counts_every_screen_past_the_largest_page_by_following_nextCursor()
    {
        // 250 screens: more than the largest page (200) of GET /devices, so the CLI must follow nextCursor.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_temp.Combine("data", "appliance.db")};Pooling=False"))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            for (var i = 0; i < 250; i++)
            {
                using var insert = connection.CreateCommand();
                insert.Transaction = transaction;
                insert.CommandText = """
                    INSERT INTO device (device_id, tenant_id, venue_id, name, hardware_id, created_at_utc, updated_at_utc)
                    VALUES ($id, $tenant, $venue, $name, $id, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
                    """;
                insert.Parameters.AddWithValue("$id", $"dev_{i:D3}");
                insert.Parameters.AddWithValue("$tenant", _appliance.TenantId);
                insert.Parameters.AddWithValue("$venue", _appliance.VenueId);
                insert.Parameters.AddWithValue("$name", $"Screen {i:D3}");
                insert.ExecuteNonQuery();
            }
            transaction.Commit();
        }

        var json = await NativeCli.RunAsync(["status", "--json"], Credentials());
        Assert.Equal(0, json.ExitCode);
        using var report = JsonDocument.Parse(json.Output);
        Assert.Equal(250, report.RootElement.GetProperty("venues").EnumerateArray().Single().GetProperty("screensTotal").GetInt32());
    }

    [Fact]
    public async Task A_wrong_password_exits_77_without_echoing_either_password()
    {
        var result = await NativeCli.RunAsync(["status", "--password", "not the password"], Credentials());

        Assert.Equal(77, result.ExitCode);
        Assert.Contains("refused the email or password", result.Errors);
        Assert.DoesNotContain("not the password", result.All);
        Assert.DoesNotContain(ApplianceApi.AdminPassword, result.All);
    }

    [Fact]
    public async Task An_unreachable_appliance_exits_69_and_says_so()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port nobody listens on

        var result = await NativeCli.RunAsync(["status", "--appliance", $"http://127.0.0.1:{port}"], Credentials());

        Assert.Equal(69, result.ExitCode);
        Assert.Contains($"Cannot reach the appliance at http://127.0.0.1:{port}/", result.Errors);
    }

    [Fact]
    public async Task A_url_that_is_not_an_appliance_exits_69_and_says_so()
    {
        // A real web server that is not an appliance: every path is 404.
        using var other = new HttpListener();
        var port = FreePort();
        other.Prefixes.Add($"http://127.0.0.1:{port}/");
        other.Start();
        _ = Task.Run(async () =>
        {
            while (other.IsListening)
            {
                var context = await other.GetContextAsync();
                context.Response.StatusCode = 404;
                context.Response.Close();
            }
        });

        var result = await NativeCli.RunAsync(["status", "--appliance", $"http://127.0.0.1:{port}"], Credentials());

        Assert.Equal(69, result.ExitCode);
        Assert.Contains("answered, but not as a signage appliance (GET /healthz gave 404", result.Errors);
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://127.0.0.1")]
    public async Task A_malformed_appliance_url_is_a_usage_error(string url)
    {
        var result = await NativeCli.RunAsync(["status", "--appliance", url], Credentials());

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("is not an appliance address", result.Errors);
    }

    [Fact]
    public async Task Missing_credentials_without_a_terminal_is_a_usage_error()
    {
        var result = await NativeCli.RunAsync(["status", "--appliance", Url, "--email", ApplianceApi.AdminEmail], stdin: "");

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("SIGNAGE_PASSWORD", result.Errors);
    }

    [Fact]
    public async Task Pair_claims_the_code_a_screen_shows()
    {
        var start = await _appliance.Process.Client.PostAsJsonAsync("/v1/devices/pairing/start",
            new PairingStartRequest("hw-cli-1", new DeviceInfo("Amazon", "AFTSS", "Fire OS 8", "1.0.0")), ContractsJsonContext.Default.PairingStartRequest);
        var pairing = (await start.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStartResponse))!;

        var result = await NativeCli.RunAsync(["pair", pairing.PairingCode, "--name", "Entrance", "--json"], Credentials());

        Assert.Equal(0, result.ExitCode);
        var screen = JsonSerializer.Deserialize(result.Output, ContractsJsonContext.Default.DeviceResponse)!;
        Assert.Equal("Entrance", screen.Name);
        Assert.Equal("hw-cli-1", screen.HardwareId);
        var status = await _appliance.PairingStatusAsync(pairing);
        Assert.Equal(screen.DeviceId, status.DeviceId);
        Assert.NotNull(status.DeviceToken);
    }

    [Fact]
    public async Task Pair_with_a_code_no_screen_shows_exits_65_with_the_appliances_reason()
    {
        var result = await NativeCli.RunAsync(["pair", "BCDF-GHJK", "--name", "Ghost"], Credentials());

        Assert.Equal(65, result.ExitCode);
        Assert.Contains("PAIRING_CODE_UNKNOWN", result.Errors);
    }

    [Fact]
    public async Task Pair_with_an_unknown_venue_exits_77()
    {
        var result = await NativeCli.RunAsync(["pair", "BCDF-GHJK", "--name", "Ghost", "--venue", "ven_nope"], Credentials());

        Assert.Equal(77, result.ExitCode);
        Assert.Contains("no access to venue 'ven_nope'", result.Errors);
    }

    [Fact]
    public async Task Export_pop_writes_the_appliances_csv_to_a_file()
    {
        var path = _temp.Combine("pop.csv");

        var result = await NativeCli.RunAsync(["export", "pop", "--from", "2026-11-01", "--to", "2026-11-30", "--group-by", "device", "-o", path], Credentials());

        Assert.Equal(0, result.ExitCode);
        var lines = await File.ReadAllLinesAsync(path);
        Assert.Equal("device,label,plays,totalDurationMs,interrupted,interruptedDurationMs,failed,skipped", lines[0]);
        Assert.Equal("TOTAL,,0,0,0,0,0,0", lines[^1]);
        Assert.Empty(Directory.GetFiles(_temp.Path, "*.tmp"));
    }

    [Fact]
    public async Task Export_pop_to_stdout_and_with_bad_dates()
    {
        var ok = await NativeCli.RunAsync(["export", "pop", "--from", "2026-11-01", "--to", "2026-11-02"], Credentials());
        Assert.Equal(0, ok.ExitCode);
        Assert.StartsWith("campaign,label,plays,totalDurationMs", ok.Output);

        var backwards = await NativeCli.RunAsync(["export", "pop", "--from", "2026-11-30", "--to", "2026-11-01"], Credentials());
        Assert.Equal(65, backwards.ExitCode);
        Assert.Contains("to (2026-11-01) is before from (2026-11-30)", backwards.Errors);

        var groupBy = await NativeCli.RunAsync(["export", "pop", "--from", "2026-11-01", "--to", "2026-11-02", "--group-by", "weather"], Credentials());
        Assert.Equal(64, groupBy.ExitCode);
    }

    [Fact]
    public async Task Enroll_refuses_a_hub_address_that_is_not_a_url()
    {
        var result = await NativeCli.RunAsync(["enroll", "--hub", "hub.example.com", "--code", "4F7K-Q2ZP"], Credentials());

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("--hub 'hub.example.com' is not an http(s) URL", result.Errors);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
