namespace Signage.Player.Core.Storage;

/// <summary>The layout of the player's data directory, in one place.</summary>
public sealed class PlayerPaths(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>sqlite-net database: telemetry queue, cache index, processed commands, counters.</summary>
    public string Database => Path.Combine(Root, "player.db");

    public string DeviceToken => Path.Combine(Root, "device-token.json");

    /// <summary>When the rate-limited requests of the last minute went out, so a restarted player keeps the limits too.</summary>
    public string RateLimits => Path.Combine(Root, "rate-limits.txt");

    public string ManifestDirectory => Path.Combine(Root, "manifests");

    // Spec 28.2 names the two layers currentManifest.json and previousManifest.json.
    public string CurrentManifest => Path.Combine(ManifestDirectory, "currentManifest.json");

    public string PreviousManifest => Path.Combine(ManifestDirectory, "previousManifest.json");

    public string StagedManifest => Path.Combine(ManifestDirectory, "stagedManifest.json");

    public string MediaDirectory => Path.Combine(Root, "media");

    /// <summary>Partial downloads live outside media/ so a half file is never mistaken for an asset.</summary>
    public string DownloadDirectory => Path.Combine(Root, "downloads");

    /// <summary>Content-addressed: media/ab/abcdef…; the name is the SHA-256 the bytes must hash to.</summary>
    public string MediaFile(string sha256) => Path.Combine(MediaDirectory, sha256[..2], sha256);

    public string PartialFile(string sha256) => Path.Combine(DownloadDirectory, sha256 + ".part");

    public void EnsureCreated()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(ManifestDirectory);
        Directory.CreateDirectory(MediaDirectory);
        Directory.CreateDirectory(DownloadDirectory);
    }
}
