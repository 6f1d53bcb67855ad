using NodaTime;
using Signage.Appliance.Monitoring;

namespace Signage.Appliance.Tests;

public sealed class VenueMonitorTests
{
    private static readonly DateTimeZone London = DateTimeZoneProviders.Tzdb["Europe/London"];

    [Theory]
    [InlineData("2026-11-23T12:00:00Z", true)]   // Monday noon, open 11:00–23:00
    [InlineData("2026-11-23T10:59:00Z", false)]
    [InlineData("2026-11-23T23:00:00Z", false)]
    [InlineData("2026-11-28T01:30:00Z", true)]   // Saturday 01:30, after Friday's 20:00–02:00
    [InlineData("2026-11-28T02:00:00Z", false)]
    [InlineData("2026-11-27T01:30:00Z", false)]  // Friday 01:30: Thursday has no late opening
    public void Opening_hours_follow_the_venue_clock_and_run_past_midnight(string instant, bool open)
    {
        const string hours = """[{"day":1,"openMinutes":660,"closeMinutes":1380},{"day":5,"openMinutes":1200,"closeMinutes":120}]""";
        Assert.Equal(open, VenueMonitor.IsOpen(hours, London, NodaTime.Text.InstantPattern.ExtendedIso.Parse(instant).Value));
    }
}
