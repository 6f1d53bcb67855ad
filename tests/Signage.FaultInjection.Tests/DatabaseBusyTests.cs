using System.Net;
using System.Net.Http.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.FaultInjection.Tests;

/// <summary>
/// Overload, not a fault: when the database stays locked by another writer past the appliance's 30-second
/// wait (as 5,000 screens on a busy disk did in the fleet run), a play batch is refused with 503 and
/// Retry-After in problem+json, nothing of it is stored, and the re-sent batch counts once.
/// </summary>
public sealed class DatabaseBusyTests : ApplianceApiTests
{
    protected override IDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["RateLimits__Enabled"] = "false",
        ["SIGNAGE_FFMPEG"] = "none",
    };

    [Fact]
    public async Task A_database_locked_past_the_30_second_wait_answers_503_with_retry_after_and_the_resent_batch_counts_once()
    {
        var venue = await PlayingVenue.SetUpAsync(Api);
        var (_, token) = await Api.PairScreenAsync("Bar TV");
        var batch = Enumerable.Range(1, 10).Select(i => venue.PlayEnd(i, DateTimeOffset.UtcNow.AddSeconds(-20 + i))).ToArray();
        using var patient = new HttpClient { BaseAddress = Api.Process.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };

        using (var blocker = DatabaseFile.Open(Temp.Combine("data")))
        using (blocker.BeginTransaction()) // BEGIN IMMEDIATE: holds the write lock until disposed
        {
            using var refused = await patient.SendAsync(ApplianceApi.Request(HttpMethod.Post, "/v1/player/events", token, PlayingVenue.Batch(batch)));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(5), refused.Headers.RetryAfter?.Delta);
            Assert.Equal(ProblemCodes.ServiceUnavailable, (await ApplianceApi.ProblemAsync(refused)).GetProperty("code").GetString());
        }

        using var accepted = await Api.SendAsync(HttpMethod.Post, "/v1/player/events", token, PlayingVenue.Batch(batch));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(10, (await accepted.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!.Accepted);
        var today = DateTime.UtcNow;
        Assert.Equal(10L, (await PlayingVenue.ReportTotalAsync(Api, today.AddDays(-1).ToString("yyyy-MM-dd"), today.AddDays(1).ToString("yyyy-MM-dd"))).Plays);
    }
}
