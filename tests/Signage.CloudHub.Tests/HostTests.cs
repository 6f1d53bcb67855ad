using System.Net;
using System.Text.Json;
using Npgsql;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

public sealed class HostTests(HubFixture fixture) : HubTests(fixture)
{
    [Fact]
    public async Task Health_answers_ok_when_the_database_is_reachable()
    {
        using var response = await Hub.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unknown_routes_answer_problem_json_with_a_code_and_request_id()
    {
        using var response = await Hub.Client.GetAsync("/v1/no-such-thing");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("NOT_FOUND", body.RootElement.GetProperty("code").GetString());
        Assert.True(body.RootElement.TryGetProperty("requestId", out _));
    }

    [Fact]
    public async Task Three_replicas_starting_together_on_a_new_database_apply_each_migration_once_and_create_one_platform_admin()
    {
        var connectionString = await Hub.Postgres.CreateDatabaseAsync("replicas");
        var dataDirectory = Directory.CreateTempSubdirectory("signage-hub-replicas-").FullName;
        var starts = Enumerable.Range(0, 3).Select(_ => HubProcess.StartAsync(connectionString, dataDirectory)).ToList();
        var replicas = await Task.WhenAll(starts);
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using (var command = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM schema_migration;", connection))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                await reader.ReadAsync();
                Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
                Assert.True(reader.GetInt64(0) >= 1);
            }
            await using (var admins = new NpgsqlCommand("SELECT count(*) FROM user_account WHERE platform_admin;", connection))
                Assert.Equal(1L, await admins.ExecuteScalarAsync());
            // Every replica signs tokens with the one shared key: a token from one works on the others.
            var token = await HubApi.LoginAsync(replicas[0].Client, HubProcess.AdminEmail, HubProcess.AdminPassword);
            foreach (var replica in replicas)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
                request.Headers.Authorization = new("Bearer", token.AccessToken);
                using var response = await replica.Client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        finally
        {
            foreach (var replica in replicas) await replica.DisposeAsync();
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task Without_a_database_the_hub_exits_with_code_2_and_says_how_to_give_one()
    {
        var (exitCode, output) = await HubProcess.RunToExitAsync(["--urls", "http://127.0.0.1:0"]);
        Assert.Equal(2, exitCode);
        Assert.Contains(output, line => line.Contains("SIGNAGE_HUB_DB", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_database_migrated_by_a_newer_release_is_refused_with_exit_code_2()
    {
        var connectionString = await Hub.Postgres.CreateDatabaseAsync("newer");
        var dataDirectory = Directory.CreateTempSubdirectory("signage-hub-newer-").FullName;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                CREATE TABLE schema_migration (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());
                INSERT INTO schema_migration (version, name) VALUES (9999, '9999_from_the_future');
                """, connection);
            await command.ExecuteNonQueryAsync();
        }
        var (exitCode, output) = await HubProcess.RunToExitAsync(["--urls", "http://127.0.0.1:0", "--db", connectionString, "--data-dir", dataDirectory]);
        Assert.Equal(2, exitCode);
        Assert.Contains(output, line => line.Contains("newer than this hub knows", StringComparison.Ordinal));
        Directory.Delete(dataDirectory, recursive: true);
    }

    [Fact]
    public async Task An_s3_blob_store_without_a_bucket_or_with_an_unreachable_one_is_refused_with_exit_code_2()
    {
        var connectionString = await Hub.Postgres.CreateDatabaseAsync("s3");
        var dataDirectory = Directory.CreateTempSubdirectory("signage-hub-s3-").FullName;
        string[] arguments = ["--urls", "http://127.0.0.1:0", "--db", connectionString, "--data-dir", dataDirectory, "--blob-store", "s3"];

        var (noBucket, noBucketOutput) = await HubProcess.RunToExitAsync(arguments);
        Assert.Equal(2, noBucket);
        Assert.Contains(noBucketOutput, line => line.Contains("SIGNAGE_HUB_S3_BUCKET", StringComparison.Ordinal));

        // A loopback port nothing listens on.
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var (unreachable, unreachableOutput) = await HubProcess.RunToExitAsync([.. arguments, "--s3-bucket", "nowhere", "--s3-endpoint", $"http://127.0.0.1:{port}"],
            new Dictionary<string, string> { ["SIGNAGE_HUB_S3_ACCESS_KEY"] = "k", ["SIGNAGE_HUB_S3_SECRET_KEY"] = "s" });
        Assert.Equal(2, unreachable);
        Assert.Contains(unreachableOutput, line => line.Contains("S3 bucket 'nowhere'", StringComparison.Ordinal) && line.Contains("not usable", StringComparison.Ordinal));
        Directory.Delete(dataDirectory, recursive: true);
    }
}
