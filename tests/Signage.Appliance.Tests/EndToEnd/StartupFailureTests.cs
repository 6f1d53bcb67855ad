using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// An unusable data directory stops the native binary with one clear log line and exit code 78
/// (EX_CONFIG), which the systemd unit treats as "do not restart".
/// </summary>
public sealed class StartupFailureTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private async Task<string> AssertRefusesToStart(string dataDirectory)
    {
        var (exitCode, output) = await ApplianceProcess.RunToExitAsync(["--urls", "http://127.0.0.1:0", "--data-dir", dataDirectory]);
        Assert.Equal(78, exitCode);
        var fatal = Assert.Single(output, line => line.Contains("FTL", StringComparison.Ordinal));
        Assert.DoesNotContain(output, line => line.Contains("listening on", StringComparison.Ordinal));
        Assert.DoesNotContain(output, line => line.TrimStart().StartsWith("at ", StringComparison.Ordinal)); // no stack trace
        return fatal;
    }

    [Fact]
    public async Task Data_directory_that_is_a_file_is_refused()
    {
        var path = _temp.Combine("data");
        await File.WriteAllTextAsync(path, "I am a file");
        Assert.Contains($"Data directory '{path}' is a file, not a directory", await AssertRefusesToStart(path));
    }

    [Fact]
    public async Task Data_directory_that_cannot_be_created_is_refused()
    {
        var file = _temp.Combine("file");
        await File.WriteAllTextAsync(file, "x");
        var path = Path.Combine(file, "data");
        Assert.Contains($"Data directory '{path}' cannot be created", await AssertRefusesToStart(path));
    }

    [Fact]
    public async Task Database_written_by_a_newer_release_is_refused_and_left_untouched()
    {
        var path = _temp.Combine("data");
        await using (var first = await ApplianceProcess.StartAsync(path)) await first.StopAsync();
        Execute(path, "INSERT INTO schema_migrations (version, name, applied_at_utc) VALUES (999, '0999_future', '2030-01-01T00:00:00Z');");

        var line = await AssertRefusesToStart(path);
        Assert.Contains("has schema version 999, newer than this appliance knows", line);
        Assert.Equal(999L, Execute(path, "SELECT MAX(version) FROM schema_migrations;"));
    }

    [Fact]
    public async Task File_that_is_not_a_database_is_refused_and_left_untouched()
    {
        var path = _temp.Combine("data");
        Directory.CreateDirectory(path);
        var garbage = new byte[8192];
        new Random(7).NextBytes(garbage);
        await File.WriteAllBytesAsync(Path.Combine(path, "appliance.db"), garbage);

        Assert.Contains("is not a usable SQLite database", await AssertRefusesToStart(path));
        Assert.Equal(garbage, await File.ReadAllBytesAsync(Path.Combine(path, "appliance.db")));
    }

    private static object? Execute(string dataDirectory, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }

    [Fact]
    public async Task A_data_directory_another_appliance_is_using_is_refused()
    {
        var path = _temp.Combine("data");
        await using var first = await ApplianceProcess.StartAsync(path);

        Assert.Contains($"Data directory '{path}' is in use by another process", await AssertRefusesToStart(path));
        Assert.Equal(System.Net.HttpStatusCode.OK, (await first.Client.GetAsync("/healthz")).StatusCode);
    }
}
