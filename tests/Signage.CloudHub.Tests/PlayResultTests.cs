using System.Net;
using Signage.Contracts;

namespace Signage.CloudHub.Tests;

/// <summary>Issue 16 at the hub: only a COMPLETED PLAY_END is a play; the other results are counted in their own columns of
/// play_daily and of the head-office report. A class of its own: a hub process of its own, so its enrollments stay within
/// the per-address redeem limit.</summary>
public sealed class PlayResultTests(HubFixture fixture) : SyncUpTestsBase(fixture)
{
    /// <summary>Issue 16: only a COMPLETED PLAY_END is a play at the hub too; each other result is counted in its own column of
    /// play_daily, in every grouping of the head-office JSON report and its CSV, rows and TOTAL alike.</summary>
    [Theory]
    [InlineData("COMPLETED", 1, 9_000, 0, 0, 0, 0)]
    [InlineData("INTERRUPTED", 0, 0, 1, 9_000, 0, 0)]
    [InlineData("ERROR", 0, 0, 0, 0, 1, 0)]
    [InlineData("SKIPPED", 0, 0, 0, 0, 0, 1)]
    public async Task A_play_end_is_counted_by_its_result_in_the_head_office_json_and_csv_and_only_completed_is_a_play(string result, long plays,
        long durationMs, long interrupted, long interruptedMs, long failed, long skipped)
    {
        var (tenant, _, appliance) = await EnrolledAsync("Results " + result);
        Assert.Equal(1, (await SendAsync(appliance, [TestRecords.Play("r1", "2026-11-20", durationMs: 9_000, result: result)])).Accepted);

        var expected = $"{plays},{durationMs},{interrupted},{interruptedMs},{failed},{skipped}";
        foreach (var groupBy in new[] { "campaign", "venue", "content", "day" })
        {
            var json = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, $"/v1/reports/proof-of-play?from=2026-11-20&to=2026-11-20&groupBy={groupBy}", tenant.AdminToken, null);
            var row = Assert.Single(json.Rows);
            Assert.Equal(expected, $"{row.Plays},{row.TotalDurationMs},{row.Interrupted},{row.InterruptedDurationMs},{row.Failed},{row.Skipped}");
            Assert.Equal(new ReportTotal(plays, durationMs, interrupted, interruptedMs, failed, skipped), json.Total);
            using var csv = await Hub.RawAsync(HttpMethod.Get, $"/v1/reports/proof-of-play.csv?from=2026-11-20&to=2026-11-20&groupBy={groupBy}", tenant.AdminToken);
            var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal([$"{groupBy},label,plays,totalDurationMs,interrupted,interruptedDurationMs,failed,skipped", $"{row.Key},{row.Label},{expected}",
                $"TOTAL,,{expected}"], lines);
        }
    }

    /// <summary>Both ways into play_daily count by result: the COPY path (a new batch, summed in memory) and the careful
    /// path (a batch holding plays the hub already has, summed in SQL from the rows inserted).</summary>
    [Fact]
    public async Task Plays_of_every_result_count_by_result_on_the_copy_path_and_on_the_resend_path_alike()
    {
        var (tenant, _, appliance) = await EnrolledAsync("Both paths");
        SyncRecord[] Mixed(string prefix) =>
        [
            TestRecords.Play($"{prefix}_c1", "2026-11-23", durationMs: 10_000), TestRecords.Play($"{prefix}_c2", "2026-11-23", durationMs: 10_000),
            TestRecords.Play($"{prefix}_i", "2026-11-23", durationMs: 3_500, result: "INTERRUPTED"),
            TestRecords.Play($"{prefix}_e", "2026-11-23", durationMs: 1_000, result: "ERROR"),
            TestRecords.Play($"{prefix}_s", "2026-11-23", durationMs: 0, result: "SKIPPED"),
            TestRecords.Play($"{prefix}_st", "2026-11-23", "PLAY_START"),
        ];
        var first = Mixed("a");
        Assert.Equal(6, (await SendAsync(appliance, first)).Accepted);
        // The same six again with six new ones: a unique violation on COPY sends this batch the careful way.
        var second = await SendAsync(appliance, [.. first, .. Mixed("b")]);
        Assert.Equal((6, 6), (second.Accepted, second.Duplicates));

        var report = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-23&to=2026-11-23&groupBy=day", tenant.AdminToken, null);
        Assert.Equal(new ReportTotal(4, 40_000, 2, 7_000, 2, 2), report.Total);
    }

    [Fact]
    public async Task A_play_end_without_one_of_the_four_results_is_refused_and_nothing_of_its_batch_is_stored()
    {
        var (_, venue, appliance) = await EnrolledAsync("Resultless");
        using var response = await Hub.RawAsync(HttpMethod.Post, "/v1/sync/up", appliance.Credential, new SyncUpRequest(
            [TestRecords.Play("ok", "2026-11-24"), TestRecords.Play("bad", "2026-11-24", result: "PLAYED")], 0));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("result must be one of COMPLETED, SKIPPED, ERROR, INTERRUPTED", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM play WHERE venue_id = @v", ("v", venue.VenueId)));
    }
}
