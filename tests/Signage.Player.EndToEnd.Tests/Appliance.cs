using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Player.EndToEnd.Tests;

/// <summary>
/// The real native appliance on a fixed loopback port (so players keep their URL across restarts), signed in
/// as the scripted-install admin, with the content calls a manager's app makes.
/// </summary>
public sealed class Appliance : IAsyncDisposable
{
    private static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(20);

    private Appliance(string dataDirectory, int port, IDictionary<string, string>? settings)
    {
        DataDirectory = dataDirectory;
        Port = port;
        _settings = settings;
    }

    /// <summary>Settings a test class adds to the environment (e.g. short Monitoring thresholds).</summary>
    private readonly IDictionary<string, string>? _settings;

    public string DataDirectory { get; }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");

    public ApplianceProcess? Process { get; private set; }

    public string AdminToken { get; private set; } = "";

    public string VenueId { get; private set; } = "";

    private string Venue => $"/v1/venues/{VenueId}";

    private HttpClient Client => Process?.Client ?? throw new InvalidOperationException("The appliance is stopped.");

    public static async Task<Appliance> StartAsync(string dataDirectory, IDictionary<string, string>? settings = null)
    {
        var appliance = new Appliance(dataDirectory, FreePort(), settings);
        await appliance.StartProcessAsync();
        return appliance;
    }

    /// <summary>A port nobody listens on right now (the OS picks it, then it is released).</summary>
    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>SIGTERM, as systemd stops it.</summary>
    public async Task StopAsync()
    {
        if (Process is null) return;
        await Process.StopAsync();
        await Process.DisposeAsync();
        Process = null;
    }

    /// <summary>Starts again on the same port and data directory.</summary>
    public Task RestartAsync() => StartProcessAsync();

    private async Task StartProcessAsync()
    {
        var environment = new Dictionary<string, string>
        {
            ["SIGNAGE_ADMIN_EMAIL"] = AdminEmail,
            ["SIGNAGE_ADMIN_PASSWORD"] = AdminPassword,
            ["SIGNAGE_VENUE_NAME"] = "The Crown",
            ["SIGNAGE_VENUE_TIMEZONE"] = "Europe/London",
        };
        foreach (var (key, value) in _settings ?? new Dictionary<string, string>()) environment[key] = value;
        Process = await ApplianceProcess.StartAsync(["--urls", $"http://127.0.0.1:{Port}", "--data-dir", DataDirectory], environment);
        AdminToken = (await LoginAsync(Client, AdminEmail, AdminPassword)).AccessToken;
        var venues = await SendAsync(HttpMethod.Get, "/v1/me/venues");
        VenueId = (await venues.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseVenueAccess))!.Items.Single().VenueId;
    }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content = null, string? ifMatch = null) =>
        Client.SendAsync(Request(method, path, AdminToken, content, ifMatch));

    /// <summary>Claims a pairing code the way a manager does; returns the new device id.</summary>
    public async Task<string> ClaimAsync(string code, string name)
    {
        var claim = await SendAsync(HttpMethod.Post, $"{Venue}/devices/pairing/claim",
            JsonContent.Create(new PairingClaimRequest(code, name), ContractsJsonContext.Default.PairingClaimRequest));
        var body = await claim.Content.ReadAsStringAsync();
        Assert.True(claim.IsSuccessStatusCode, $"claim answered {(int)claim.StatusCode}: {body}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("deviceId").GetString()!;
    }

    /// <summary>Start, PUT, complete, then poll until READY.</summary>
    public async Task<string> UploadAsync(string fileName, byte[] bytes)
    {
        var start = await SendAsync(HttpMethod.Post, $"{Venue}/assets/uploads",
            JsonContent.Create(new CreateUploadRequest(fileName, bytes.Length, null, fileName), ContractsJsonContext.Default.CreateUploadRequest));
        Assert.Equal(HttpStatusCode.Created, start.StatusCode);
        var session = (await start.Content.ReadFromJsonAsync(ContractsJsonContext.Default.UploadSessionResponse))!;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/octet-stream");
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, session.UploadUrl, content)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await SendAsync(HttpMethod.Post, $"{Venue}/assets/uploads/{session.UploadId}/complete")).StatusCode);
        var deadline = DateTime.UtcNow + PollLimit;
        while (true)
        {
            var asset = (await (await SendAsync(HttpMethod.Get, $"{Venue}/assets/{session.AssetId}")).Content
                .ReadFromJsonAsync(ContractsJsonContext.Default.AssetResponse))!;
            if (asset.Status == AssetStatuses.Ready) return asset.AssetId;
            Assert.NotEqual(AssetStatuses.Failed, asset.Status);
            Assert.True(DateTime.UtcNow < deadline, $"Asset {fileName} is still {asset.Status}.");
            await Task.Delay(100);
        }
    }

    /// <summary>Creates a playlist with these items, publishes it and returns its id.</summary>
    public async Task<string> PublishPlaylistAsync(string name, params (string AssetId, int DurationMs)[] items)
    {
        var created = await SendAsync(HttpMethod.Post, $"{Venue}/playlists",
            JsonContent.Create(new CreatePlaylistRequest(name), ContractsJsonContext.Default.CreatePlaylistRequest));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var set = await SendAsync(HttpMethod.Put, $"{Venue}/playlists/{playlist}/items",
            JsonContent.Create(new SetPlaylistItemsRequest([.. items.Select(i => new PlaylistItemRequest(i.AssetId, i.DurationMs))]),
                ContractsJsonContext.Default.SetPlaylistItemsRequest), created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
        var published = await SendAsync(HttpMethod.Post, $"{Venue}/playlists/{playlist}/publish", ifMatch: set.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        return playlist;
    }

    /// <summary>Makes this playlist the venue's fallback (what plays when no slot does).</summary>
    public async Task SetFallbackAsync(string playlistId)
    {
        var venue = await SendAsync(HttpMethod.Get, Venue);
        var current = (await venue.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        var update = await SendAsync(HttpMethod.Put, Venue,
            JsonContent.Create(new UpdateVenueRequest(current.Name, current.Timezone, current.OpeningHours, playlistId),
                ContractsJsonContext.Default.UpdateVenueRequest), venue.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
    }

    /// <summary>Adds one slot to the draft schedule and publishes it (If-Match on the set each time).</summary>
    public async Task PublishSlotAsync(SlotRequest slot)
    {
        var set = await SendAsync(HttpMethod.Get, $"{Venue}/scheduleset");
        var added = await SendAsync(HttpMethod.Post, $"{Venue}/scheduleset/slots",
            JsonContent.Create(slot, ContractsJsonContext.Default.SlotRequest), set.Headers.ETag!.Tag);
        Assert.True(added.IsSuccessStatusCode, $"adding the slot answered {(int)added.StatusCode}: {await added.Content.ReadAsStringAsync()}");
        var published = await SendAsync(HttpMethod.Post, $"{Venue}/scheduleset/publish", ifMatch: added.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
    }

    /// <summary>The appliance's database, read-only (works whether or not the appliance runs).</summary>
    public SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(DataDirectory, "appliance.db"),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        return connection;
    }

    public List<StoredEvent> Events(string deviceId)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, sequence, event_type, payload_json FROM device_event_log WHERE device_id = $device ORDER BY sequence";
        command.Parameters.AddWithValue("$device", deviceId);
        using var reader = command.ExecuteReader();
        var events = new List<StoredEvent>();
        while (reader.Read()) events.Add(new StoredEvent(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3)));
        return events;
    }

    /// <summary>Holes in a device's event sequence numbers between the first and last the appliance stored (plays included).</summary>
    public List<(long From, long To)> MissingSequences(string deviceId)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT sequence + 1, next - 1 FROM (
                SELECT sequence, LEAD(sequence) OVER (ORDER BY sequence) AS next FROM (SELECT DISTINCT sequence FROM device_event_log WHERE device_id = $device))
            WHERE next > sequence + 1 ORDER BY sequence;
            """;
        command.Parameters.AddWithValue("$device", deviceId);
        using var reader = command.ExecuteReader();
        var missing = new List<(long, long)>();
        while (reader.Read()) missing.Add((reader.GetInt64(0), reader.GetInt64(1)));
        return missing;
    }

    /// <summary>The appliance's log lines for requests its rate limits refused (RateLimiter logs the first 429 of each
    /// window per limit and subject, so none means no 429 at all).</summary>
    public IReadOnlyList<string> RateLimitRefusals() => Process is null ? [] : [.. Process.Output.Where(l => l.Contains("Rate limit ", StringComparison.Ordinal))];

    public string Describe() => Process is null ? "appliance stopped" : "appliance output:\n" + string.Join('\n', Process.Output.TakeLast(40));

    public async ValueTask DisposeAsync()
    {
        if (Process is not null) await Process.DisposeAsync();
        Process = null;
    }
}

/// <summary>One row of device_event_log: a stored event or a play (migration 0010).</summary>
public sealed record StoredEvent(string EventId, long Sequence, string EventType, string PayloadJson);
