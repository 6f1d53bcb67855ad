using NodaTime;
using Signage.Contracts;

namespace Signage.CloudHub.Tenancy;

/// <summary>Field rules shared by the tenancy endpoints; each adds its sentence to a 422's errors.</summary>
public static class Validation
{
    public static void Name(Dictionary<string, string[]> errors, string field, string? value, bool allowBlank = false)
    {
        if (value is null || (!allowBlank && string.IsNullOrWhiteSpace(value))) errors[field] = [$"{field} is required."];
        else if (value.Length > 200) errors[field] = [$"{field} must have at most 200 characters."];
    }

    public static void Email(Dictionary<string, string[]> errors, string field, string value)
    {
        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at == value.Length - 1 || value.Length > 254 || value.Any(char.IsWhiteSpace)) errors[field] = [$"{field} must be an email address."];
    }

    public static void Password(Dictionary<string, string[]> errors, string field, string value)
    {
        if (value.Length < Auth.Secrets.MinPasswordLength) errors[field] = [$"{field} must have at least {Auth.Secrets.MinPasswordLength} characters."];
    }

    /// <summary>An IANA zone id, or blank (adopted from the appliance at enrollment).</summary>
    public static void Timezone(Dictionary<string, string[]> errors, string value)
    {
        if (value.Length > 0 && DateTimeZoneProviders.Tzdb.GetZoneOrNull(value) is null) errors["timezone"] = [$"'{value}' is not an IANA time zone (e.g. Europe/London)."];
    }

    public static void OpeningHours(Dictionary<string, string[]> errors, OpeningHours[] hours)
    {
        if (hours.Any(h => h.Day is < 1 or > 7 || h.OpenMinutes is < 0 or > 1440 || h.CloseMinutes is < 0 or > 1440))
            errors["openingHours"] = ["Opening hours need day 1-7 (Monday = 1) and minutes 0-1440."];
        else if (hours.GroupBy(h => h.Day).Any(g => g.Count() > 1))
            errors["openingHours"] = ["Give each day at most once."];
    }
}
