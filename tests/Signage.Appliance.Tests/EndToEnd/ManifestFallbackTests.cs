using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// The published appliance: the manifest ETag names what the screen must do, so it survives a restart
/// (seed 001, "ETag stable if inputs unchanged"); and a screen that was ever served gets its last
/// manifest, never a 5xx, when the manifest cannot be built (spec 31.9): the database locked by another
/// process, or its file damaged, before and after a restart; with nothing kept, a minimal fallback.
/// </summary>
public sealed class ManifestFallbackTests : IAsyncLifetime
{
    private const string ManifestPath = "/v1/player/manifest";
    private const string ScreenAddress = "signage-appliance.local:5080";
    private static readonly Dictionary<string, string> Environment = new() { ["RateLimits__Enabled"] = "false", ["SIGNAGE_FFMPEG"] = "none" };
    private readonly TempDirectory _temp = new();

    private ApplianceApi Api { get; set; } = null!;

    private string Data => _temp.Combine("data");

    public async Task InitializeAsync() => Api = await ApplianceApi.StartAsync(Data, Environment);

    public async Task DisposeAsync()
    {
        await Api.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task The_manifest_etag_is_the_same_after_a_restart_and_if_none_match_takes_a_list_weak_tags_and_a_star()
    {
        var (token, first) = await PlayingScreenAsync();

        await Api.Process.StopAsync();
        await RestartAsync();
        using var again = await GetAsync(token);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(first.ETag, again.Headers.ETag!.Tag);

        foreach (var header in new[] { first.ETag, $"W/{first.ETag}", $"\"m-0\", {first.ETag}", $"\"m-0\",W/{first.ETag}", "*" })
        {
            using var conditional = await GetAsync(token, header);
            Assert.True(HttpStatusCode.NotModified == conditional.StatusCode, $"If-None-Match: {header} answered {conditional.StatusCode}");
            Assert.Equal(first.ETag, conditional.Headers.ETag!.Tag);
        }
        using var other = await GetAsync(token, "\"m-0\", W/\"m-1\"");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task With_the_database_locked_by_another_process_a_screen_gets_its_last_manifest_before_and_after_a_restart()
    {
        var (token, first) = await PlayingScreenAsync();

        using (LockDatabase())
        {
            // Another Host header is another base URL: the cached manifest does not fit, so the appliance must build.
            var watch = Stopwatch.StartNew();
            using var locked = await GetAsync(token, host: "localhost");
            Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
            Assert.Equal(first.ETag, locked.Headers.ETag!.Tag);
            Assert.Equal(first.Body, await locked.Content.ReadAsStringAsync());
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(25), $"answered after {watch.Elapsed}");
        }

        await Api.Process.StopAsync();
        await RestartAsync();
        using (LockDatabase())
        {
            using var afterRestart = await GetAsync(token);
            Assert.Equal(HttpStatusCode.OK, afterRestart.StatusCode);
            Assert.Equal(first.ETag, afterRestart.Headers.ETag!.Tag);
            Assert.Equal(first.Body, await afterRestart.Content.ReadAsStringAsync());
            using var conditional = await GetAsync(token, first.ETag);
            Assert.Equal(HttpStatusCode.NotModified, conditional.StatusCode);
        }
    }

    [Fact]
    public async Task With_the_database_file_damaged_a_screen_gets_its_last_manifest_while_running_and_after_a_restart_else_a_fallback()
    {
        var (token, first) = await PlayingScreenAsync();
        var pages = PagesOf("playlist_published_item");

        Damage(pages);
        using (var running = await GetAsync(token, host: "localhost"))
        {
            Assert.Equal(HttpStatusCode.OK, running.StatusCode);
            Assert.Equal(first.ETag, running.Headers.ETag!.Tag);
        }

        await Api.Process.StopAsync();
        await RestartAsync(); // the damage is in content tables: the appliance still starts
        using (var afterRestart = await GetAsync(token))
        {
            Assert.Equal(HttpStatusCode.OK, afterRestart.StatusCode);
            Assert.Equal(first.ETag, afterRestart.Headers.ETag!.Tag);
            Assert.Equal(first.Body, await afterRestart.Content.ReadAsStringAsync());
        }

        await Api.Process.StopAsync();
        Directory.Delete(Path.Combine(Data, "manifests"), recursive: true);
        await RestartAsync();
        using var fallback = await GetAsync(token);
        Assert.Equal(HttpStatusCode.OK, fallback.StatusCode);
        var body = (await fallback.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ManifestResponse))!;
        Assert.Null(body.Playlist);
        Assert.Empty(body.Timeline.Segments);
        Assert.Equal($"\"{body.ManifestEtag}\"", fallback.Headers.ETag!.Tag);
        Assert.NotEqual(first.ETag, fallback.Headers.ETag!.Tag);
        Assert.Equal("LANDSCAPE", body.Settings.Orientation);
    }

    /// <summary>A paired screen whose venue plays a published fallback playlist; its first manifest.</summary>
    private async Task<(string Token, (string ETag, string Body) First)> PlayingScreenAsync()
    {
        var path = $"/v1/venues/{Api.VenueId}";
        var asset = await new AssetClient(Api).UploadAsync("ad.jpg", await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", "real-160x90.jpg")));
        var created = await Api.AsAdmin(HttpMethod.Post, $"{path}/playlists", JsonContent.Create(new CreatePlaylistRequest("Ads"), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var items = await Api.AsAdmin(HttpMethod.Put, $"{path}/playlists/{playlist}/items", JsonContent.Create(
            new SetPlaylistItemsRequest([new PlaylistItemRequest(asset.AssetId, 10_000)]), ContractsJsonContext.Default.SetPlaylistItemsRequest), created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Post, $"{path}/playlists/{playlist}/publish", ifMatch: items.Headers.ETag!.Tag)).StatusCode);
        var current = await Api.AsAdmin(HttpMethod.Get, path);
        var record = (await current.Content.ReadFromJsonAsync(ContractsJsonContext.Default.VenueResponse))!;
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Put, path, JsonContent.Create(
            new UpdateVenueRequest(record.Name, record.Timezone, record.OpeningHours, playlist), ContractsJsonContext.Default.UpdateVenueRequest),
            current.Headers.ETag!.Tag)).StatusCode);
        var (_, token) = await Api.PairScreenAsync("Bar TV");
        using var first = await GetAsync(token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var body = await first.Content.ReadAsStringAsync();
        Assert.Contains(playlist, body);
        await WaitForKeptManifestAsync();
        return (token, (first.Headers.ETag!.Tag, body));
    }

    private async Task WaitForKeptManifestAsync()
    {
        var folder = Path.Combine(Data, "manifests");
        for (var i = 0; i < 100 && !(Directory.Exists(folder) && Directory.GetFiles(folder, "*.json").Length > 0); i++) await Task.Delay(50);
        Assert.Single(Directory.GetFiles(folder, "*.json"));
    }

    private async Task RestartAsync()
    {
        await Api.DisposeAsync();
        Api = await ApplianceApi.StartAsync(Data, Environment);
    }

    private Task<HttpResponseMessage> GetAsync(string token, string? ifNoneMatch = null, string? host = null)
    {
        var request = ApplianceApi.Request(HttpMethod.Get, ManifestPath, token);
        if (ifNoneMatch is not null) request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        // The screen's address for the appliance stays the same across restarts (the test's port does not);
        // another address is another base URL in the items, so another manifest.
        request.Headers.Host = host ?? ScreenAddress;
        return Api.Process.Client.SendAsync(request);
    }

    /// <summary>
    /// Holds, as another process would, SQLite's WAL locks (the write, checkpoint, recovery and all five
    /// read-mark locks, bytes 120-127 of the -shm file): no connection of the appliance can start a read
    /// or a write until it is released. SQLite's readers give up after ~10 s with SQLITE_PROTOCOL.
    /// </summary>
    private FileStream LockDatabase()
    {
        if (OperatingSystem.IsMacOS()) throw new PlatformNotSupportedException("byte-range locks: Linux and Windows");
        var shm = new FileStream(Path.Combine(Data, "appliance.db-shm"), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                shm.Lock(120, 8);
                return shm;
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(10); // a read of the appliance holds a read mark for a moment
            }
        }
    }

    /// <summary>The b-tree pages of these tables (their roots; small tables fit in one page) and the page size.</summary>
    private (List<long> Pages, long PageSize) PagesOf(params string[] tables)
    {
        using var connection = OpenDatabase();
        using (var checkpoint = connection.CreateCommand())
        {
            // Everything into the main file first, so that the damage below is what every reader sees.
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }
        return ([.. tables.Select(t => Long(connection, $"SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = '{t}';"))],
            Long(connection, "PRAGMA page_size;"));
    }

    /// <summary>Overwrites these pages with garbage, as a failing disk would.</summary>
    private void Damage((List<long> Pages, long PageSize) pages)
    {
        using (var connection = OpenDatabase())
        using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }
        var garbage = new byte[pages.PageSize];
        new Random(16).NextBytes(garbage);
        using var file = new FileStream(Path.Combine(Data, "appliance.db"), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        foreach (var page in pages.Pages)
        {
            file.Position = (page - 1) * garbage.Length;
            file.Write(garbage);
        }
        file.Flush(flushToDisk: true);
    }

    private SqliteConnection OpenDatabase()
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(Data, "appliance.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    private static long Long(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }
}
