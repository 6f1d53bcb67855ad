using System.Diagnostics;
using Npgsql;
using Signage.Appliance.Tests.Infrastructure;
using Signage.TestInfrastructure;
using Xunit.Abstractions;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// A slow and broken network between an appliance and its hub (issue 10): the appliance knows the hub only through a
/// <see cref="FaultyLink"/> that adds latency, resets connections in the middle of requests and answers, and refuses
/// connections for a while, all while a screen posts plays. Every part is real: the native appliance, the hub process,
/// PostgreSQL.
/// </summary>
public sealed class HubNetworkFaultTests(ITestOutputHelper output) : IAsyncLifetime
{
    // A stated bound for the appliance's resident memory through the whole run (it idles at about 60–90 MB); a
    // backlog that grew in memory, or connections that piled up, would pass it.
    private const long RssBoundBytes = 200L * 1024 * 1024;

    private readonly TempDirectory _temp = new();
    private HubApi? _hub;
    private SyncedVenue? _venue;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_venue is not null) await _venue.DisposeAsync();
        if (_hub is not null) await _hub.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Plays_synced_over_a_slow_link_that_cuts_requests_mid_way_reach_the_hub_exactly_once_with_the_appliance_memory_bounded()
    {
        _hub = await HubApi.StartAsync(await PostgresServer.SharedAsync());
        await using var link = FaultyLink.Start(_hub.BaseAddress, seed: 1123);
        var tenant = await _hub.CreateTenantAsync("Bad Network");
        var hubVenue = await _hub.CreateVenueAsync(tenant, "Bad Network Central");
        _venue = await SyncedVenue.StartAsync(_temp.Combine("venue"), batchSize: 100);
        await _venue.EnrollAsync(_hub, tenant, hubVenue.VenueId, via: link.Address);
        await _venue.WaitUntilDrainedAsync();

        using var sampling = new CancellationTokenSource();
        var peakRss = SamplePeakRssAsync(_venue.Api.Process.Id, sampling.Token);
        var clock = Stopwatch.StartNew();

        // 40 ms per chunk each way throughout. Rounds 0–2 and 8–11: one chunk in 12 (either way) cut part-way with a
        // reset of both sides, so requests are cut before the hub has the whole batch and answers after it committed one.
        // Rounds 3–5: every answer cut as it starts (the hub committed the batch, the appliance never heard; the re-sent
        // batch must not count twice). Rounds 6–7: open connections are cut and the hub's address refuses every new one.
        link.Latency = TimeSpan.FromMilliseconds(40);
        const int Rounds = 12, PlaysPerRound = 500;
        for (var round = 0; round < Rounds; round++)
        {
            // While refusing, the pooled connection is cut too, or the sender would never open a new one.
            link.CutChance = round is < 3 or >= 8 ? 1.0 / 12 : round is 6 or 7 ? 1.0 : 0;
            link.CutAnswers = round is >= 3 and < 6;
            link.Refusing = round is 6 or 7;
            await _venue.PostPlaysAsync(PlaysPerRound, "2026-11-20T10:00:00Z");
            await Task.Delay(1000);
            // The sender may be backing off through both refusing rounds: keep refusing until it has met a refusal.
            for (var wait = Stopwatch.StartNew(); round == 7 && link.Refusals == 0 && wait.Elapsed < TimeSpan.FromSeconds(30);)
                await Task.Delay(100);
        }
        var faulty = clock.Elapsed;
        var (cuts, answersCut, refusals, connections) = (link.Cuts, link.AnswersCut, link.Refusals, link.Connections);
        var syncUpsCut = link.CutRequests.Count(r => r.StartsWith("POST /v1/sync/up", StringComparison.Ordinal));
        var midway = await _venue.StatusAsync();

        link.Heal();
        await _venue.WaitUntilDrainedAsync(seconds: 60);
        var drained = clock.Elapsed;
        await sampling.CancelAsync();
        var peak = await peakRss;

        const long Posted = (long)Rounds * PlaysPerRound;
        var (rows, distinct, daily) = await HubCountsAsync(_hub, hubVenue.VenueId);
        output.WriteLine($"{Posted} plays posted over {faulty.TotalSeconds:0.0} s of faults: {connections} connections, {cuts} cut by the link ({answersCut} while the answer came back; {syncUpsCut} during POST /v1/sync/up), "
            + $"{refusals} refused; backlog when healed {midway.Backlog} (last error: {midway.LastError}); drained {(drained - faulty).TotalSeconds:0.0} s later; "
            + $"hub rows {rows}, distinct {distinct}, play_daily {daily}; appliance peak RSS {peak / 1024.0 / 1024.0:0.0} MB; load {File.ReadAllText("/proc/loadavg")[..14]}");

        Assert.True(cuts >= 5, $"the link cut only {cuts} connections: the test did not test cuts");
        Assert.True(syncUpsCut >= 3, $"only {syncUpsCut} batch uploads were cut");
        Assert.True(answersCut >= 1, "no answer was cut: the re-sent batch the hub already had was not tested");
        Assert.True(refusals >= 1, "the link refused no connection");
        Assert.Equal((Posted, Posted, Posted), (rows, distinct, daily));
        Assert.Equal(Posted, await _venue.LocalPlaysAsync("2026-11-20"));
        Assert.InRange(peak, 1, RssBoundBytes);
    }

    /// <summary>The highest VmRSS of the process, read from /proc every 100 ms until cancelled.</summary>
    private static async Task<long> SamplePeakRssAsync(int pid, CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            peak = Math.Max(peak, long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024);
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        return peak;
    }

    private static async Task<(long Rows, long Distinct, long Daily)> HubCountsAsync(HubApi hub, string hubVenueId)
    {
        await using var connection = new NpgsqlConnection(hub.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT count(*), count(DISTINCT record_id), (SELECT coalesce(sum(plays), 0)::bigint FROM play_daily WHERE venue_id = @v) FROM play WHERE venue_id = @v;",
            connection);
        command.Parameters.AddWithValue("v", hubVenueId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}
