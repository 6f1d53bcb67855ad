using Signage.Contracts;

namespace Signage.CloudHub.Tests;

/// <summary>
/// Exactly-once under the COPY-first ingestion path (Sync/SyncUpEndpoints.cs): a batch is COPY'd
/// straight into play unless it meets a play the hub already has, then it is merged the careful way.
/// Its own class (own hub) because each test enrolls an appliance and enrollment is rate limited.
/// </summary>
public sealed class ExactlyOnceTests(HubFixture fixture) : SyncUpTestsBase(fixture)
{
    [Fact]
    public async Task The_same_play_twice_in_one_batch_is_stored_and_counted_once()
    {
        var (tenant, venue, appliance) = await EnrolledAsync("Stutterers");
        var play = TestRecords.Play("twice", "2026-11-19", durationMs: 3000);
        var result = await SendAsync(appliance, [play, TestRecords.Play("once", "2026-11-19", durationMs: 1000), play]);

        Assert.Equal((2, 1), (result.Accepted, result.Duplicates));
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM play WHERE venue_id = @v", ("v", venue.VenueId)));
        var report = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-19&to=2026-11-19&groupBy=day", tenant.AdminToken, null);
        Assert.Equal(new ReportTotal(2, 4000, 0, 0, 0, 0), report.Total);
    }

    [Fact]
    public async Task A_batch_overlapping_an_earlier_one_stores_and_counts_only_its_new_plays()
    {
        // The second batch takes the careful path (its COPY meets plays the hub has): the 30 old plays
        // must neither be stored again nor counted again, the 20 new ones must be both.
        var (tenant, venue, appliance) = await EnrolledAsync("Overlappers");
        await SendAsync(appliance, [.. Enumerable.Range(0, 40).Select(i => TestRecords.Play($"ov_{i:D3}", "2026-11-18", durationMs: 1000))]);
        var second = await SendAsync(appliance, [.. Enumerable.Range(10, 50).Select(i => TestRecords.Play($"ov_{i:D3}", "2026-11-18", durationMs: 1000))]);

        Assert.Equal((20, 30), (second.Accepted, second.Duplicates));
        Assert.Equal(60, await CountAsync("SELECT count(*) FROM play WHERE venue_id = @v", ("v", venue.VenueId)));
        var report = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-18&to=2026-11-18&groupBy=day", tenant.AdminToken, null);
        Assert.Equal(new ReportTotal(60, 60_000, 0, 0, 0, 0), report.Total);
    }

    [Fact]
    public async Task Concurrent_overlapping_batches_in_opposite_orders_neither_deadlock_nor_double_count()
    {
        // Two requests (e.g. an appliance's retry racing its first attempt, or two batches in flight)
        // carry shared plays in opposite orders; the hub writes in record-id order, so they wait, not deadlock.
        var (tenant, venue, appliance) = await EnrolledAsync("Crossers");
        SyncRecord[] forward = [.. Enumerable.Range(0, 400).Select(i => TestRecords.Play($"x_{i:D4}", "2026-11-17", durationMs: 500))];
        SyncRecord[] backward = [.. Enumerable.Range(200, 400).Reverse().Select(i => TestRecords.Play($"x_{i:D4}", "2026-11-17", durationMs: 500))];
        for (var round = 0; round < 3; round++)
        {
            var results = await Task.WhenAll(SendAsync(appliance, forward), SendAsync(appliance, backward));
            Assert.Equal(round == 0 ? 600 : 0, results.Sum(r => r.Accepted));
        }
        Assert.Equal(600, await CountAsync("SELECT count(*) FROM play WHERE venue_id = @v", ("v", venue.VenueId)));
        var report = await Hub.SendAsync<ProofOfPlayReport>(HttpMethod.Get, "/v1/reports/proof-of-play?from=2026-11-17&to=2026-11-17&groupBy=day", tenant.AdminToken, null);
        Assert.Equal(new ReportTotal(600, 300_000, 0, 0, 0, 0), report.Total);
    }
}
