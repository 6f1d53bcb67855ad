using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.EndToEnd;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.FaultInjection.Tests;

/// <summary>A venue with one published image and its playlist: what screens report plays of.</summary>
public sealed record PlayingVenue(string PlaylistId, string AssetId, string Sha256)
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static async Task<PlayingVenue> SetUpAsync(ApplianceApi api)
    {
        var venue = $"/v1/venues/{api.VenueId}";
        var asset = await new AssetClient(api).UploadAsync("ad.jpg", await File.ReadAllBytesAsync(Fixture("real-160x90.jpg")));
        Assert.Equal(AssetStatuses.Ready, asset.Status);
        var created = await api.AsAdmin(HttpMethod.Post, $"{venue}/playlists",
            JsonContent.Create(new CreatePlaylistRequest("Ads"), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PlaylistResponse))!.PlaylistId;
        var items = await api.AsAdmin(HttpMethod.Put, $"{venue}/playlists/{playlist}/items",
            JsonContent.Create(new SetPlaylistItemsRequest([new PlaylistItemRequest(asset.AssetId, 10_000)]), ContractsJsonContext.Default.SetPlaylistItemsRequest),
            created.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.OK, (await api.AsAdmin(HttpMethod.Post, $"{venue}/playlists/{playlist}/publish", ifMatch: items.Headers.ETag!.Tag)).StatusCode);
        return new PlayingVenue(playlist, asset.AssetId, asset.Sha256!);
    }

    /// <summary>A PLAY_END of this venue's item, 10 s long, as a screen reports it.</summary>
    public PlayerEvent PlayEnd(long sequence, DateTimeOffset startedAt, long durationMs = 10_000)
    {
        var started = startedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        using var payload = JsonDocument.Parse(
            $$"""{"playlistId":"{{PlaylistId}}","assetId":"{{AssetId}}","startedAtUtc":"{{started}}","durationMs":{{durationMs}},"result":"COMPLETED"}""");
        return new PlayerEvent(Guid.NewGuid().ToString(), sequence, PlayerProtocol.EventTypes.PlayEnd, started, "INFO", payload.RootElement.Clone());
    }

    public static HttpContent Batch(IEnumerable<PlayerEvent> events) =>
        JsonContent.Create(new EventBatchRequest([.. events]), ContractsJsonContext.Default.EventBatchRequest);

    /// <summary>The proof-of-play report's total for these venue-local days.</summary>
    public static async Task<ReportTotal> ReportTotalAsync(ApplianceApi api, string from, string to)
    {
        var response = await api.AsAdmin(HttpMethod.Get, $"/v1/venues/{api.VenueId}/reports/proof-of-play?from={from}&to={to}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProofOfPlayReport))!.Total;
    }
}

/// <summary>Direct reads of the appliance's database file, for what the API does not show.</summary>
public static class DatabaseFile
{
    public static SqliteConnection Open(string dataDirectory)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "appliance.db")};Pooling=False");
        connection.Open();
        return connection;
    }

    public static string IntegrityCheck(string dataDirectory)
    {
        using var connection = Open(dataDirectory);
        return string.Join("; ", Strings(connection, "PRAGMA integrity_check;"));
    }

    public static List<string> Strings(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var values = new List<string>();
        while (reader.Read()) values.Add(reader.GetString(0));
        return values;
    }

    public static long Long(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }
}
