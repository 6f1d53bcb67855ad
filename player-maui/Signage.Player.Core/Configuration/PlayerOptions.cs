using Signage.Contracts;

namespace Signage.Player.Core.Configuration;

/// <summary>What a head tells the core about the device and where it may keep its files. Everything
/// else (cadence, budget, run mode) comes from the manifest.</summary>
public sealed record PlayerOptions
{
    public required string DataDirectory { get; init; }

    /// <summary>Stable per device; the appliance correlates pairing requests with it.</summary>
    public required string HardwareId { get; init; }

    public DeviceInfo DeviceInfo { get; init; } = new();

    public string AppVersion { get; init; } = "0.1.0";

    /// <summary>ETHERNET, WIFI or NONE (heartbeat network.type).</summary>
    public string NetworkType { get; init; } = "ETHERNET";

    /// <summary>RFC 7240 wait asked for on a conditional manifest request.</summary>
    public TimeSpan ManifestWait { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Used until a manifest says otherwise (spec 28.6: "every ~60 s").</summary>
    public TimeSpan DefaultCheckInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Spec 27.1 allows 2 command polls a minute.</summary>
    public TimeSpan CommandPollInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often queued events are offered to the appliance when nothing else prompts it.</summary>
    public TimeSpan EventFlushInterval { get; init; } = TimeSpan.FromSeconds(10);

    public int DownloadConcurrency { get; init; } = 2;

    /// <summary>Spec 11.1 default; the manifest's settings.cacheBudgetBytes overrides it.</summary>
    public long DefaultCacheBudgetBytes { get; init; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Spec 28.10: this many 401s in a row mean the token is gone for good.</summary>
    public int UnauthorizedLimit { get; init; } = 3;

    /// <summary>Spec 27.8.3: older events may be discarded.</summary>
    public TimeSpan EventMaxAge { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long ERROR_SCREEN waits before looking for playable content again when nothing woke it.</summary>
    public TimeSpan ErrorScreenRecheck { get; init; } = TimeSpan.FromSeconds(5);
}
