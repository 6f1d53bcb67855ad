using NodaTime;

namespace Signage.Scheduling;

/// <summary>Where the effective time zone came from (spec 30.2).</summary>
public enum TimeZoneSource
{
    Device = 0,
    Venue = 1,
    Tenant = 2,
    DefaultUtc = 3,
}

public static class TimeZones
{
    private static readonly IDateTimeZoneProvider Provider = DateTimeZoneProviders.Tzdb;

    /// <summary>True for an IANA zone id known to the bundled TZDB (e.g. "Europe/London").</summary>
    public static bool IsValid(string? zoneId) =>
        !string.IsNullOrWhiteSpace(zoneId) && Provider.GetZoneOrNull(zoneId) is not null;

    /// <summary>
    /// The effective zone: device, else venue, else tenant (spec 30.2). A blank or unknown id is
    /// skipped rather than thrown on, so a bad setting never blanks a screen; ids are validated
    /// when they are saved.
    /// </summary>
    public static (DateTimeZone Zone, TimeZoneSource Source) Effective(string? deviceZone, string? venueZone, string? tenantZone)
    {
        if (Find(deviceZone) is { } device) return (device, TimeZoneSource.Device);
        if (Find(venueZone) is { } venue) return (venue, TimeZoneSource.Venue);
        if (Find(tenantZone) is { } tenant) return (tenant, TimeZoneSource.Tenant);
        return (DateTimeZone.Utc, TimeZoneSource.DefaultUtc);
    }

    private static DateTimeZone? Find(string? zoneId) =>
        string.IsNullOrWhiteSpace(zoneId) ? null : Provider.GetZoneOrNull(zoneId);
}
