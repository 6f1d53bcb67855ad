using System.Text.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Cli.Tests;

/// <summary>
/// The appliance binary's command-line verbs that `signage provision` and `signage admin` run: one
/// JSON result line on stdout, the log on stderr, and an exit code that says what happened.
/// </summary>
public sealed class ApplianceVerbTests : IDisposable
{
    private const string Password = "a verb password";
    private readonly TempDirectory _temp = new();

    private string DataDirectory => _temp.Combine("data");

    public void Dispose() => _temp.Dispose();

    private Task<NativeCli.Result> VerbAsync(string verb, string email, string? stdin = Password + "\n", params string[] more) =>
        NativeCli.RunBinaryAsync(NativeAppliance.Path, ["--data-dir", DataDirectory, verb, "--email", email, .. more], stdin: stdin);

    private static ApplianceVerbResult ResultLine(NativeCli.Result result)
    {
        var line = Assert.Single(result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        return JsonSerializer.Deserialize(line, ContractsJsonContext.Default.ApplianceVerbResult)!;
    }

    private Task<NativeCli.Result> InitAsync(string timezone = "Europe/London") =>
        NativeCli.RunBinaryAsync(NativeAppliance.Path, ["--data-dir", DataDirectory, ApplianceVerbs.Init], new Dictionary<string, string>
        {
            ["SIGNAGE_ADMIN_EMAIL"] = "owner@venue.test",
            ["SIGNAGE_ADMIN_PASSWORD"] = Password,
            ["SIGNAGE_VENUE_TIMEZONE"] = timezone,
        });

    [Fact]
    public async Task Init_prints_only_its_result_line_on_stdout_and_its_log_on_stderr()
    {
        var result = await InitAsync();

        Assert.Equal(0, result.ExitCode);
        var line = ResultLine(result);
        Assert.Equal((ApplianceVerbs.Ok, true), (line.Result, line.AdminCreated));
        Assert.True(line.Schema > 0);
        Assert.Contains("initialised", result.Errors);

        var again = await InitAsync();
        Assert.Equal(0, again.ExitCode);
        Assert.False(ResultLine(again).AdminCreated);
    }

    [Fact]
    public async Task Init_reports_a_bad_time_zone_in_its_result_line_with_exit_78()
    {
        var result = await InitAsync(timezone: "Mars/Olympus");

        Assert.Equal(78, result.ExitCode);
        var line = ResultLine(result);
        Assert.Equal((ApplianceVerbs.Error, ApplianceVerbs.Unusable), (line.Result, line.Code));
        Assert.Contains("'Mars/Olympus' is not an IANA time zone", line.Message);
    }

    [Fact]
    public async Task Create_admin_prints_the_new_users_id_and_the_admin_can_sign_in()
    {
        Assert.Equal(0, (await InitAsync()).ExitCode);

        var result = await VerbAsync(ApplianceVerbs.CreateAdmin, "it@venue.test", more: ["--name", "IT desk"]);

        Assert.Equal(0, result.ExitCode);
        var line = ResultLine(result);
        Assert.Equal((ApplianceVerbs.Ok, "it@venue.test"), (line.Result, line.Email));
        Assert.StartsWith("usr_", line.UserId);
        Assert.Equal(1L, LocalCommandTests.Scalar(DataDirectory,
            "SELECT COUNT(*) FROM user_account u JOIN tenant_user_role r USING (user_id) WHERE u.user_id = $p AND r.role = 'TENANT_ADMIN' AND u.display_name = 'IT desk';", line.UserId));
        await using var appliance = await ApplianceProcess.StartAsync(DataDirectory);
        await ApplianceApi.LoginAsync(appliance.Client, "it@venue.test", Password);
    }

    [Fact]
    public async Task Create_admin_exits_65_with_EMAIL_TAKEN_for_an_email_that_has_an_account()
    {
        Assert.Equal(0, (await InitAsync()).ExitCode);

        var result = await VerbAsync(ApplianceVerbs.CreateAdmin, "Owner@Venue.test");

        Assert.Equal(65, result.ExitCode);
        var line = ResultLine(result);
        Assert.Equal((ApplianceVerbs.Error, ProblemCodes.EmailTaken), (line.Result, line.Code));
        Assert.Equal(1L, LocalCommandTests.Scalar(DataDirectory, "SELECT COUNT(*) FROM user_account;"));
    }

    [Fact]
    public async Task Reset_password_exits_65_with_NOT_FOUND_for_an_unknown_account()
    {
        Assert.Equal(0, (await InitAsync()).ExitCode);

        var result = await VerbAsync(ApplianceVerbs.ResetPassword, "nobody@venue.test");

        Assert.Equal(65, result.ExitCode);
        var line = ResultLine(result);
        Assert.Equal((ProblemCodes.NotFound, $"There is no account for nobody@venue.test in {DataDirectory}."), (line.Code, line.Message));
    }

    [Theory]
    [InlineData(ApplianceVerbs.CreateAdmin, "new@venue.test", null, "first line of stdin")]
    [InlineData(ApplianceVerbs.CreateAdmin, "new@venue.test", "\n", "first line of stdin")]
    [InlineData(ApplianceVerbs.ResetPassword, "owner@venue.test", "too short\n", "at least 10 characters")]
    [InlineData(ApplianceVerbs.ResetPassword, "not-an-email", Password + "\n", "'not-an-email' is not an email address")]
    public async Task Account_verbs_exit_64_for_a_missing_or_weak_password_or_a_bad_email_and_change_nothing(string verb, string email, string? stdin, string message)
    {
        Assert.Equal(0, (await InitAsync()).ExitCode);
        var hash = LocalCommandTests.Text(DataDirectory, "SELECT password_hash FROM user_account;");

        var result = await VerbAsync(verb, email, stdin);

        Assert.Equal(64, result.ExitCode);
        var line = ResultLine(result);
        Assert.Equal((ApplianceVerbs.Error, ProblemCodes.ValidationFailed), (line.Result, line.Code));
        Assert.Contains(message, line.Message);
        Assert.Equal(1L, LocalCommandTests.Scalar(DataDirectory, "SELECT COUNT(*) FROM user_account;"));
        Assert.Equal(hash, LocalCommandTests.Text(DataDirectory, "SELECT password_hash FROM user_account;"));
    }

    [Fact]
    public async Task Account_verbs_exit_78_without_a_database_and_create_no_directory()
    {
        var result = await VerbAsync(ApplianceVerbs.ResetPassword, "owner@venue.test");

        Assert.Equal(78, result.ExitCode);
        var line = ResultLine(result);
        Assert.Equal(ApplianceVerbs.Unusable, line.Code);
        Assert.Contains("There is no appliance database", line.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task Account_verbs_exit_78_on_a_database_without_a_venue()
    {
        await using (await ApplianceProcess.StartAsync(DataDirectory)) { } // schema, no first admin

        var result = await VerbAsync(ApplianceVerbs.CreateAdmin, "it@venue.test");

        Assert.Equal(78, result.ExitCode);
        Assert.Contains("has no venue yet", ResultLine(result).Message);
    }
}
