using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Signage.Contracts;

namespace Signage.TestInfrastructure;

/// <summary>
/// A real hub on its own fresh database of the shared test PostgreSQL, signed in as the platform
/// admin, with helpers for the set-up every hub test needs (a tenant with its admin, venues,
/// enrollment). Dispose stops the hub and deletes its blob directory.
/// </summary>
public sealed class HubApi : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = ContractsJsonContext.Default.Options;

    private readonly IDictionary<string, string>? _environment;

    private HubApi(HubProcess process, PostgresServer postgres, string connectionString, string dataDirectory, string platformToken,
        IDictionary<string, string>? environment)
    {
        _environment = environment;
        Process = process;
        Postgres = postgres;
        ConnectionString = connectionString;
        DataDirectory = dataDirectory;
        PlatformToken = platformToken;
    }

    public HubProcess Process { get; private set; }

    public PostgresServer Postgres { get; }

    /// <summary>This hub's own database (a fresh one per <see cref="StartAsync"/>).</summary>
    public string ConnectionString { get; }

    public string DataDirectory { get; }

    public string PlatformToken { get; }

    public HttpClient Client => Process.Client;

    public Uri BaseAddress => Process.BaseAddress;

    /// <summary>A hub on a fresh database of the shared test server; <paramref name="environment"/> adds settings (e.g. <see cref="S3Server.HubEnvironment"/>).</summary>
    public static async Task<HubApi> StartAsync(IDictionary<string, string>? environment = null) => await StartAsync(await PostgresServer.SharedAsync(), environment);

    /// <summary>A hub on a fresh database of <paramref name="postgres"/> (a server of the test's own, e.g. one it stops and starts).</summary>
    public static async Task<HubApi> StartAsync(PostgresServer postgres, IDictionary<string, string>? environment = null)
    {
        var connectionString = await postgres.CreateDatabaseAsync("hub");
        var dataDirectory = Directory.CreateTempSubdirectory("signage-hub-").FullName;
        var process = await HubProcess.StartAsync(connectionString, dataDirectory, environment: environment);
        var token = await LoginAsync(process.Client, HubProcess.AdminEmail, HubProcess.AdminPassword);
        return new HubApi(process, postgres, connectionString, dataDirectory, token.AccessToken, environment);
    }

    /// <summary>Stops this hub (kill -9) and starts it again on the same database and blobs, on <paramref name="url"/>
    /// (e.g. the same address as before, so appliances pointed at it reconnect).</summary>
    public async Task RestartAsync(string? url = null)
    {
        await Process.DisposeAsync();
        Process = await HubProcess.StartAsync(ConnectionString, DataDirectory, url ?? "http://127.0.0.1:0", _environment);
    }

    public static async Task<TokenResponse> LoginAsync(HttpClient client, string email, string password)
    {
        using var response = await client.PostAsJsonAsync("/v1/auth/login", new LoginRequest(email, password), Json);
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<TokenResponse>(Json))!;
    }

    /// <summary>A new tenant with its first tenant admin, signed in.</summary>
    public async Task<TestTenant> CreateTenantAsync(string name)
    {
        var email = $"admin-{Guid.NewGuid():N}@{name.ToLowerInvariant().Replace(' ', '-')}.test";
        const string password = "tenant-admin-password";
        var tenant = await SendAsync<TenantResponse>(HttpMethod.Post, "/v1/tenants", PlatformToken, new CreateTenantRequest(name, email, "Head of " + name, password));
        var admin = await LoginAsync(Client, email, password);
        return new TestTenant(tenant.TenantId, email, password, admin.AccessToken);
    }

    public Task<HubVenueResponse> CreateVenueAsync(TestTenant tenant, string name, string timezone = "Europe/London") =>
        SendAsync<HubVenueResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/venues", tenant.AdminToken, new HubVenueRequest(name, timezone, []));

    public Task<EnrollmentCodeResponse> CreateEnrollmentCodeAsync(TestTenant tenant, string venueId) =>
        SendAsync<EnrollmentCodeResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/venues/{venueId}/enrollment-codes", tenant.AdminToken, null);

    /// <summary>Enrolls an appliance directly through the API (what the appliance's own client does).</summary>
    public Task<EnrollResponse> EnrollAsync(string code, string applianceId, EnrollVenue venue) =>
        SendAsync<EnrollResponse>(HttpMethod.Post, "/v1/enrollment/redeem", null, new EnrollRequest(code, applianceId, "test", venue));

    /// <summary>Sends a request (JSON body when given) and returns the response, whatever its status.</summary>
    public async Task<HttpResponseMessage> RawAsync(HttpMethod method, string path, string? token, object? body = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is HttpContent content) request.Content = content;
        else if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        configure?.Invoke(request);
        return await Client.SendAsync(request);
    }

    /// <summary>Sends a request and reads a 2xx answer as <typeparamref name="T"/>; any other status throws with the body.</summary>
    public async Task<T> SendAsync<T>(HttpMethod method, string path, string? token, object? body)
    {
        using var response = await RawAsync(method, path, token, body);
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync<T>(Json))!;
    }

    public static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"{(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
    }

    public async ValueTask DisposeAsync()
    {
        await Process.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A tenant made for a test, with its first admin signed in.</summary>
public sealed record TestTenant(string TenantId, string AdminEmail, string AdminPassword, string AdminToken);
