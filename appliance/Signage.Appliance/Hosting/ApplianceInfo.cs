using System.Reflection;
using NodaTime;

namespace Signage.Appliance.Hosting;

/// <summary>Facts about this running appliance.</summary>
public sealed class ApplianceInfo(IClock clock)
{
    public static string Version { get; } =
        typeof(ApplianceInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public Instant StartedAt { get; } = clock.GetCurrentInstant();
}
