using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Signage.Contracts;
using static Signage.Contracts.PlayerProtocol;

namespace Signage.FleetSimulator;

/// <summary>How often a simulated screen does each thing (already divided by the speed-up).</summary>
public sealed record Intervals(TimeSpan Manifest, TimeSpan Heartbeat, TimeSpan Events, int PreferWaitSeconds, int PlaysPerBatch);

/// <summary>
/// One simulated screen speaking the real player protocol: pairs (start, the manager claims the code, status
/// poll until the token appears), then polls the manifest with its ETag (optionally held with
/// <c>Prefer: wait=N</c>), downloads each new item by hash in two Range requests and checks the hash,
/// sends heartbeats, and posts PLAY_END batches. What it would have played, it reports; no real playback.
/// </summary>
public sealed class Screen(int index, HttpClient http, Stats stats, Intervals intervals)
{
    private readonly Random _random = new(index);
    private readonly HashSet<string> _cached = [];
    private string _token = "";
    private string? _etag;
    private ManifestPlaylist? _playlist;
    private long _sequence;

    public async Task PairAsync(Admin admin)
    {
        var started = Stopwatch.GetTimestamp();
        var start = await http.PostAsJsonAsync("/v1/devices/pairing/start", new PairingStartRequest($"fleet-{index:D5}", new DeviceInfo("Simulated", "Fleet", "Linux", "1.0.0")),
            ContractsJsonContext.Default.PairingStartRequest);
        stats.Record("POST /v1/devices/pairing/start", started, (int)start.StatusCode, !start.IsSuccessStatusCode);
        start.EnsureSuccessStatusCode();
        var pairing = (await start.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStartResponse))!;
        await admin.ClaimAsync(pairing.PairingCode, $"Screen {index}");
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/devices/pairing/status?pairingId={pairing.PairingId}");
            request.Headers.Add(PairingSecretHeader, pairing.PairingSecret);
            started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            stats.Record("GET /v1/devices/pairing/status", started, (int)response.StatusCode, !response.IsSuccessStatusCode);
            response.EnsureSuccessStatusCode();
            var status = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PairingStatusResponse))!;
            if (status.DeviceToken is { } token)
            {
                _token = token;
                return;
            }
            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>The first manifest and its media: the warm-up before the measured window.</summary>
    public Task SyncAsync(CancellationToken stop) => PollManifestAsync(wait: false, stop);

    public Task RunAsync(CancellationToken stop) => Task.WhenAll(ManifestLoopAsync(stop), LoopAsync(intervals.Heartbeat, HeartbeatAsync, stop), LoopAsync(intervals.Events, EventsAsync, stop));

    private async Task ManifestLoopAsync(CancellationToken stop)
    {
        // Spread the fleet over the interval, as screens switched on at different moments would be.
        await Delay(intervals.Manifest * _random.NextDouble(), stop);
        while (!stop.IsCancellationRequested)
        {
            await Guard(() => PollManifestAsync(intervals.PreferWaitSeconds > 0, stop), stop);
            if (intervals.PreferWaitSeconds == 0) await Delay(Jitter(intervals.Manifest), stop);
        }
    }

    private async Task LoopAsync(TimeSpan interval, Func<CancellationToken, Task> action, CancellationToken stop)
    {
        await Delay(interval * _random.NextDouble(), stop);
        while (!stop.IsCancellationRequested)
        {
            await Guard(() => action(stop), stop);
            await Delay(Jitter(interval), stop);
        }
    }

    private async Task PollManifestAsync(bool wait, CancellationToken stop)
    {
        using var request = Authorized(HttpMethod.Get, "/v1/player/manifest");
        if (_etag is not null) request.Headers.TryAddWithoutValidation("If-None-Match", _etag);
        if (wait && _etag is not null) request.Headers.TryAddWithoutValidation(PreferWaitHeader, $"wait={intervals.PreferWaitSeconds}");
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, stop);
        var name = response.StatusCode == HttpStatusCode.NotModified ? "GET /v1/player/manifest (304)" : "GET /v1/player/manifest (200)";
        if (response.StatusCode == HttpStatusCode.NotModified)
        {
            stats.Record(wait ? name + " held" : name, started, 304, false);
            return;
        }
        var manifest = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse, stop) : null;
        stats.Record(name, started, (int)response.StatusCode, manifest is null);
        if (manifest is null) return;
        foreach (var item in manifest.Playlist?.Items ?? [])
        {
            if (!_cached.Contains(item.ChecksumSha256) && await DownloadAsync(item, stop)) _cached.Add(item.ChecksumSha256);
        }
        _playlist = manifest.Playlist;
        _etag = response.Headers.ETag?.Tag;
    }

    /// <summary>Two Range requests, as a resumed download would make; true when the bytes hash to the name.</summary>
    private async Task<bool> DownloadAsync(ManifestItem item, CancellationToken stop)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var half = item.FileSizeBytes / 2;
        foreach (var (from, to) in new[] { (0L, (long?)(half - 1)), (half, (long?)null) })
        {
            using var request = Authorized(HttpMethod.Get, $"/v1/assets/{item.ChecksumSha256}");
            request.Headers.Range = new RangeHeaderValue(from, to);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop);
            var bytes = response.StatusCode == HttpStatusCode.PartialContent ? await response.Content.ReadAsByteArrayAsync(stop) : null;
            stats.Record("GET /v1/assets/{sha256} (Range)", started, (int)response.StatusCode, bytes is null);
            if (bytes is null) return false;
            hash.AppendData(bytes);
        }
        var good = Convert.ToHexStringLower(hash.GetHashAndReset()) == item.ChecksumSha256;
        if (!good) stats.Record("media hash mismatch", Stopwatch.GetTimestamp(), 0, true);
        return good;
    }

    private async Task HeartbeatAsync(CancellationToken stop)
    {
        using var request = Authorized(HttpMethod.Post, "/v1/player/heartbeat");
        request.Content = JsonContent.Create(new HeartbeatRequest("1.0.0", "PLAYING", DateTime.UtcNow.ToString("O"), _etag,
            new PlaybackState(_playlist?.PlaylistId, _playlist?.PublishedVersion, _playlist?.Items.FirstOrDefault()?.AssetId, 0, 1),
            new CacheState(8L << 30, 1L << 20, _cached.Count, 0), new NetworkState(true, "ETHERNET")), ContractsJsonContext.Default.HeartbeatRequest);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, stop);
        stats.Record("POST /v1/player/heartbeat", started, (int)response.StatusCode, response.StatusCode != HttpStatusCode.NoContent);
    }

    private async Task EventsAsync(CancellationToken stop)
    {
        if (_playlist is not { Items: [var item, ..] } playlist) return;
        var now = DateTimeOffset.UtcNow;
        var events = Enumerable.Range(0, intervals.PlaysPerBatch).Select(i =>
        {
            var startedAt = now.AddMilliseconds(-item.DurationMs * (intervals.PlaysPerBatch - i)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ");
            using var payload = JsonDocument.Parse(
                $$"""{"playlistId":"{{playlist.PlaylistId}}","assetId":"{{item.AssetId}}","startedAtUtc":"{{startedAt}}","durationMs":{{item.DurationMs}},"result":"{{PlayResults.Completed}}"}""");
            return new PlayerEvent(Guid.NewGuid().ToString(), ++_sequence, EventTypes.PlayEnd, startedAt, "INFO", payload.RootElement.Clone());
        }).ToArray();
        using var request = Authorized(HttpMethod.Post, "/v1/player/events");
        request.Content = JsonContent.Create(new EventBatchRequest(events), ContractsJsonContext.Default.EventBatchRequest);
        var started = Stopwatch.GetTimestamp();
        using var response = await http.SendAsync(request, stop);
        var answer = response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.EventBatchResponse, stop) : null;
        stats.Record("POST /v1/player/events", started, (int)response.StatusCode, answer is null || answer.Accepted != events.Length);
    }

    private HttpRequestMessage Authorized(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        return request;
    }

    // Never shorter than the interval: at the real cadence two requests a minute is spec 27.1's limit, and a screen
    // that came back after 54 s would make three in one of the appliance's windows.
    private TimeSpan Jitter(TimeSpan interval) => interval * (1.0 + 0.1 * _random.NextDouble());

    /// <summary>A failed request counts as an error (in <see cref="Stats"/>); the screen carries on, as a real one would.</summary>
    private async Task Guard(Func<Task> action, CancellationToken stop)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            await action();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (OperationCanceledException)
        {
            stats.Record("timeout (90 s)", started, 0, true);
        }
        catch (HttpRequestException e)
        {
            stats.Record($"connection error ({e.HttpRequestError})", started, 0, true);
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
