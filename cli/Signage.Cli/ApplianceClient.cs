using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Signage.Contracts;

namespace Signage.Cli;

/// <summary>
/// The options every command that talks to a running appliance takes: where it is and who signs in.
/// Each falls back to an environment variable, so scripts never put a password on a command line.
/// </summary>
public sealed class ApplianceOptions
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public Option<string?> Url { get; } = new("--appliance", "-a") { Description = $"The appliance's address. Env: SIGNAGE_APPLIANCE. Default: {DefaultUrl}" };

    public Option<string?> Email { get; } = new("--email") { Description = "Sign in as this account. Env: SIGNAGE_EMAIL." };

    public Option<string?> Password { get; } = new("--password") { Description = "The account's password. Env: SIGNAGE_PASSWORD (preferred: a command line is visible to other users). Asked for when missing and stdin is a terminal." };

    public Option<string?> Venue { get; } = new("--venue") { Description = "The venue id, when the account can see more than one venue." };

    public void AddTo(Command command, bool withVenue = true)
    {
        command.Options.Add(Url);
        command.Options.Add(Email);
        command.Options.Add(Password);
        if (withVenue) command.Options.Add(Venue);
    }

    /// <summary>Checks the URL answers as an appliance, then signs in.</summary>
    public async Task<ApplianceClient> ConnectAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var url = parse.GetValue(Url) ?? Environment.GetEnvironmentVariable("SIGNAGE_APPLIANCE") ?? DefaultUrl;
        var email = parse.GetValue(Email) ?? Environment.GetEnvironmentVariable("SIGNAGE_EMAIL")
            ?? throw new CliException(ExitCodes.Usage, "Give the account to sign in with: --email or SIGNAGE_EMAIL.");
        var password = parse.GetValue(Password) ?? Environment.GetEnvironmentVariable("SIGNAGE_PASSWORD")
            ?? Terminal.PromptSecret($"Password for {email}: ")
            ?? throw new CliException(ExitCodes.Usage, "Give the password in SIGNAGE_PASSWORD (or --password); stdin is not a terminal to ask on.");
        var client = ApplianceClient.Create(url);
        try
        {
            client.Health = await client.HealthAsync(cancellationToken);
            await client.SignInAsync(email, password, cancellationToken);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>The --venue given, else the signed-in account's only venue.</summary>
    public async Task<VenueAccess> VenueAsync(ParseResult parse, ApplianceClient client, CancellationToken cancellationToken)
    {
        var venues = await client.GetAllAsync("/v1/me/venues", ContractsJsonContext.Default.ItemsResponseVenueAccess, cancellationToken);
        if (parse.GetValue(Venue) is { } wanted)
        {
            return venues.FirstOrDefault(v => v.VenueId == wanted)
                ?? throw new CliException(ExitCodes.NoPermission, $"This account has no access to venue '{wanted}'. Its venues: {Describe(venues)}.");
        }
        return venues.Count switch
        {
            1 => venues[0],
            0 => throw new CliException(ExitCodes.NoPermission, "This account has no venue on this appliance."),
            _ => throw new CliException(ExitCodes.Usage, $"This account sees several venues: pass --venue with one of {Describe(venues)}."),
        };
    }

    private static string Describe(IEnumerable<VenueAccess> venues) => string.Join(", ", venues.Select(v => $"{v.VenueId} ({v.Name})"));
}

/// <summary>
/// HTTP to one appliance, with every failure turned into a <see cref="CliException"/> that says what
/// to do: unreachable (69), not an appliance (69), wrong credentials or role (77), refused input (65),
/// rate-limited (75).
/// </summary>
public sealed class ApplianceClient : IDisposable
{
    private readonly HttpClient _http;

    private ApplianceClient(Uri baseAddress) =>
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>What GET /healthz said when the client connected.</summary>
    public HealthReport? Health { get; internal set; }

    public static ApplianceClient Create(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new CliException(ExitCodes.Usage, $"'{url}' is not an appliance address: give an http(s) URL such as http://192.168.1.20:5080.");
        return new ApplianceClient(new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"));
    }

    /// <summary>GET /healthz: proves the address is a signage appliance whose database answers.</summary>
    public async Task<HealthReport> HealthAsync(CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, "healthz"), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable && TryProblem(body) is { } problem)
            throw new CliException(ExitCodes.Unavailable, $"The appliance at {BaseAddress} is up but unhealthy: {problem.Detail}");
        try
        {
            if (response.IsSuccessStatusCode && JsonSerializer.Deserialize(body, ContractsJsonContext.Default.HealthReport) is { } health) return health;
        }
        catch (JsonException)
        {
        }
        throw new CliException(ExitCodes.Unavailable,
            $"{BaseAddress} answered, but not as a signage appliance (GET /healthz gave {(int)response.StatusCode} {response.ReasonPhrase}). Check the address and port.");
    }

    public async Task SignInAsync(string email, string password, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/auth/login")
        {
            Content = JsonContent.Create(new LoginRequest(email, password), ContractsJsonContext.Default.LoginRequest),
        };
        using var response = await SendRawAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.Unauthorized)
            throw new CliException(ExitCodes.NoPermission, $"The appliance refused the email or password for {email}.");
        await EnsureSuccessAsync(response, cancellationToken);
        var tokens = await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.TokenResponse, cancellationToken);
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens!.AccessToken);
    }

    public async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/')), cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync(type, cancellationToken))!;
    }

    /// <summary>Every item of a list endpoint: follows <c>nextCursor</c> (spec 27.1) with the largest page, 200.</summary>
    public async Task<List<T>> GetAllAsync<T>(string path, JsonTypeInfo<ItemsResponse<T>> type, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        var separator = path.Contains('?') ? '&' : '?';
        string? cursor = null;
        do
        {
            var page = await GetAsync($"{path}{separator}limit=200{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}", type, cancellationToken);
            items.AddRange(page.Items);
            // A server that gives the same cursor back would loop for ever.
            if (page.NextCursor == cursor) break;
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return items;
    }

    public async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = JsonContent.Create(body, requestType) };
        using var response = await SendRawAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, cancellationToken);
        return (await response.Content.ReadFromJsonAsync(responseType, cancellationToken))!;
    }

    /// <summary>A GET whose successful body the caller streams (CSV exports).</summary>
    public async Task<HttpResponseMessage> GetStreamAsync(string path, CancellationToken cancellationToken)
    {
        var response = await SendRawAsync(new HttpRequestMessage(HttpMethod.Get, path.TrimStart('/')), cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        try
        {
            await EnsureSuccessAsync(response, cancellationToken);
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, completion, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new CliException(ExitCodes.Unavailable,
                    $"Cannot reach the appliance at {BaseAddress}: {e.Message} Is it running (systemctl status signage), and are the address and port right?");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new CliException(ExitCodes.Unavailable, $"The appliance at {BaseAddress} did not answer within {_http.Timeout.TotalSeconds:0} s.");
            }
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var problem = TryProblem(await response.Content.ReadAsStringAsync(cancellationToken));
        var detail = problem is null ? $"{(int)response.StatusCode} {response.ReasonPhrase}" : Describe(problem);
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new CliException(ExitCodes.NoPermission, $"Not signed in: {detail}"),
            HttpStatusCode.Forbidden => new CliException(ExitCodes.NoPermission, $"This account may not do that: {detail}"),
            HttpStatusCode.TooManyRequests => new CliException(ExitCodes.TryLater,
                $"The appliance is rate-limiting these requests; try again in {response.Headers.RetryAfter?.Delta?.TotalSeconds ?? 60:0} s. ({detail})"),
            >= HttpStatusCode.InternalServerError => new CliException(ExitCodes.Failure, $"The appliance failed: {detail}"),
            _ => new CliException(ExitCodes.DataError, $"The appliance refused: {detail}"),
        };
    }

    private static string Describe(Problem problem)
    {
        var text = problem.Errors is { Count: > 0 } errors
            ? string.Join(" ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"))
            : problem.Detail ?? problem.Title ?? "no detail";
        return problem.Code is null ? text : $"{text} ({problem.Code})";
    }

    private static Problem? TryProblem(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            Dictionary<string, string[]>? errors = null;
            if (root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object)
            {
                errors = e.EnumerateObject().ToDictionary(p => p.Name,
                    p => p.Value.ValueKind == JsonValueKind.Array ? p.Value.EnumerateArray().Select(v => v.ToString()).ToArray() : [p.Value.ToString()]);
            }
            return new Problem(String(root, "title"), String(root, "detail"), String(root, "code"), errors);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record Problem(string? Title, string? Detail, string? Code, Dictionary<string, string[]>? Errors);

    public void Dispose() => _http.Dispose();
}
