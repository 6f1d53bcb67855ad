using System.Net;
using System.Net.Http.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.FaultInjection.Tests;

/// <summary>
/// "Reports stay right when a screen's clock is wrong": plays from devices whose clocks are off by hours,
/// days or years land on the venue-local day the appliance's clock says (the server's rule: a start in
/// the future or before the screen was paired is a wrong clock), and nothing lands on the device's days.
/// The venue is at UTC+14, so its day and the UTC day differ for ten hours of every day.
/// </summary>
public sealed class WrongClockTests : ApplianceApiTests
{
    private static readonly TimeZoneInfo Kiritimati = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Kiritimati");

    protected override IDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["RateLimits__Enabled"] = "false",
        ["SIGNAGE_FFMPEG"] = "none",
        ["SIGNAGE_VENUE_TIMEZONE"] = "Pacific/Kiritimati",
    };

    public static TheoryData<double> ClockErrorsInHours => [3, -5, 49, -72, 24 * 400, -24 * 400, 24 * 365 * 10];

    [Theory]
    [MemberData(nameof(ClockErrorsInHours))]
    public async Task Plays_from_a_device_clock_off_by_hours_or_days_count_on_the_venue_day_of_the_appliance_clock(double hoursOff)
    {
        var venue = await PlayingVenue.SetUpAsync(Api);
        var (_, token) = await Api.PairScreenAsync("Bar TV");
        var before = LocalToday();
        var deviceNow = DateTimeOffset.UtcNow.AddHours(hoursOff);
        var events = Enumerable.Range(1, 5).Select(i => venue.PlayEnd(i, deviceNow.AddSeconds(-10 * (6 - i)))).ToArray();
        var response = await Api.SendAsync(HttpMethod.Post, "/v1/player/events", token, PlayingVenue.Batch(events));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(5, (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse))!.Accepted);
        var after = LocalToday();

        var byDay = await ReportAsync($"from={before.AddDays(-1):yyyy-MM-dd}&to={after.AddDays(1):yyyy-MM-dd}&groupBy=day");
        var row = Assert.Single(byDay.Rows);
        Assert.Contains(row.Key, new[] { before.ToString("yyyy-MM-dd"), after.ToString("yyyy-MM-dd") });
        Assert.Equal((5L, 50_000L), (row.Plays, row.TotalDurationMs));
        var deviceDay = TimeZoneInfo.ConvertTime(deviceNow, Kiritimati).Date;
        if (deviceDay != before && deviceDay != after) Assert.Equal(0L, (await ReportAsync($"from={deviceDay:yyyy-MM-dd}&to={deviceDay:yyyy-MM-dd}")).Total.Plays);
    }

    [Fact]
    public async Task A_device_clock_a_minute_slow_is_trusted_and_the_play_keeps_its_own_start()
    {
        var venue = await PlayingVenue.SetUpAsync(Api);
        var (_, token) = await Api.PairScreenAsync("Bar TV");
        var started = DateTimeOffset.UtcNow.AddMinutes(-1);
        Assert.Equal(HttpStatusCode.OK, (await Api.SendAsync(HttpMethod.Post, "/v1/player/events", token, PlayingVenue.Batch([venue.PlayEnd(1, started)]))).StatusCode);
        var day = TimeZoneInfo.ConvertTime(started, Kiritimati).Date;
        Assert.Equal(1L, (await ReportAsync($"from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}")).Total.Plays);
    }

    private static DateTime LocalToday() => TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, Kiritimati).Date;

    private async Task<ProofOfPlayReport> ReportAsync(string query)
    {
        var response = await Api.AsAdmin(HttpMethod.Get, $"/v1/venues/{Api.VenueId}/reports/proof-of-play?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProofOfPlayReport))!;
    }
}
