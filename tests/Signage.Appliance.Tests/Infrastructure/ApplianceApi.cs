using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Signage.Contracts;

namespace Signage.Appliance.Tests.Infrastructure;

/// <summary>A signed-in appliance for API tests: started with the scripted-install admin.</summary>
public sealed class ApplianceApi : IAsyncDisposable
{
    public const string AdminEmail = "admin@venue.test";
    public const string AdminPassword = "correct horse battery";

    private ApplianceApi(ApplianceProcess process, TokenResponse admin, string venueId)
    {
        Process = process;
        Admin = admin;
        VenueId = venueId;
    }

    public ApplianceProcess Process { get; }

    public TokenResponse Admin { get; }

    public string TenantId => Admin.User.TenantId;

    public string VenueId { get; }

    public static async Task<ApplianceApi> StartAsync(string dataDirectory, IDictionary<string, string>? environment = null)
    {
        var env = new Dictionary<string, string>
        {
            ["SIGNAGE_ADMIN_EMAIL"] = AdminEmail,
            ["SIGNAGE_ADMIN_PASSWORD"] = AdminPassword,
            ["SIGNAGE_VENUE_NAME"] = "The Crown",
            ["SIGNAGE_VENUE_TIMEZONE"] = "Europe/London",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) env[key] = value;
        var process = await ApplianceProcess.StartAsync(dataDirectory, env);
        var admin = await LoginAsync(process.Client, AdminEmail, AdminPassword);
        var venues = await process.Client.SendAsync(Request(HttpMethod.Get, "/v1/me/venues", admin.AccessToken));
        var list = await venues.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseVenueAccess);
        return new ApplianceApi(process, admin, list!.Items.Single().VenueId);
    }

    /// <summary>Pairs a screen the way a TV and a manager do: start, claim the code, poll for the token.</summary>
    public async Task<(string DeviceId, string Token)> PairScreenAsync(string name, string? groupId = null, string? hardwareId = null)
    {
        var start = await Process.Client.PostAsJsonAsync("/v1/devices/pairing/start",
            new PairingStartRequest(hardwareId ?? Guid.NewGuid().ToString(), new DeviceInfo("Amazon", "AFTSS", "Fire OS 8", "1.0.0")),
            ContractsJsonContext.Default.PairingStartRequest);
        start.EnsureSuccessStatusCode();
        var pairing = (await start.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStartResponse))!;
        var claim = await AsAdmin(HttpMethod.Post, $"/v1/venues/{VenueId}/devices/pairing/claim",
            JsonContent.Create(new PairingClaimRequest(pairing.PairingCode, name, groupId), ContractsJsonContext.Default.PairingClaimRequest));
        claim.EnsureSuccessStatusCode();
        var status = await PairingStatusAsync(pairing);
        return (status.DeviceId!, status.DeviceToken!);
    }

    public async Task<PairingStatusResponse> PairingStatusAsync(PairingStartResponse pairing, string? secret = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/devices/pairing/status?pairingId={pairing.PairingId}");
        request.Headers.Add(PlayerProtocol.PairingSecretHeader, secret ?? pairing.PairingSecret);
        var response = await Process.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStatusResponse))!;
    }

    public static async Task<TokenResponse> LoginAsync(HttpClient client, string email, string password)
    {
        var response = await client.PostAsJsonAsync("/v1/auth/login", new LoginRequest(email, password), ContractsJsonContext.Default.LoginRequest);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.TokenResponse))!;
    }

    public static HttpRequestMessage Request(HttpMethod method, string path, string? accessToken, HttpContent? content = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        if (accessToken is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return request;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? accessToken, HttpContent? content = null, string? ifMatch = null) =>
        Process.Client.SendAsync(Request(method, path, accessToken, content, ifMatch));

    public Task<HttpResponseMessage> AsAdmin(HttpMethod method, string path, HttpContent? content = null, string? ifMatch = null) =>
        SendAsync(method, path, Admin.AccessToken, content, ifMatch);

    public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    /// <summary>Creates a user with a venue role at this appliance's venue and signs them in.</summary>
    public async Task<TokenResponse> CreateUserAsync(string email, string? venueRole, string[]? tenantRoles = null)
    {
        var request = new CreateUserRequest(email, email.Split('@')[0], "a long enough password", tenantRoles,
            venueRole is null ? [] : [new VenueRoleGrant(VenueId, venueRole)]);
        var response = await AsAdmin(HttpMethod.Post, $"/v1/tenants/{TenantId}/users", JsonContent.Create(request, ContractsJsonContext.Default.CreateUserRequest));
        response.EnsureSuccessStatusCode();
        return await LoginAsync(Process.Client, email, "a long enough password");
    }

    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public ValueTask DisposeAsync() => Process.DisposeAsync();
}
