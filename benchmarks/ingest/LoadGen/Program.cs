// Ingestion load: pairs N screens through the appliance's API (pairing/start, claim, status), then
// each screen posts batches of PLAY_END events back to back for the given time, as a real screen
// would (fresh event ids, increasing sequence numbers), one connection per screen. Event ids are
// UUIDv7 (time-ordered) like the real player's (player-maui EventQueue: Guid.CreateVersion7), or
// random v4 ids with the ninth argument "random" (still correct, only slower to index).
// Prints events/s (acknowledged by 2xx answers), request latency percentiles, and the count of
// acknowledged events for the caller to compare with the rows stored.
// Usage: LoadGen <baseUrl> <adminEmail> <adminPassword> <playlistId> <assetId> [screens=100] [batch=100] [seconds=20] [ids=v7|random]
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

var baseUrl = args[0];
var (email, password, playlist, asset) = (args[1], args[2], args[3], args[4]);
var screens = args.Length > 5 ? int.Parse(args[5], CultureInfo.InvariantCulture) : 100;
var batch = args.Length > 6 ? int.Parse(args[6], CultureInfo.InvariantCulture) : 100;
var seconds = args.Length > 7 ? int.Parse(args[7], CultureInfo.InvariantCulture) : 20;
var randomIds = args.Length > 8 && args[8] == "random";
Func<Guid> newId = randomIds ? Guid.NewGuid : Guid.CreateVersion7;

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = screens + 10, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    BaseAddress = new Uri(baseUrl),
    Timeout = TimeSpan.FromSeconds(60),
};

async Task<JsonElement> Send(HttpMethod method, string path, string? token, string? body, string? header = null, string? headerValue = null)
{
    using var request = new HttpRequestMessage(method, path);
    if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
    if (header is not null) request.Headers.Add(header, headerValue);
    if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
    return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
}

var admin = (await Send(HttpMethod.Post, "/v1/auth/login", null, JsonSerializer.Serialize(new Dictionary<string, string> { ["email"] = email, ["password"] = password })))
    .GetProperty("accessToken").GetString()!;
var venue = (await Send(HttpMethod.Get, "/v1/me/venues", admin, null)).GetProperty("items")[0].GetProperty("venueId").GetString()!;

var tokens = new string[screens];
for (var i = 0; i < screens; i++)
{
    var start = await Send(HttpMethod.Post, "/v1/devices/pairing/start", null, $$"""{"deviceHardwareId":"bench-{{i}}-{{Guid.NewGuid()}}"}""");
    await Send(HttpMethod.Post, $"/v1/venues/{venue}/devices/pairing/claim", admin, $$"""{"pairingCode":"{{start.GetProperty("pairingCode").GetString()}}","name":"Screen {{i}}"}""");
    var status = await Send(HttpMethod.Get, $"/v1/devices/pairing/status?pairingId={start.GetProperty("pairingId").GetString()}", null, null,
        "X-Pairing-Secret", start.GetProperty("pairingSecret").GetString());
    tokens[i] = status.GetProperty("deviceToken").GetString()!;
}
Console.WriteLine($"paired {screens} screens in venue {venue}");

long acknowledged = 0, requests = 0, failures = 0;
var latencies = new List<double>[screens];
var clock = Stopwatch.StartNew();
var deadline = TimeSpan.FromSeconds(seconds);

async Task Screen(int index)
{
    var mine = latencies[index] = new List<double>(4096);
    long sequence = 0;
    var body = new StringBuilder(batch * 320);
    while (clock.Elapsed < deadline)
    {
        body.Clear().Append("{\"events\":[");
        var startedAt = DateTime.UtcNow.AddSeconds(-10).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        for (var e = 0; e < batch; e++)
        {
            if (e > 0) body.Append(',');
            body.Append("{\"eventId\":\"").Append(newId().ToString()).Append("\",\"sequence\":").Append(++sequence)
                .Append(",\"eventType\":\"PLAY_END\",\"eventTimeUtc\":\"").Append(startedAt).Append("\",\"severity\":\"INFO\",\"payload\":{\"playlistId\":\"")
                .Append(playlist).Append("\",\"assetId\":\"").Append(asset).Append("\",\"startedAtUtc\":\"").Append(startedAt)
                .Append("\",\"durationMs\":10000,\"result\":\"COMPLETED\"}}");
        }
        body.Append("]}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/player/events") { Content = new StringContent(body.ToString(), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[index]);
        var sent = clock.Elapsed;
        try
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            mine.Add((clock.Elapsed - sent).TotalMilliseconds);
            Interlocked.Increment(ref requests);
            if (response.IsSuccessStatusCode)
            {
                using var answer = JsonDocument.Parse(text);
                Interlocked.Add(ref acknowledged, answer.RootElement.GetProperty("accepted").GetInt32());
            }
            else Interlocked.Increment(ref failures);
        }
        catch (HttpRequestException)
        {
            Interlocked.Increment(ref failures);
        }
    }
}

await Task.WhenAll(Enumerable.Range(0, screens).Select(i => Task.Run(() => Screen(i))));
var elapsed = clock.Elapsed.TotalSeconds;
var all = latencies.SelectMany(l => l).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"screens={screens} batch={batch} ids={(randomIds ? "random-v4" : "v7")} seconds={elapsed:F1} requests={requests} failed={failures} acknowledged_events={acknowledged}"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"events_per_second={acknowledged / elapsed:F0} requests_per_second={requests / elapsed:F0} p50_ms={Percentile(0.50):F1} p99_ms={Percentile(0.99):F1} max_ms={Percentile(1.0):F1}"));
