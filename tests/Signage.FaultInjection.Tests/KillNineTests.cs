using System.Net;
using System.Net.Http.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Xunit.Abstractions;

namespace Signage.FaultInjection.Tests;

/// <summary>
/// "Never lose a play, never count one twice": screens post plays continuously while the native appliance
/// is killed with SIGKILL at random moments and restarted on the same data directory. Each screen keeps a
/// durable journal of the event ids that got a 2xx and re-sends every batch that did not, as the player does.
/// Short run: 10 kills; long run: <c>FAULTS_KILL_ITERATIONS=100</c>.
/// </summary>
public sealed class KillNineTests(ITestOutputHelper output)
{
    private const int Screens = 4;
    private const int BatchSize = 10;
    private static readonly Dictionary<string, string> Environment = new() { ["RateLimits__Enabled"] = "false", ["SIGNAGE_FFMPEG"] = "none" };

    private static int Iterations =>
        int.TryParse(System.Environment.GetEnvironmentVariable("FAULTS_KILL_ITERATIONS"), out var n) && n > 0 ? n : 10;

    [Fact]
    public async Task Kill_9_at_random_moments_during_ingestion_loses_no_acknowledged_play_and_counts_none_twice()
    {
        using var temp = new TempDirectory();
        var data = temp.Combine("data");
        var api = await ApplianceApi.StartAsync(data, Environment);
        var venue = await PlayingVenue.SetUpAsync(api);
        var screens = new List<SimulatedScreen>();
        for (var i = 0; i < Screens; i++) screens.Add(new SimulatedScreen((await api.PairScreenAsync($"Screen {i}")).Token, venue, temp.Combine($"screen-{i}.acked")));

        var live = new Live { Api = api };
        using var stop = new CancellationTokenSource();
        var ingesting = screens.Select(s => s.RunAsync(() => live.Api, stop.Token)).ToArray();
        var random = new Random(20261123);
        var checks = new List<string>();
        try
        {
            for (var kill = 1; kill <= Iterations; kill++)
            {
                var before = screens.Sum(s => s.Acknowledged.Count);
                await Task.Delay(random.Next(100, 800));
                await live.Api.Process.DisposeAsync(); // SIGKILL, mid-batch more often than not
                checks.Add(DatabaseFile.IntegrityCheck(data));
                Assert.Equal("ok", checks[^1]);
                live.Api = await ApplianceApi.StartAsync(data, Environment);
                output.WriteLine($"kill {kill}: {screens.Sum(s => s.Acknowledged.Count) - before} plays acknowledged since the last kill; integrity_check {checks[^1]}");
            }
            await Task.Delay(500);
            await stop.CancelAsync();
            await Task.WhenAll(ingesting); // each screen re-sends its unacknowledged batch before it stops

            var last = live.Api;
            var acknowledged = screens.SelectMany(s => s.ReadJournal()).ToHashSet();
            Assert.Equal(screens.Sum(s => s.Acknowledged.Count), acknowledged.Count);
            Assert.True(acknowledged.Count >= Iterations * BatchSize, $"only {acknowledged.Count} plays got through {Iterations} kills");
            using (var connection = DatabaseFile.Open(data))
            {
                var stored = DatabaseFile.Strings(connection, "SELECT event_id FROM proof_of_play WHERE event_type = 'PLAY_END';").ToHashSet();
                Assert.Empty(acknowledged.Except(stored)); // none lost
                Assert.Empty(stored.Except(acknowledged)); // nothing counted that no screen sent
                Assert.Equal(stored.Count, DatabaseFile.Long(connection, "SELECT COALESCE(SUM(plays), 0) FROM proof_of_play_daily;")); // none doubled
            }
            var today = DateTime.UtcNow;
            var total = await PlayingVenue.ReportTotalAsync(last, today.AddDays(-1).ToString("yyyy-MM-dd"), today.AddDays(1).ToString("yyyy-MM-dd"));
            Assert.Equal((acknowledged.Count, acknowledged.Count * 10_000L), (total.Plays, total.TotalDurationMs));
            Assert.Equal("ok", DatabaseFile.IntegrityCheck(data));
            output.WriteLine($"{Iterations} kills, {acknowledged.Count} plays acknowledged, all stored once; integrity_check ok after every kill");
        }
        finally
        {
            await stop.CancelAsync();
            await live.Api.DisposeAsync();
        }
    }

    private sealed class Live
    {
        public volatile ApplianceApi Api = null!;
    }

    /// <summary>A screen that flushes PLAY_END batches back to back and journals acknowledged ids to a file.</summary>
    private sealed class SimulatedScreen(string token, PlayingVenue venue, string journal)
    {
        private long _sequence;

        public List<string> Acknowledged { get; } = [];

        public async Task RunAsync(Func<ApplianceApi> appliance, CancellationToken stop)
        {
            List<PlayerEvent>? pending = null;
            var triesAfterStop = 0;
            // After the stop, the last unacknowledged batch is re-sent (for at most ~30 s: a dead appliance fails the test).
            while (!stop.IsCancellationRequested || (pending is not null && triesAfterStop++ < 600))
            {
                pending ??= [.. Enumerable.Range(0, BatchSize).Select(_ => venue.PlayEnd(++_sequence, DateTimeOffset.UtcNow.AddSeconds(-10)))];
                try
                {
                    using var response = await appliance().SendAsync(HttpMethod.Post, "/v1/player/events", token, PlayingVenue.Batch(pending));
                    if (response.StatusCode != HttpStatusCode.OK) throw new HttpRequestException($"status {(int)response.StatusCode}");
                    var answer = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!;
                    Assert.Equal(0, answer.Rejected);
                    Assert.Equal(pending.Count, answer.Accepted + answer.Duplicates);
                    // Durable before the screen forgets the batch, as the player's queue is.
                    await File.AppendAllLinesAsync(journal, pending.Select(e => e.EventId), CancellationToken.None);
                    Acknowledged.AddRange(pending.Select(e => e.EventId));
                    pending = null;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or ObjectDisposedException)
                {
                    await Task.Delay(50, CancellationToken.None); // the appliance is down or restarting: keep the batch, try again
                }
            }
        }

        public IEnumerable<string> ReadJournal() => File.Exists(journal) ? File.ReadAllLines(journal) : [];
    }
}
