using System.Net;
using System.Text.RegularExpressions;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>
/// A plain HTTP client for the head-office pages, as a browser without JavaScript uses them: it keeps
/// the cookies itself (they are Secure, which HttpClient's cookie container would not send over
/// http://127.0.0.1), follows no redirect, and posts forms with the antiforgery token of the page
/// that shows them.
/// </summary>
public sealed partial class PageClient(HubApi hub) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = hub.BaseAddress };
    private readonly Dictionary<string, string> _cookies = [];

    public IReadOnlyDictionary<string, string> Cookies => _cookies;

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>Opens <paramref name="formPage"/> for its antiforgery token, then posts <paramref name="fields"/> to <paramref name="action"/>.</summary>
    public async Task<HttpResponseMessage> PostFormAsync(string formPage, string action, IDictionary<string, string> fields)
    {
        string token;
        using (var page = await GetAsync(formPage))
        {
            token = TokenField().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        }
        var all = new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = token };
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, action) { Content = new FormUrlEncodedContent(all) });
    }

    /// <summary>Signs in through the sign-in page; fails unless the hub answers with the redirect of a success.</summary>
    public async Task SignInAsync(string email, string password)
    {
        using var response = await PostFormAsync("/admin/signin", "/admin/signin", new Dictionary<string, string> { ["email"] = email, ["password"] = password });
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Sign-in as {email} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{HubLog}");
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (_cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        var response = await _http.SendAsync(request);
        foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = header.Split(';')[0];
            var (name, value) = (pair[..pair.IndexOf('=')], pair[(pair.IndexOf('=') + 1)..]);
            if (value.Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) _cookies.Remove(name);
            else _cookies[name] = value;
        }
        return response;
    }

    /// <summary>The hub's last lines of output, for a failure message.</summary>
    public string HubLog => string.Join('\n', hub.Process.Output.TakeLast(40));

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
