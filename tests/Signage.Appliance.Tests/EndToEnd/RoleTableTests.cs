using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// docs/ROLES.md is the access table: every route of the published binary is in it with the rule it
/// declares, and every route answers every role as its row says (issue 16). A route added without a
/// row, or with another rule, fails here.
/// </summary>
public sealed partial class RoleTableTests : ApplianceApiTests
{
    private static readonly string[] RoleColumns =
        ["TENANT_ADMIN", "TENANT_VIEWER", "VENUE_MANAGER", "VENUE_EDITOR", "VENUE_VIEWER", "device", "anonymous"];

    // Limits would turn the matrix's many calls into 429s, which say nothing about roles.
    protected override IDictionary<string, string>? Environment => new Dictionary<string, string> { ["RateLimits__Enabled"] = "false" };

    private sealed record Row(string Method, string Route, string Rule, IReadOnlyDictionary<string, bool> Allowed);

    [Fact]
    public async Task Every_route_of_the_binary_is_in_the_roles_table_with_the_rule_it_declares()
    {
        var declared = await RouteTableAsync();
        var documented = ReadTable();

        Assert.NotEmpty(declared);
        var undocumented = declared.Keys.Except(documented.Keys).Order().ToList();
        Assert.True(undocumented.Count == 0, "Routes missing from docs/ROLES.md:\n" + string.Join('\n', undocumented.Select(k => $"{k} {declared[k]}")));
        var gone = documented.Keys.Except(declared.Keys).Order().ToList();
        Assert.True(gone.Count == 0, "docs/ROLES.md lists routes the binary does not have:\n" + string.Join('\n', gone));
        var wrongRule = declared.Where(d => documented[d.Key].Rule != d.Value).Select(d => $"{d.Key}: binary {d.Value}, docs {documented[d.Key].Rule}").ToList();
        Assert.True(wrongRule.Count == 0, "Rules differ:\n" + string.Join('\n', wrongRule));
        Assert.DoesNotContain(declared, d => d.Value == "NONE");
    }

    [Fact]
    public async Task Every_route_answers_every_role_as_the_roles_table_says()
    {
        var table = ReadTable();
        var (_, deviceToken) = await Api.PairScreenAsync("Bar left");
        var tokens = new Dictionary<string, string?>
        {
            ["TENANT_ADMIN"] = Api.Admin.AccessToken,
            ["TENANT_VIEWER"] = (await Api.CreateUserAsync("tenant-viewer@venue.test", null, [Roles.TenantViewer])).AccessToken,
            ["VENUE_MANAGER"] = (await Api.CreateUserAsync("manager@venue.test", Roles.VenueManager)).AccessToken,
            ["VENUE_EDITOR"] = (await Api.CreateUserAsync("editor@venue.test", Roles.VenueEditor)).AccessToken,
            ["VENUE_VIEWER"] = (await Api.CreateUserAsync("viewer@venue.test", Roles.VenueViewer)).AccessToken,
            ["device"] = deviceToken,
            ["anonymous"] = null,
        };
        var emails = new Dictionary<string, string>
        {
            ["TENANT_ADMIN"] = ApplianceApi.AdminEmail,
            ["TENANT_VIEWER"] = "tenant-viewer@venue.test",
            ["VENUE_MANAGER"] = "manager@venue.test",
            ["VENUE_EDITOR"] = "editor@venue.test",
            ["VENUE_VIEWER"] = "viewer@venue.test",
        };

        var failures = new List<string>();
        var calls = 0;
        foreach (var role in RoleColumns)
        {
            // Pages: a browser with that person's session cookie and a form token; the screen and the
            // anonymous caller have no session (the screen sends its device token).
            using var browser = Browser(role == "device" ? deviceToken : null);
            if (emails.TryGetValue(role, out var email))
            {
                var password = role == "TENANT_ADMIN" ? ApplianceApi.AdminPassword : "a long enough password";
                var signedIn = await PostFormAsync(browser, "/admin/signin", await FormTokenAsync(browser), ("email", email), ("password", password));
                Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            }
            var formToken = role == "device" ? null : await FormTokenAsync(browser);
            // Sign-out last: it ends the session the other pages need.
            foreach (var row in table.Values.OrderBy(r => r.Route == "/admin/signout").ThenBy(r => r.Route, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal))
            {
                var path = Fill(row.Route);
                var page = row.Route.StartsWith("/admin", StringComparison.Ordinal);
                using var response = page
                    ? await SendPageAsync(browser, row.Method, path, formToken)
                    : await Api.Process.Client.SendAsync(ApiRequest(row.Method, path, tokens[role]));
                calls++;
                var verdict = await VerdictAsync(response, page, role, row.Rule);
                if (verdict is null || verdict.Value != row.Allowed[role])
                {
                    failures.Add($"{row.Method} {row.Route} as {role}: {(int)response.StatusCode} {response.Headers.Location}; table says {(row.Allowed[role] ? "allowed" : "refused")}" +
                        (verdict is null ? " (neither: a refusal must be precise, an answer never 5xx)" : ""));
                }
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls differ from docs/ROLES.md:\n" + string.Join('\n', failures));
        Assert.Equal(table.Count * RoleColumns.Length, calls);
    }

    /// <summary>True: let through to the handler; false: refused exactly as the rules say; null: neither
    /// (a 5xx, or a refusal of the wrong shape).</summary>
    private static async Task<bool?> VerdictAsync(HttpResponseMessage response, bool page, string role, string rule)
    {
        var status = (int)response.StatusCode;
        if (status >= 500) return null;
        var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
        var toSignIn = response.StatusCode == HttpStatusCode.Redirect
            && response.Headers.Location?.OriginalString.StartsWith("/admin/signin", StringComparison.Ordinal) == true;
        if (role == "anonymous")
        {
            // A page goes to sign-in; what a page's script fetches answers 401.
            // (Sign-out's own answer is the sign-in page too: on an open route it is the handler's.)
            if (page) return (toSignIn && rule != "Anyone") || status == 401 ? false : status == 403 ? null : true;
            if (status == 401) return problem && await CodeAsync(response) == ProblemCodes.Unauthorized ? false : null;
            return status == 403 ? null : true;
        }
        if (status == 401) return null;
        if (status != 403) return true;
        // A page refusal is the 403 "Not allowed" page for a person, a problem for a device token.
        if (page && role != "device") return (await response.Content.ReadAsStringAsync()).Contains("Not allowed", StringComparison.Ordinal) ? false : null;
        return problem && await CodeAsync(response) == ProblemCodes.Forbidden ? false : null;
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString();

    /// <summary>Route values: this appliance's tenant and venue; any other id is one that does not
    /// exist, so an allowed call is answered (404, 400, ...) without changing anything.</summary>
    private string Fill(string route) => RouteValue().Replace(route, m => m.Groups[1].Value switch
    {
        "venueId" => Api.VenueId,
        "tenantId" => Api.TenantId,
        "sha256" => new string('0', 64),
        _ => "not-a-real-id",
    });

    private static HttpRequestMessage ApiRequest(string method, string path, string? token)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (method is "POST" or "PUT" or "PATCH") request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return request;
    }

    private static Task<HttpResponseMessage> SendPageAsync(HttpClient browser, string method, string path, string? formToken) =>
        method == "GET" ? browser.GetAsync(path) : PostFormAsync(browser, path, formToken);

    private HttpClient Browser(string? deviceToken)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = Api.Process.BaseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
        if (deviceToken is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", deviceToken);
        return client;
    }

    private static async Task<string> FormTokenAsync(HttpClient browser) =>
        WebUtility.HtmlDecode(TokenField().Match(await browser.GetStringAsync("/admin/signin")).Groups[1].Value);

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient client, string path, string? token, params (string Name, string Value)[] fields)
    {
        var values = fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)).ToList();
        if (token is not null) values.Add(new("__RequestVerificationToken", token));
        return client.PostAsync(path, new FormUrlEncodedContent(values));
    }

    /// <summary>"METHOD /route" → the rule the binary declares, from <c>signage-appliance --routes</c>.</summary>
    private async Task<Dictionary<string, string>> RouteTableAsync()
    {
        var (exitCode, output) = await ApplianceProcess.RunToExitAsync(["--routes", "--data-dir", Temp.Combine("routes")]);
        Assert.Equal(0, exitCode);
        return output.Select(line => RouteLine().Match(line)).Where(m => m.Success)
            .ToDictionary(m => $"{m.Groups[1].Value} {m.Groups[2].Value}", m => m.Groups[3].Value);
    }

    /// <summary>The rows of every table in docs/ROLES.md whose first cell is an HTTP method.</summary>
    private static Dictionary<string, Row> ReadTable()
    {
        var rows = new Dictionary<string, Row>();
        string[]? header = null;
        foreach (var line in File.ReadLines(Path.Combine(NativeAppliance.RepositoryRoot, "docs", "ROLES.md")))
        {
            if (!line.StartsWith('|')) { header = null; continue; }
            var cells = line.Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            if (cells[0] == "Method") { header = cells; continue; }
            if (header is null || !HttpMethods().IsMatch(cells[0])) continue;
            var allowed = RoleColumns.ToDictionary(r => r, r => cells[Array.IndexOf(header, r)] switch
            {
                "yes" => true,
                "no" => false,
                var other => throw new InvalidOperationException($"docs/ROLES.md: '{other}' in {line}; write yes or no."),
            });
            var row = new Row(cells[0], cells[1].Trim('`'), cells[2], allowed);
            Assert.True(rows.TryAdd($"{row.Method} {row.Route}", row), $"docs/ROLES.md lists {row.Method} {row.Route} twice.");
        }
        return rows;
    }

    [GeneratedRegex(@"^(GET|POST|PUT|PATCH|DELETE) (/\S*) (\S+)$")]
    private static partial Regex RouteLine();

    [GeneratedRegex("^(GET|POST|PUT|PATCH|DELETE)$")]
    private static partial Regex HttpMethods();

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex RouteValue();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
