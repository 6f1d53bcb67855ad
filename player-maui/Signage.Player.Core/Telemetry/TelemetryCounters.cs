using Signage.Contracts;

namespace Signage.Player.Core.Telemetry;

/// <summary>Failures since the last heartbeat the appliance accepted (spec 27.8.2 errors.*).</summary>
public sealed class TelemetryCounters
{
    private int _playback;
    private int _download;
    private int _manifest;

    public void PlaybackFailed() => Interlocked.Increment(ref _playback);

    public void DownloadFailed() => Interlocked.Increment(ref _download);

    public void ManifestFetchFailed() => Interlocked.Increment(ref _manifest);

    public ErrorCounters Snapshot() => new(Volatile.Read(ref _playback), Volatile.Read(ref _download), Volatile.Read(ref _manifest));

    /// <summary>Subtracts what a delivered heartbeat reported; failures counted meanwhile stay.</summary>
    public void Delivered(ErrorCounters reported)
    {
        Interlocked.Add(ref _playback, -reported.PlaybackFailures);
        Interlocked.Add(ref _download, -reported.DownloadFailures);
        Interlocked.Add(ref _manifest, -reported.ManifestFetchFailures);
    }
}
