using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Cli.Tests;

/// <summary>The commands that work on this machine's data directory: provision, admin, doctor; and --help.</summary>
public sealed class LocalCommandTests : IDisposable
{
    private const string Password = "a provisioned password";
    private readonly TempDirectory _temp = new();

    private string DataDirectory => _temp.Combine("data");

    public void Dispose() => _temp.Dispose();

    private Task<NativeCli.Result> ProvisionAsync(string dataDirectory, string timezone = "Europe/London", string email = "owner@venue.test", string password = Password,
        string? applianceBin = null) =>
        NativeCli.RunAsync(["provision", "--data-dir", dataDirectory, "--urls", "http://127.0.0.1:0", "--venue-name", "The Anchor", "--timezone", timezone,
            "--admin-email", email, "--password-stdin", "--appliance-bin", applianceBin ?? NativeAppliance.Path, "--json"], stdin: password + "\n");

    [Fact]
    public async Task Provision_prepares_a_data_directory_the_appliance_then_serves_with_that_admin_and_venue()
    {
        var result = await ProvisionAsync(DataDirectory);

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        Assert.Equal(Path.Combine(DataDirectory, "appliance.env"), json.RootElement.GetProperty("settingsFile").GetString());
        Assert.Contains("SIGNAGE_URLS=http://127.0.0.1:0\n", await File.ReadAllTextAsync(Path.Combine(DataDirectory, "appliance.env")));
        Assert.DoesNotContain(Password, result.All);

        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);
        var admin = await ApplianceApi.LoginAsync(appliance.Client, "owner@venue.test", Password);
        using var venues = ApplianceApi.Request(HttpMethod.Get, "/v1/me/venues", admin.AccessToken);
        var venue = (await (await appliance.Client.SendAsync(venues)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseVenueAccess))!.Items.Single();
        Assert.Equal(("The Anchor", "Europe/London"), (venue.Name, venue.Timezone));
    }

    [Fact]
    public async Task Provision_refuses_a_data_directory_that_is_already_provisioned()
    {
        Assert.Equal(0, (await ProvisionAsync(DataDirectory)).ExitCode);

        var again = await ProvisionAsync(DataDirectory, email: "someone@else.test");

        Assert.Equal(65, again.ExitCode);
        Assert.Contains("already provisioned (1 accounts)", again.Errors);
    }

    [Fact]
    public async Task Provision_passes_on_the_appliances_reason_for_a_bad_time_zone_and_creates_no_admin()
    {
        var result = await ProvisionAsync(DataDirectory, timezone: "Mars/Olympus");

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("'Mars/Olympus' is not an IANA time zone", result.Errors);
        Assert.False(File.Exists(Path.Combine(DataDirectory, "appliance.env")));
        Assert.Equal(0L, Scalar(DataDirectory, "SELECT COUNT(*) FROM user_account;"));
    }

    /// <summary>A stand-in appliance whose log says one thing and whose result line another.</summary>
    [Theory]
    [InlineData("""{"result":"error","code":"UNUSABLE","message":"from the result line"}""", 78, 78, "could not prepare")]
    [InlineData("""{"result":"error","code":"INTERNAL_ERROR","message":"from the result line"}""", 1, 1, "could not prepare")]
    [InlineData("""{"result":"ok","schema":1,"adminCreated":false}""", 0, 1, "created no admin")]
    [InlineData("", 3, 1, "exited with code 3 without a result line")]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // a shell script stands in
    public async Task Provision_reads_the_appliances_exit_code_and_result_line_not_its_log(string resultLine, int applianceExit, int expectedExit, string message)
    {
        var standIn = _temp.Combine("stand-in-appliance");
        await File.WriteAllTextAsync(standIn, $"#!/bin/sh\necho '[12:00:00 FTL] Cannot start: from the log'\necho '{resultLine}'\nexit {applianceExit}\n");
        File.SetUnixFileMode(standIn, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var result = await ProvisionAsync(DataDirectory, applianceBin: standIn);

        Assert.Equal(expectedExit, result.ExitCode);
        Assert.Contains(message, result.Errors);
        Assert.Equal(resultLine.Contains("message", StringComparison.Ordinal), result.Errors.Contains("from the result line", StringComparison.Ordinal));
        Assert.DoesNotContain("from the log", result.All);
        Assert.False(File.Exists(Path.Combine(DataDirectory, "appliance.env")));
    }

    [Theory]
    [InlineData("not-an-email", Password, "is not an email address")]
    [InlineData("owner@venue.test", "short", "at least 10 characters")]
    public async Task Provision_refuses_bad_admin_details_before_touching_the_directory(string email, string password, string message)
    {
        var result = await ProvisionAsync(DataDirectory, email: email, password: password);

        Assert.Equal(64, result.ExitCode);
        Assert.Contains(message, result.Errors);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task Provision_refuses_a_data_directory_a_running_appliance_holds()
    {
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);

        var result = await ProvisionAsync(DataDirectory);

        Assert.Equal(75, result.ExitCode);
        Assert.Contains("in use by a running appliance", result.Errors);
    }

    [Fact]
    public async Task Admin_create_works_while_the_appliance_runs_and_the_new_admin_can_sign_in()
    {
        await using var appliance = await ApplianceApi.StartAsync(DataDirectory);

        var result = await NativeCli.RunAsync(["admin", "create", "--appliance-bin", NativeAppliance.Path, "--data-dir", DataDirectory, "--email", "it@venue.test", "--name", "IT desk", "--password-stdin", "--json"],
            stdin: "set from the terminal\n");

        Assert.Equal(0, result.ExitCode);
        var created = await ApplianceApi.LoginAsync(appliance.Process.Client, "it@venue.test", "set from the terminal");
        using var me = ApplianceApi.Request(HttpMethod.Get, "/v1/me", created.AccessToken);
        var profile = (await (await appliance.Process.Client.SendAsync(me)).Content.ReadFromJsonAsync(ContractsJsonContext.Default.MeResponse))!;
        Assert.Equal(["TENANT_ADMIN"], profile.TenantRoles);
        Assert.Equal("IT desk", profile.DisplayName);
        Assert.Equal(1L, Scalar(DataDirectory, "SELECT COUNT(*) FROM audit_log WHERE action = 'USER_CREATED' AND target_id = $p;", created.User.UserId));
    }

    [Fact]
    public async Task Admin_create_refuses_an_email_that_has_an_account()
    {
        await using var appliance = await ApplianceApi.StartAsync(DataDirectory);

        var result = await NativeCli.RunAsync(["admin", "create", "--appliance-bin", NativeAppliance.Path, "--data-dir", DataDirectory, "--email", ApplianceApi.AdminEmail.ToUpperInvariant(), "--password-stdin"],
            stdin: "set from the terminal\n");

        Assert.Equal(65, result.ExitCode);
        Assert.Contains($"There is already an account for {ApplianceApi.AdminEmail.ToUpperInvariant()}.", result.Errors);
        Assert.Contains($"signage admin reset-password --email {ApplianceApi.AdminEmail.ToUpperInvariant()}", result.Errors);
        Assert.Equal(1L, Scalar(DataDirectory, "SELECT COUNT(*) FROM user_account;"));
    }

    [Fact]
    public async Task Admin_create_prints_the_new_accounts_id_from_the_appliances_result_line()
    {
        await using (await ApplianceApi.StartAsync(DataDirectory)) { }

        var result = await NativeCli.RunAsync(["admin", "create", "--appliance-bin", NativeAppliance.Path, "--data-dir", DataDirectory, "--email", "it@venue.test",
            "--password-stdin", "--json"], stdin: "set from the terminal\n");

        Assert.Equal(0, result.ExitCode);
        var created = JsonSerializer.Deserialize(result.Output, CliJsonContext.Default.AdminResult)!;
        Assert.Equal(("it@venue.test", "created"), (created.Email, created.Action));
        Assert.Equal(1L, Scalar(DataDirectory, "SELECT COUNT(*) FROM user_account WHERE user_id = $p AND display_name = 'Administrator';", created.UserId));
        Assert.DoesNotContain("set from the terminal", result.All);
    }

    [Fact]
    public async Task Admin_create_passes_on_the_appliances_refusal_of_a_bad_name_as_exit_64()
    {
        await using (await ApplianceApi.StartAsync(DataDirectory)) { }

        var result = await NativeCli.RunAsync(["admin", "create", "--appliance-bin", NativeAppliance.Path, "--data-dir", DataDirectory, "--email", "it@venue.test",
            "--name", new string('n', 101), "--password-stdin"], stdin: "set from the terminal\n");

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("--name must be 1 to 100 characters.", result.Errors);
    }

    [Fact]
    public async Task Admin_commands_refuse_a_short_password_before_running_the_appliance()
    {
        var result = await NativeCli.RunAsync(["admin", "reset-password", "--appliance-bin", NativeAppliance.Path, "--data-dir", DataDirectory, "--email", "a@b.test",
            "--password-stdin"], stdin: "short\n");

        Assert.Equal(64, result.ExitCode);
        Assert.Contains("at least 10 characters", result.Errors);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task Reset_password_changes_it_and_signs_the_account_out_everywhere()
    {
        await using var appliance = await ApplianceApi.StartAsync(DataDirectory);
        var before = appliance.Admin;

        var result = await NativeCli.RunAsync(["admin", "reset-password", "--appliance-bin", NativeAppliance.Path, "--data-dir", DataDirectory, "--email", ApplianceApi.AdminEmail, "--password-stdin"],
            stdin: "the new password\n");

        Assert.Equal(0, result.ExitCode);
        var oldPassword = await appliance.Process.Client.PostAsJsonAsync("/v1/auth/login", new LoginRequest(ApplianceApi.AdminEmail, ApplianceApi.AdminPassword),
            ContractsJsonContext.Default.LoginRequest);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        await ApplianceApi.LoginAsync(appliance.Process.Client, ApplianceApi.AdminEmail, "the new password");
        var refresh = await appliance.Process.Client.PostAsJsonAsync("/v1/auth/refresh", new RefreshRequest(before.RefreshToken), ContractsJsonContext.Default.RefreshRequest);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task Admin_commands_explain_a_missing_database_and_an_unknown_account()
    {
        var missing = await NativeCli.RunAsync(["admin", "reset-password", "--appliance-bin", NativeAppliance.Path, "--data-dir", DataDirectory, "--email", "a@b.test", "--password-stdin"], stdin: "long enough password\n");
        Assert.Equal(78, missing.ExitCode);
        Assert.Contains("There is no appliance database", missing.Errors);

        await using (await ApplianceApi.StartAsync(DataDirectory)) { }
        var unknown = await NativeCli.RunAsync(["admin", "reset-password", "--appliance-bin", NativeAppliance.Path, "--data-dir", DataDirectory, "--email", "nobody@venue.test", "--password-stdin"], stdin: "long enough password\n");
        Assert.Equal(65, unknown.ExitCode);
        Assert.Contains("There is no account for nobody@venue.test", unknown.Errors);
    }

    [Fact]
    public async Task Doctor_reports_every_check_and_fails_on_a_port_another_program_holds()
    {
        Assert.Equal(0, (await ProvisionAsync(DataDirectory)).ExitCode);
        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;

        var result = await NativeCli.RunAsync(["doctor", "--data-dir", DataDirectory, "--urls", $"http://127.0.0.1:{port}", "--json"]);

        Assert.Equal(2, result.ExitCode);
        var report = JsonSerializer.Deserialize(result.Output, CliJsonContext.Default.DoctorReport)!;
        Assert.False(report.Ok);
        Assert.Equal([$"port http://127.0.0.1:{port}", "data directory", "disk", "clock", "multicast", "ffmpeg"], report.Findings.Select(f => f.Check));
        var portFinding = report.Findings[0];
        Assert.Equal("fail", portFinding.Status);
        Assert.Contains("ss -ltnp", portFinding.Fix);
        Assert.Equal("ok", report.Findings.Single(f => f.Check == "data directory").Status);
        Assert.All(report.Findings.Where(f => f.Status != "ok"), f => Assert.False(string.IsNullOrWhiteSpace(f.Fix)));
    }

    [Fact]
    public async Task Doctor_passes_when_the_port_is_the_appliances_own()
    {
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);

        var result = await NativeCli.RunAsync(["doctor", "--data-dir", DataDirectory, "--urls", appliance.BaseAddress.ToString().TrimEnd('/'), "--json"]);

        var report = JsonSerializer.Deserialize(result.Output, CliJsonContext.Default.DoctorReport)!;
        Assert.Equal("ok", report.Findings[0].Status);
        Assert.Contains("an appliance answers there", report.Findings[0].Detail);
        Assert.Equal(report.Ok ? 0 : 2, result.ExitCode);
    }

    [Theory]
    [InlineData("provision")]
    [InlineData("admin create")]
    [InlineData("admin reset-password")]
    [InlineData("status")]
    [InlineData("pair")]
    [InlineData("enroll")]
    [InlineData("backup")]
    [InlineData("restore")]
    [InlineData("export pop")]
    [InlineData("doctor")]
    public async Task Every_command_has_help_with_examples(string command)
    {
        var result = await NativeCli.RunAsync([.. command.Split(' '), "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Examples:", result.Output);
        Assert.Contains($"signage {command}", result.Output);
    }

    [Fact]
    public async Task The_root_help_lists_the_exit_codes_and_a_wrong_option_is_exit_64()
    {
        var help = await NativeCli.RunAsync(["--help"]);
        Assert.Equal(0, help.ExitCode);
        Assert.Contains("75  data directory in use", help.Output);

        var wrong = await NativeCli.RunAsync(["status", "--frobnicate"]);
        Assert.Equal(64, wrong.ExitCode);
        Assert.Contains("Run 'signage status --help' for usage.", wrong.Errors);
    }

    internal static long Scalar(string dataDirectory, string sql, string? parameter = null) => (long)Value(dataDirectory, sql, parameter)!;

    internal static string Text(string dataDirectory, string sql, string? parameter = null) => (string)Value(dataDirectory, sql, parameter)!;

    private static object? Value(string dataDirectory, string sql, string? parameter)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (parameter is not null) command.Parameters.AddWithValue("$p", parameter);
        return command.ExecuteScalar();
    }
}
