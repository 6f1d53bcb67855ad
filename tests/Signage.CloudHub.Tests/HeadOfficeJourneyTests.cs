using System.Net.Http.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>
/// Head office's first morning, in real headless Chromium against the real hub and PostgreSQL: sign
/// in → the fleet (an enrolled appliance that has synced) → add a venue → make its enrollment code
/// and enroll an appliance with it → the new appliance appears on the open fleet page by itself →
/// the proof-of-play report, whose total equals the JSON API's and whose CSV ends with the same
/// total → upload a picture and see its thumbnail. At laptop and phone width; screenshots are kept
/// under artifacts/screenshots/hub-journey-&lt;width&gt;/.
/// </summary>
public sealed class HeadOfficeJourneyTests(HubFixture fixture) : HubTests(fixture)
{
    [Theory]
    [InlineData(1280, 900)]
    [InlineData(390, 844)]
    public async Task Head_office_signs_in_sees_the_fleet_enrolls_a_venue_reports_and_uploads_in_the_browser(int width, int height)
    {
        // An appliance at "Harbour" that has synced plays and its screens' status.
        var tenant = await Hub.CreateTenantAsync($"Brewery {width}");
        var harbour = await Hub.CreateVenueAsync(tenant, "Harbour");
        var first = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(tenant, harbour.VenueId)).Code, $"app_harbour_{width}",
            new EnrollVenue("local-harbour", "Harbour", "Europe/London"));
        SyncRecord[] records =
        [
            .. Enumerable.Range(0, 7).Select(i => TestRecords.Play($"p{i}", "2026-11-20", campaignId: i < 4 ? "cmp_winter" : null, durationMs: 15_000)),
            TestRecords.Play("p7", "2026-11-21", assetId: "ast_2"),
            // Not plays: counted in their own columns only (issue 16).
            TestRecords.Play("x1", "2026-11-21", durationMs: 4_000, result: "INTERRUPTED"), TestRecords.Play("x2", "2026-11-21", result: "ERROR"),
            TestRecords.Play("x3", "2026-11-21", durationMs: 0, result: "SKIPPED"),
            TestRecords.Status("s1", "dev_bar", "ONLINE", "2026-11-20T10:00:00Z"),
            TestRecords.Status("s2", "dev_door", "OFFLINE", "2026-11-20T10:00:00Z"),
        ];
        await Hub.SendAsync<SyncUpResponse>(HttpMethod.Post, "/v1/sync/up", first.Credential, new SyncUpRequest(records, 12));

        await using var chromium = await HeadlessChromium.StartAsync();
        var page = await chromium.OpenAsync(Url("/admin"));
        await page.ResizeAsync(width, height);
        var shots = Path.Combine(RepositoryRoot(), "artifacts", "screenshots", $"hub-journey-{width}");

        async Task Shot(string name)
        {
            await page.ScreenshotAsync(Path.Combine(shots, name + ".png"));
            // Usable on a phone: nothing makes the page itself scroll sideways.
            var wide = await page.EvaluateAsync($$"""
                document.documentElement.scrollWidth <= {{width}} ? "" : document.documentElement.scrollWidth + ": " +
                  [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > {{width}}).slice(0, 5).map(e => e.tagName + '.' + e.className).join(' ')
                """);
            Assert.True(wide == "", $"{name} is wider than {width} px: {wide}");
        }

        // 1. Not signed in: the sign-in page, which returns to where we were going.
        await page.GoAsync(Url("/admin/fleet"));
        Assert.Contains("Sign in to head office", await Text(page));
        await Shot("01-sign-in");
        await page.NavigateByAsync($$"""
            (() => { const f = document.querySelector('form[action="/admin/signin"]');
              f.email.value = {{Js(tenant.AdminEmail)}}; f.password.value = {{Js(tenant.AdminPassword)}}; f.requestSubmit(); })()
            """);

        // 2. The fleet: Harbour in contact, its backlog, one of two screens offline.
        Assert.EndsWith("/admin/fleet", await page.EvaluateAsync("location.pathname"));
        Assert.Equal("fresh", await page.EvaluateAsync($"document.getElementById('app_harbour_{width}').classList.contains('fresh') ? 'fresh' : 'not fresh'"));
        Assert.Equal("12", await page.EvaluateAsync($"document.querySelector('#app_harbour_{width} .backlog').textContent"));
        Assert.Equal("1", await page.EvaluateAsync("document.getElementById('offline-count').textContent"));
        await Shot("02-fleet");

        // 3. A new venue, then its enrollment code, shown once.
        await page.GoAsync(Url("/admin/venues"));
        await page.NavigateByAsync("""
            (() => { const f = document.getElementById('new-venue'); f.name.value = 'Dockside'; f.timezone.value = 'Europe/Dublin'; f.requestSubmit(); })()
            """);
        Assert.Contains("Venue created", await Text(page));
        var dockside = (await page.EvaluateAsync("location.pathname"))!.Split('/')[^1];
        await page.NavigateByAsync("document.getElementById('new-code').requestSubmit()");
        var code = (await page.EvaluateAsync("document.getElementById('code').textContent"))!;
        Assert.Matches("^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$", code);
        await Shot("03-enrollment-code");
        await page.GoAsync(Url($"/admin/venues/{dockside}"));
        Assert.Equal("0", await page.EvaluateAsync("document.querySelectorAll('#code').length")); // shown only once

        // 4. With the fleet page open, Dockside's appliance enrolls with that code and syncs: its card appears by itself.
        await page.GoAsync(Url("/admin/fleet"));
        Assert.Contains("Waiting for their appliance: Dockside", await Text(page));
        await page.EvaluateAsync("window.__samePage = true");
        var second = await Hub.EnrollAsync(code.ToLowerInvariant(), $"app_dockside_{width}", new EnrollVenue("local-dockside", "Dockside", "Europe/Dublin"));
        Assert.Equal(dockside, second.HubVenueId);
        await Hub.SendAsync<SyncUpResponse>(HttpMethod.Post, "/v1/sync/up", second.Credential, new SyncUpRequest([TestRecords.Play("d0", "2026-11-22")], 3));
        await page.WaitForAsync($"document.getElementById('app_dockside_{width}') !== null && window.__samePage === true", TimeSpan.FromSeconds(20));
        Assert.Equal("2", await page.EvaluateAsync("document.getElementById('appliance-count').textContent"));
        // Harbour stops syncing (its last contact an hour ago): its card turns red, still without a reload.
        await using (var connection = new Npgsql.NpgsqlConnection(Hub.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("UPDATE appliance SET last_contact_at = now() - interval '1 hour' WHERE appliance_id = @id;", connection);
            command.Parameters.AddWithValue("id", first.ApplianceId);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        await page.WaitForAsync($"document.getElementById('app_harbour_{width}').classList.contains('stale') && window.__samePage === true", TimeSpan.FromSeconds(20));
        Assert.Equal("1", await page.EvaluateAsync("document.getElementById('stale-count').textContent"));
        await Shot("04-fleet-live");

        // 5. The report for November by venue: the page's total is the JSON API's, the CSV ends with it.
        var api = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-01&to=2026-11-30&groupBy=venue", tenant.AdminToken, null);
        Assert.Equal(9, api.Total.Plays);
        await page.GoAsync(Url("/admin/reports"));
        await page.NavigateByAsync("""
            (() => { const f = document.querySelector('.report-form'); f.from.value = '2026-11-01'; f.to.value = '2026-11-30'; f.groupBy.value = 'venue'; f.requestSubmit(); })()
            """);
        Assert.Equal(api.Total.Plays.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.EvaluateAsync("document.getElementById('total-plays').textContent"));
        Assert.Equal(api.Total.TotalDurationMs.ToString(System.Globalization.CultureInfo.InvariantCulture), await page.EvaluateAsync("document.getElementById('total-duration').dataset.ms"));
        Assert.Equal(("1", "1", "1"), (await page.EvaluateAsync("document.getElementById('total-interrupted').textContent"),
            await page.EvaluateAsync("document.getElementById('total-failed').textContent"), await page.EvaluateAsync("document.getElementById('total-skipped').textContent")));
        Assert.Equal("2", await page.EvaluateAsync("document.querySelectorAll('.chart svg rect.bar').length"));
        Assert.Equal("Dockside,Harbour", await page.EvaluateAsync("[...document.querySelectorAll('.report-row td:first-child')].map(t => t.textContent).sort().join(',')"));
        await Shot("05-report");
        var csv = await AwaitedAsync(page, "fetch(document.getElementById('csv').href, { credentials: 'same-origin' }).then(r => r.text())");
        Assert.EndsWith($"TOTAL,,{ReportCsv.Counts(api.Total)}\r\n", csv);
        Assert.Equal(new ReportTotal(9, 7 * 15_000 + 2 * 10_000, 1, 4_000, 1, 1), api.Total);

        // 6. The shared library: upload a real JPEG with the page's script; its card shows a real thumbnail.
        await page.GoAsync(Url("/admin/library"));
        await page.EvaluateAsync("window.__beforeUpload = true");
        await page.SetFilesAsync("#files", Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-160x90.jpg"));
        await page.WaitForAsync("window.__beforeUpload === undefined && document.readyState === 'complete' && document.querySelectorAll('.card.asset').length === 1",
            TimeSpan.FromSeconds(60));
        await page.WaitForAsync("[...document.querySelectorAll('.card.asset img')].every(i => i.complete && i.naturalWidth === 320)", TimeSpan.FromSeconds(20));
        Assert.Equal("image/jpeg", await AwaitedAsync(page, "fetch(document.querySelector('.card.asset img').src).then(r => r.headers.get('content-type'))"));
        Assert.Contains("real-160x90.jpg", await Text(page));
        await Shot("06-library");
    }

    private Uri Url(string path) => new(Hub.BaseAddress, path);

    private static string Js(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static Task<string?> Text(HeadlessChromium.Tab page) => page.EvaluateAsync("document.body.innerText");

    /// <summary>The value a promise settles to (a fetch by the page, with the page's cookie).</summary>
    private static async Task<string> AwaitedAsync(HeadlessChromium.Tab page, string promise)
    {
        await page.EvaluateAsync($"window.__settled = undefined, ({promise}).then(v => window.__settled = String(v))");
        await page.WaitForAsync("window.__settled !== undefined", TimeSpan.FromSeconds(10));
        return (await page.EvaluateAsync("window.__settled"))!;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Appliance.sln"))) directory = directory.Parent;
        return directory?.FullName ?? throw new InvalidOperationException("No Appliance.sln above " + AppContext.BaseDirectory);
    }
}
