using System.Collections.Concurrent;
using System.Text.Json;
using Signage.Appliance.Hosting;
using Signage.Contracts;

namespace Signage.Appliance.Player;

/// <summary>
/// The last manifest built for each screen, kept on disk (<c>manifests/&lt;deviceId&gt;.json</c> in the data
/// directory) so that a screen is answered with it when its manifest cannot be built (spec 31.9: the
/// database locked, busy or damaged), even after a restart. A file is replaced atomically (temp, sync,
/// rename) and only when the screen's ETag changed, by one background writer on a thread of its own: a
/// publish that changes what every screen plays costs the request path no disk sync. The writer gathers
/// a second's changes and syncs them with one syncfs, not one fsync per file: with 5,000 screens and a
/// venue change every 20 s, per-file fsyncs (250 a second) stalled the event writer's commits and put
/// the fleet benchmark's p99 above a second (docs/PERFORMANCE.md). Losing the last seconds of this
/// cache in a crash only means an older fallback.
/// </summary>
public sealed partial class LastManifests : IDisposable
{
    public const string FolderName = "manifests";
    private readonly string _folder;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, CachedManifest> _pending = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _onDisk = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _signal = new(0);
    private readonly Lock _files = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Thread _writer;

    /// <summary>How long the writer gathers changes before one sync: a publish touches every screen at once.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromSeconds(1);

    public LastManifests(ApplianceSettings settings, ILogger<LastManifests> logger)
    {
        _folder = Path.Combine(settings.DataDirectory, FolderName);
        _logger = logger;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "last-manifests" };
        _writer.Start();
    }

    /// <summary>Queues the manifest to be kept, unless the screen's file already holds this ETag.</summary>
    public void Keep(string deviceId, CachedManifest manifest)
    {
        if (!IsSafeName(deviceId) || _onDisk.GetValueOrDefault(deviceId) == manifest.ETag) return;
        if (_pending.TryGetValue(deviceId, out var queued) && queued.ETag == manifest.ETag) return;
        _pending[deviceId] = manifest;
        _signal.Release();
    }

    /// <summary>The screen's last kept manifest (written, or still waiting to be), or null.</summary>
    public CachedManifest? Load(string deviceId)
    {
        if (_pending.TryGetValue(deviceId, out var queued)) return queued;
        if (!IsSafeName(deviceId)) return null;
        try
        {
            var body = File.ReadAllBytes(PathOf(deviceId));
            var manifest = JsonSerializer.Deserialize(body, ContractsJsonContext.Default.ManifestResponse);
            if (manifest is null || string.IsNullOrEmpty(manifest.ManifestEtag)) return null;
            return new CachedManifest($"\"{manifest.ManifestEtag}\"", body, default, -1, -1, "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            if (e is not FileNotFoundException and not DirectoryNotFoundException) LogUnreadable(_logger, deviceId, e);
            return null;
        }
    }

    /// <summary>A removed screen's manifest is no longer kept.</summary>
    public void Forget(string deviceId)
    {
        if (!IsSafeName(deviceId)) return;
        lock (_files)
        {
            _pending.TryRemove(deviceId, out _);
            _onDisk.TryRemove(deviceId, out _);
            // The removal is already committed: a file that cannot go (or was never written: no
            // manifests/ folder yet) must not turn the answer into a 500. A stale file is harmless,
            // as a removed screen's token no longer reaches the manifest endpoint.
            try
            {
                File.Delete(PathOf(deviceId));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (e is not DirectoryNotFoundException) LogDeleteFailed(_logger, deviceId, e);
            }
        }
    }

    /// <summary>Writes everything queued so far (tests; shutdown).</summary>
    public void Flush() => WriteAll();

    public void Dispose()
    {
        _stopping.Cancel();
        _writer.Join(TimeSpan.FromSeconds(5));
        Flush();
        _signal.Dispose();
        _stopping.Dispose();
    }

    private void WriteLoop()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                _signal.Wait(_stopping.Token);
                if (_stopping.Token.WaitHandle.WaitOne(Gather)) return;
                WriteAll();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: Dispose writes what is left.
        }
    }

    /// <summary>Every queued manifest to its temp file, one sync for all, then each renamed over its file.</summary>
    private void WriteAll()
    {
        lock (_files)
        {
            var written = new List<(string DeviceId, CachedManifest Manifest, string Temp, string Path)>();
            foreach (var (deviceId, manifest) in _pending)
            {
                var path = PathOf(deviceId);
                try
                {
                    // After a restart the file may already hold this ETag: read it once rather than rewrite it.
                    if (!_onDisk.ContainsKey(deviceId) && ETagOnDisk(path) is { } existing) _onDisk[deviceId] = existing;
                    if (_onDisk.GetValueOrDefault(deviceId) == manifest.ETag)
                    {
                        _pending.TryRemove(new KeyValuePair<string, CachedManifest>(deviceId, manifest));
                        continue;
                    }
                    Directory.CreateDirectory(_folder);
                    var temp = $"{path}.tmp";
                    File.WriteAllBytes(temp, manifest.Body);
                    written.Add((deviceId, manifest, temp, path));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    LogWriteFailed(_logger, deviceId, e);
                    _pending.TryRemove(new KeyValuePair<string, CachedManifest>(deviceId, manifest)); // the next change retries
                }
            }
            if (written.Count == 0) return;
            SyncFileSystem([.. written.Select(w => w.Temp)]);
            foreach (var (deviceId, manifest, temp, path) in written)
            {
                try
                {
                    File.Move(temp, path, overwrite: true);
                    _onDisk[deviceId] = manifest.ETag;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    LogWriteFailed(_logger, deviceId, e);
                }
                // Written (or failed: the next change retries); a newer manifest queued meanwhile stays queued.
                _pending.TryRemove(new KeyValuePair<string, CachedManifest>(deviceId, manifest));
            }
        }
    }

    /// <summary>Makes the temp files durable before they are renamed: one syncfs(2) on Linux for the whole
    /// batch; elsewhere an fsync per file.</summary>
    private static void SyncFileSystem(List<string> temps)
    {
        if (OperatingSystem.IsLinux())
        {
            using var handle = File.OpenHandle(temps[0], FileMode.Open, FileAccess.Read);
            if (SyncFs((int)handle.DangerousGetHandle()) == 0) return;
        }
        foreach (var temp in temps)
        {
            using var stream = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }
    }

    // Blittable (int in, int out): no marshalling stub, AOT-safe without unsafe code.
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "syncfs")]
    private static extern int SyncFs(int fd);

    private static string? ETagOnDisk(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, ContractsJsonContext.Default.ManifestResponse) is { ManifestEtag: { Length: > 0 } etag } ? $"\"{etag}\"" : null;
        }
        catch (JsonException)
        {
            return null; // rewritten below
        }
    }

    private string PathOf(string deviceId) => Path.Combine(_folder, $"{deviceId}.json");

    /// <summary>Device ids are ours (<c>dev_</c> + hex); anything else never becomes a file name.</summary>
    private static bool IsSafeName(string deviceId) =>
        deviceId.Length is > 0 and <= 64 && deviceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not keep the last manifest of screen {DeviceId} on disk")]
    private static partial void LogWriteFailed(ILogger logger, string deviceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The kept manifest of screen {DeviceId} cannot be read")]
    private static partial void LogUnreadable(ILogger logger, string deviceId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The kept manifest of removed screen {DeviceId} could not be deleted")]
    private static partial void LogDeleteFailed(ILogger logger, string deviceId, Exception exception);
}
