using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Signage.FleetSimulator;

// Usage: Signage.FleetSimulator --url http://127.0.0.1:5193 --screens 500 --seconds 60 --media file.jpg
//   [--speedup 6] [--prefer-wait 0] [--plays-per-batch 5] [--change-every 0] [--appliance-pid PID]
//   [--admin-email bench@venue.test] [--admin-password benchmark-password] [--pair-concurrency 16]
// Real screens poll the manifest, send a heartbeat and flush plays every 60 s; --speedup divides those.
// Each screen connects from its own loopback address (127.0.0.0/8), as screens on a venue's LAN have their own,
// so the appliance's per-address limits (pairing starts) apply to each screen and not to the fleet as one.
var options = Options.Parse(args);
using var http = Client(options.Url, null);
var stats = new Stats();
var realInterval = TimeSpan.FromSeconds(60);
var intervals = new Intervals(realInterval / options.Speedup, realInterval / options.Speedup, realInterval / options.Speedup, options.PreferWait, options.PlaysPerBatch);

var admin = new Admin(http);
await admin.SignInAsync(options.AdminEmail, options.AdminPassword);
await admin.PublishAsync(options.Media);

var clock = Stopwatch.StartNew();
var screens = Enumerable.Range(0, options.Screens).Select(i => new Screen(i, Client(options.Url, ScreenAddress(i)), stats, intervals)).ToArray();
using (var gate = new SemaphoreSlim(options.PairConcurrency))
{
    await Task.WhenAll(screens.Select(async s =>
    {
        await gate.WaitAsync();
        try { await s.PairAsync(admin); } finally { gate.Release(); }
    }));
    var paired = clock.Elapsed;
    await Task.WhenAll(screens.Select(async s =>
    {
        await gate.WaitAsync();
        try { await s.SyncAsync(CancellationToken.None); } finally { gate.Release(); }
    }));
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warm-up: {options.Screens} screens paired in {paired.TotalSeconds:0.0} s, first manifest and media in {(clock.Elapsed - paired).TotalSeconds:0.0} s more ({options.PairConcurrency} at a time)"));
}

using var stop = new CancellationTokenSource();
stats.Recording = true;
var before = ProcessSample.Read(options.AppliancePid);
var selfBefore = ProcessSample.Self();
clock.Restart();
var running = Task.WhenAll(screens.Select(s => s.RunAsync(stop.Token)));
var changes = 0;
long peakRss = 0, peakThreads = 0;
while (clock.Elapsed < TimeSpan.FromSeconds(options.Seconds))
{
    await Task.Delay(TimeSpan.FromSeconds(1));
    var sample = ProcessSample.Read(options.AppliancePid);
    (peakRss, peakThreads) = (Math.Max(peakRss, sample?.RssKb ?? 0), Math.Max(peakThreads, sample?.Threads ?? 0));
    if (options.ChangeEvery > 0 && clock.Elapsed.TotalSeconds >= (changes + 1) * options.ChangeEvery)
    {
        changes++;
        // A change the appliance could not answer in time is an error of the run, not the end of it.
        var started = Stopwatch.GetTimestamp();
        try
        {
            await admin.ChangeVenueAsync();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            stats.Record($"venue change failed ({e.GetType().Name})", started, 0, true);
        }
    }
}
var seconds = clock.Elapsed.TotalSeconds;
var after = ProcessSample.Read(options.AppliancePid);
var selfAfter = ProcessSample.Self();
stats.Recording = false;
stop.Cancel();
await running;

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{options.Screens} screens for {seconds:0.0} s; manifest/heartbeat/events every {intervals.Manifest.TotalSeconds:0.#} s (speed-up {options.Speedup}), " +
    $"{options.PlaysPerBatch} plays per batch, Prefer: wait={options.PreferWait}, {changes} venue changes"));
Console.Write(stats.Table(seconds));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"429 responses: {stats.Count(429)}; errors: {stats.TotalErrors}"));
if (before is not null && after is not null)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"appliance: CPU {(after.CpuSeconds - before.CpuSeconds) / seconds * 100:0}% of one core over the window; RSS {after.RssKb / 1024.0:0} MB at the end, {peakRss / 1024.0:0} MB highest sampled, {after.PeakRssKb / 1024.0:0} MB peak since start; " +
        $"{after.Threads} threads at the end, {peakThreads} highest sampled"));
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulator: CPU {(selfAfter.CpuSeconds - selfBefore.CpuSeconds) / seconds * 100:0}% of one core, RSS {selfAfter.RssKb / 1024.0:0} MB"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()} ({Environment.ProcessorCount} cores)"));
return stats.TotalErrors == 0 ? 0 : 1;

static HttpClient Client(string url, IPAddress? source)
{
    var handler = new SocketsHttpHandler { PooledConnectionLifetime = Timeout.InfiniteTimeSpan, MaxConnectionsPerServer = int.MaxValue };
    if (source is not null)
    {
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }
    return new HttpClient(handler) { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(90) };
}

// 127.1.1.1, 127.1.1.2 … : every byte in 1..250, up to 15 million screens; 127.0.0.1 stays the manager's.
static IPAddress ScreenAddress(int index) => new([127, (byte)(1 + index / 62_500), (byte)(1 + index / 250 % 250), (byte)(1 + index % 250)]);

internal sealed record Options(string Url, int Screens, int Seconds, string Media, double Speedup, int PreferWait, int PlaysPerBatch, int ChangeEvery,
    int? AppliancePid, string AdminEmail, string AdminPassword, int PairConcurrency)
{
    public static Options Parse(string[] args)
    {
        string? Get(string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        int Int(string name, int fallback) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new Options(
            Get("--url") ?? "http://127.0.0.1:5193", Int("--screens", 500), Int("--seconds", 60),
            Get("--media") ?? throw new ArgumentException("--media <file> is required: a JPEG, PNG or MP4 the screens download."),
            Get("--speedup") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 6, Int("--prefer-wait", 0), Int("--plays-per-batch", 5),
            Int("--change-every", 0), Get("--appliance-pid") is { } pid ? int.Parse(pid, CultureInfo.InvariantCulture) : null,
            Get("--admin-email") ?? "bench@venue.test", Get("--admin-password") ?? "benchmark-password", Int("--pair-concurrency", 16));
    }
}
