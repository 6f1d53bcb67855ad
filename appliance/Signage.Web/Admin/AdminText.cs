using System.Globalization;
using NodaTime;
using Signage.Contracts;

namespace Signage.Web.Admin;

/// <summary>How the pages put stored values into words a bar manager reads at a glance.</summary>
public static class AdminText
{
    /// <summary>DeviceResponse.Status of a screen heard from within Monitoring:OfflineAfterSeconds (the appliance's
    /// ScreenPresence, which the hub does not have).</summary>
    private const string Online = "ONLINE";

    /// <summary>From what the screen reports it has applied, never from what was sent; nothing is known of an offline screen.</summary>
    public static string Content(DeviceResponse d, string? staleSince = null) => d.ContentState switch
    {
        _ when d.Status != Online => "Not known while offline",
        "UP_TO_DATE" => "Up to date",
        "UPDATING" when staleSince is not null => $"Stale since {staleSince}",
        "UPDATING" => d.PendingDownloads is > 0 ? $"Updating ({d.PendingDownloads} file{(d.PendingDownloads == 1 ? "" : "s")} to go)" : "Updating",
        _ => "Unknown",
    };

    /// <summary>The pill's class for <see cref="Content"/>.</summary>
    public static string ContentTone(DeviceResponse d, string? staleSince = null) =>
        d.Status != Online ? "unknown" : staleSince is not null ? "stale" : d.ContentState.ToLowerInvariant();

    /// <summary>"Online", "Offline" or "Never connected" (offline too: paired, never sent a heartbeat).</summary>
    public static string Status(DeviceResponse d) => d.Status == Online ? "Online" : d.LastSeenAtUtc is null ? "Never connected" : "Offline";

    /// <summary>The card's colour: green only for a screen that is online and playing content — never for its error screen.</summary>
    public static string Tone(DeviceResponse d) => d.Status != Online ? "offline"
        : d.State switch { "PLAYING" or "OFFLINE_BACKOFF" => "online", "ERROR_SCREEN" => "showing-error", _ => "starting" };

    /// <summary>What the screen shows, as the card's label and text: "Playing" only while it plays content;
    /// "Last showed" for an offline screen (its last heartbeat), since nobody knows what it shows now.</summary>
    public static (string Label, string Text) Showing(DeviceResponse d, string? assetName)
    {
        var what = d.State switch
        {
            null => "nothing yet",
            "ERROR_SCREEN" => "its error screen (nothing it can play)",
            "PAIRING" => "its pairing code",
            "BOOTING" or "LOAD_LOCAL" or "PLAYABLE_CHECK" => "its start-up screen",
            _ => assetName ?? "—",
        };
        if (d.Status != Online) return ("Last showed", what);
        return (d.State is "PLAYING" or "OFFLINE_BACKOFF" ? "Playing" : "Showing", what);
    }

    public static string Size(long bytes) => bytes >= 1L << 30
        ? string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GB")
        : string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0} MB");

    /// <summary>"2026-11-23 14:02" from a stored UTC instant.</summary>
    public static string Short(string utc) => utc.Length >= 16 ? utc[..16].Replace('T', ' ') : utc;

    public static string Minutes(int minutes) => string.Create(CultureInfo.InvariantCulture, $"{minutes / 60:00}:{minutes % 60:00}");

    public static string Seconds(int? ms) => ms is { } v ? (v / 1000.0).ToString("0.#", CultureInfo.InvariantCulture) : "";

    private static readonly string[] DayNames = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

    public static string Days(int mask) => mask == 127 ? "Every day" : mask == 31 ? "Mon–Fri" : mask == 96 ? "Sat–Sun"
        : string.Join(" ", DayNames.Where((_, i) => (mask & (1 << i)) != 0));

    public static string Command(string type) => type switch
    {
        PlayerProtocol.CommandTypes.RequestManifestRefresh => "Check for new content now",
        PlayerProtocol.CommandTypes.RestartPlaybackLoop => "Restart playback",
        PlayerProtocol.CommandTypes.ClearCacheUnused => "Clear unused downloads",
        PlayerProtocol.CommandTypes.ClearCacheAll => "Clear all downloads",
        PlayerProtocol.CommandTypes.RebootApp => "Restart the app",
        PlayerProtocol.CommandTypes.SetLogLevel => "Set the log level",
        PlayerProtocol.CommandTypes.EnableDiagnostics => "Turn on diagnostics",
        _ => type,
    };

    /// <summary>ENABLE_DIAGNOSTICS durations the screen page offers (the API takes any from 1 s to a day).</summary>
    public static readonly (int Seconds, string Label)[] DiagnosticsDurations = [(900, "15 minutes"), (3600, "1 hour"), (14_400, "4 hours"), (86_400, "24 hours")];

    /// <summary>"just now", "5 min ago", "3 h ago", "2 days ago": what a bar manager reads at a glance.</summary>
    public static string? Ago(Instant now, Instant? then)
    {
        if (then is not { } at) return null;
        var elapsed = now - at;
        if (elapsed < Duration.FromMinutes(1)) return "just now";
        if (elapsed < Duration.FromHours(1)) return $"{(int)elapsed.TotalMinutes} min ago";
        if (elapsed < Duration.FromDays(1)) return $"{(int)elapsed.TotalHours} h ago";
        return (int)elapsed.TotalDays == 1 ? "1 day ago" : $"{(int)elapsed.TotalDays} days ago";
    }
}
