using NodaTime;
using static Signage.Scheduling.Tests.Build;

namespace Signage.Scheduling.Tests;

public sealed class TimeZonesAndValidationTests
{
    [Fact]
    public void Effective_zone_prefers_device_then_venue_then_tenant()
    {
        Assert.Equal(("Asia/Tokyo", TimeZoneSource.Device), Pick("Asia/Tokyo", "Europe/London", "America/New_York"));
        Assert.Equal(("Europe/London", TimeZoneSource.Venue), Pick(null, "Europe/London", "America/New_York"));
        Assert.Equal(("America/New_York", TimeZoneSource.Tenant), Pick(" ", null, "America/New_York"));
        Assert.Equal(("UTC", TimeZoneSource.DefaultUtc), Pick(null, null, null));
    }

    [Fact]
    public void Unknown_zone_id_is_skipped_not_thrown()
    {
        Assert.Equal(("Europe/London", TimeZoneSource.Venue), Pick("Mars/Olympus_Mons", "Europe/London", null));
        Assert.False(TimeZones.IsValid("Mars/Olympus_Mons"));
        Assert.False(TimeZones.IsValid(""));
        Assert.True(TimeZones.IsValid("Australia/Lord_Howe"));
    }

    [Theory]
    [InlineData(0, 0, 60, "Days of week must name at least one day (mask 1–127).")]
    [InlineData(128, 0, 60, "Days of week must name at least one day (mask 1–127).")]
    [InlineData(127, -1, 60, "Start must be between 00:00 and 23:59 (0–1439 minutes).")]
    [InlineData(127, 0, 1440, "End must be between 00:00 and 23:59 (0–1439 minutes).")]
    public void Validation_names_what_is_wrong(int mask, int start, int end, string expected)
    {
        var slot = Slot("s", "p", "00:00", "01:00") with { DaysOfWeekMask = mask, StartMinutes = start, EndMinutes = end };
        Assert.Equal([expected], slot.Validate());
    }

    [Fact]
    public void Validation_rejects_a_date_range_that_ends_before_it_starts()
    {
        Assert.Equal(["The date range ends before it starts."], Slot("s", "p", "00:00", "01:00", from: "2026-02-01", to: "2026-01-31").Validate());
        Assert.Empty(Slot("s", "p", "23:00", "01:00", from: "2026-02-01", to: "2026-02-01").Validate());
    }

    private static (string, TimeZoneSource) Pick(string? device, string? venue, string? tenant)
    {
        var (zone, source) = TimeZones.Effective(device, venue, tenant);
        return (zone.Id, source);
    }
}
