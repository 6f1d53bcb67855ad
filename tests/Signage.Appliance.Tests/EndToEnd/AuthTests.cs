using System.Net;
using System.Net.Http.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>Sign-in, tokens and rate limits against the native binary.</summary>
public sealed class AuthTests : ApplianceApiTests
{
    private HttpClient Client => Api.Process.Client;

    [Fact]
    public async Task Scripted_install_admin_signs_in_and_sees_tenant_admin_role_and_the_venue()
    {
        Assert.Equal("Bearer", Api.Admin.TokenType);
        Assert.Equal(900, Api.Admin.ExpiresInSeconds);

        var me = await (await Api.AsAdmin(HttpMethod.Get, "/v1/me")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.MeResponse);
        Assert.Equal(AdminEmail, me!.Email);
        Assert.Equal([Roles.TenantAdmin], me.TenantRoles);

        var venues = await (await Api.AsAdmin(HttpMethod.Get, "/v1/me/venues")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseVenueAccess);
        var venue = Assert.Single(venues!.Items);
        Assert.Equal(("The Crown", "Europe/London", Roles.VenueManager), (venue.Name, venue.Timezone, venue.Role));
    }

    [Theory]
    [InlineData(AdminEmail, "Tr0ub4dor&3")]
    [InlineData("nobody@venue.test", AdminPassword)]
    public async Task Wrong_email_or_password_is_the_same_401_and_is_audited(string email, string password)
    {
        var response = await Client.PostAsJsonAsync("/v1/auth/login", new LoginRequest(email, password), ContractsJsonContext.Default.LoginRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(("INVALID_CREDENTIALS", "The email or password is wrong."), (problem.GetProperty("code").GetString(), problem.GetProperty("detail").GetString()));

        var audit = await (await Api.AsAdmin(HttpMethod.Get, $"/v1/venues/{Api.VenueId}/audit")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseAuditEntry);
        Assert.Contains(audit!.Items, e => e.Action == "LOGIN_FAILED" && e.Details.Contains(email, StringComparison.Ordinal));
        Assert.DoesNotContain(audit.Items, e => e.Details.Contains(password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Sixth_login_attempt_in_a_minute_for_one_account_is_429_with_retry_after()
    {
        HttpResponseMessage last = null!;
        for (var i = 0; i < 6; i++)
            last = await Client.PostAsJsonAsync("/v1/auth/login", new LoginRequest("victim@venue.test", "guess " + i), ContractsJsonContext.Default.LoginRequest);

        Assert.Equal(HttpStatusCode.TooManyRequests, last.StatusCode);
        var retryAfter = int.Parse(last.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        Assert.Equal("0", last.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.Equal("5", last.Headers.GetValues("X-RateLimit-Limit").Single());
        var problem = await ProblemAsync(last);
        Assert.Equal(("RATE_LIMITED", retryAfter), (problem.GetProperty("code").GetString(), problem.GetProperty("retryAfterSeconds").GetInt32()));
    }

    [Fact]
    public async Task Refresh_rotates_the_token_and_reusing_a_spent_one_signs_out_the_whole_session()
    {
        var first = Api.Admin.RefreshToken;
        var rotated = await Refresh(first);
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        var second = (await rotated.Content.ReadFromJsonAsync(ContractsJsonContext.Default.TokenResponse))!;
        Assert.NotEqual(first, second.RefreshToken);
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Get, "/v1/me", second.AccessToken)).StatusCode);

        var reuse = await Refresh(first);
        Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
        Assert.Equal("INVALID_REFRESH_TOKEN", (await ProblemAsync(reuse)).GetProperty("code").GetString());
        // The thief's copy and the rightful new token are both dead now.
        Assert.Equal(HttpStatusCode.Unauthorized, (await Refresh(second.RefreshToken)).StatusCode);
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token()
    {
        var logout = await Client.PostAsJsonAsync("/v1/auth/logout", new RefreshRequest(Api.Admin.RefreshToken), ContractsJsonContext.Default.RefreshRequest);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Refresh(Api.Admin.RefreshToken)).StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not-a-jwt")]
    [InlineData("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJ0eXAiOiJ1c2VyIiwic3ViIjoieCIsInRpZCI6InkifQ.")]
    public async Task Missing_malformed_or_unsigned_tokens_are_401(string? token)
    {
        var response = await Api.SendAsync(HttpMethod.Get, "/v1/me", token);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("UNAUTHORIZED", (await ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task Token_with_a_tampered_payload_is_401()
    {
        var parts = Api.Admin.AccessToken.Split('.');
        var payload = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(parts[1].PadRight(parts[1].Length + (4 - parts[1].Length % 4) % 4, '=').Replace('-', '+').Replace('_', '/')));
        var forged = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(payload.Replace(Api.Admin.User.UserId, "usr_someone_else", StringComparison.Ordinal)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        Assert.Equal(HttpStatusCode.Unauthorized, (await Api.SendAsync(HttpMethod.Get, "/v1/me", $"{parts[0]}.{forged}.{parts[2]}")).StatusCode);
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public async Task Signing_key_is_owner_only_and_tokens_survive_a_restart()
    {
        var key = Temp.Combine("data", "keys", "token-signing.key");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
        await Api.Process.StopAsync();

        await using var again = await ApplianceProcess.StartAsync(Temp.Combine("data"));
        Assert.Equal(HttpStatusCode.OK, (await again.Client.SendAsync(Request(HttpMethod.Get, "/v1/me", Api.Admin.AccessToken))).StatusCode);
    }

    [Theory]
    [InlineData("{\"email\": \"a@b.c\"", "MALFORMED_JSON")]
    [InlineData("{\"email\": 42, \"password\": \"x\"}", "MALFORMED_JSON")]
    [InlineData("{\"email\": \"a@b.c\"}", "MALFORMED_JSON")]
    [InlineData("[]", "MALFORMED_JSON")]
    public async Task Malformed_login_bodies_are_400_problems(string body, string code)
    {
        var response = await Client.PostAsync("/v1/auth/login", Json(body));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await ProblemAsync(response)).GetProperty("code").GetString());
    }

    [Fact]
    public async Task Oversized_body_is_413()
    {
        // Expect: 100-continue lets the appliance refuse before the client streams 2 MB into a closed socket.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/auth/login")
        {
            Content = Json($"{{\"email\":\"{new string('a', 2_000_000)}\",\"password\":\"x\"}}"),
        };
        request.Headers.ExpectContinue = true;
        var response = await Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("PAYLOAD_TOO_LARGE", (await ProblemAsync(response)).GetProperty("code").GetString());
    }

    private Task<HttpResponseMessage> Refresh(string token) =>
        Client.PostAsJsonAsync("/v1/auth/refresh", new RefreshRequest(token), ContractsJsonContext.Default.RefreshRequest);
}
