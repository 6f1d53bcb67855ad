using System.Globalization;
using NodaTime;

namespace Signage.Appliance.Devices;

/// <summary>
/// The one meaning of "online" (issue 16): a screen is ONLINE while its last heartbeat is at most
/// <c>Monitoring:OfflineAfterSeconds</c> old (default 180 = 3 missed 60-second heartbeats), else
/// OFFLINE — including a paired screen that has never sent one. The device API, the dashboard cards,
/// the monitor's incidents and the status sent to the hub all ask this class, with the injected clock.
/// </summary>
public sealed class ScreenPresence(IConfiguration configuration, IClock clock)
{
    public const string Online = "ONLINE";
    public const string Offline = "OFFLINE";

    public Duration OfflineAfter { get; } = Duration.FromSeconds(
        int.TryParse(configuration["Monitoring:OfflineAfterSeconds"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0 ? seconds : 180);

    public Instant Now => clock.GetCurrentInstant();

    /// <summary>ONLINE or OFFLINE for a screen last heard from at <paramref name="lastSeen"/> (null: never), now.</summary>
    public string Status(Instant? lastSeen) => Status(lastSeen, Now);

    public string Status(Instant? lastSeen, Instant now) => Decide(lastSeen, now, OfflineAfter);

    /// <summary>The decision itself: the threshold is inclusive (a heartbeat exactly <paramref name="offlineAfter"/> old still counts).</summary>
    public static string Decide(Instant? lastSeen, Instant now, Duration offlineAfter) =>
        lastSeen is { } seen && now - seen <= offlineAfter ? Online : Offline;
}
