using System.Net;
using Signage.Contracts;

namespace Signage.CloudHub.Tests;

/// <summary>The head-office sign-in session: signing out revokes it on the hub, and the sign-in page is
/// rate-limited like the JSON login. A class (so a hub) of its own, so the other page tests' sign-ins do
/// not count against the per-address limit.</summary>
public sealed class HeadOfficeSessionTests(HubFixture fixture) : HubTests(fixture)
{
    private const string Password = "people-password-1";

    [Fact]
    public async Task Signing_out_ends_the_session_even_for_a_copied_cookie_and_wrong_passwords_are_rate_limited()
    {
        var tenant = await Hub.CreateTenantAsync("echo");
        var viewer = await Hub.SendAsync<UserResponse>(HttpMethod.Post, $"/v1/tenants/{tenant.TenantId}/users", tenant.AdminToken,
            new CreateUserRequest("viewer@echo.test", "Viewer", Password, [Roles.TenantViewer]));
        using var admin = new PageClient(Hub);
        await admin.SignInAsync(tenant.AdminEmail, tenant.AdminPassword);
        var cookie = admin.Cookies.Single(c => c.Key == "__Host-signage-hub");
        using (var fleet = await admin.GetAsync("/admin/fleet")) Assert.Equal(HttpStatusCode.OK, fleet.StatusCode);
        using (var signedOut = await admin.PostFormAsync("/admin/fleet", "/admin/signout", new Dictionary<string, string>()))
            Assert.Equal(HttpStatusCode.Redirect, signedOut.StatusCode);

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = Hub.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/admin/fleet");
        request.Headers.Add("Cookie", $"{cookie.Key}={cookie.Value}");
        using var replayed = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.StartsWith("/admin/signin", replayed.Headers.Location!.OriginalString);

        // The sign-in page shares the JSON login's per-account limit (10 a minute).
        using var guesser = new PageClient(Hub);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            using var attempt = await guesser.PostFormAsync("/admin/signin", "/admin/signin", new Dictionary<string, string> { ["email"] = viewer.Email, ["password"] = "wrong-" + i });
            statuses.Add(attempt.StatusCode);
        }
        Assert.All(statuses.Take(10), s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[10]);
    }
}
