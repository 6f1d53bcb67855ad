using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Signage.Contracts;

namespace Signage.FleetSimulator;

/// <summary>The venue manager's side: sign in, put one item on a published fallback playlist, claim pairing codes,
/// and (optionally) change the venue now and then so every screen fetches a new manifest.</summary>
public sealed class Admin(HttpClient http)
{
    private string _token = "";

    public string VenueId { get; private set; } = "";

    public async Task SignInAsync(string email, string password)
    {
        var login = await http.PostAsJsonAsync("/v1/auth/login", new LoginRequest(email, password), ContractsJsonContext.Default.LoginRequest);
        _token = (await Read(login, ContractsJsonContext.Default.TokenResponse)).AccessToken;
        VenueId = (await Read(await Send(HttpMethod.Get, "/v1/me/venues"), ContractsJsonContext.Default.ItemsResponseVenueAccess)).Items[0].VenueId;
    }

    /// <summary>Uploads the media file and publishes it as the venue's fallback playlist.</summary>
    public async Task PublishAsync(string mediaPath)
    {
        var venue = $"/v1/venues/{VenueId}";
        var bytes = await File.ReadAllBytesAsync(mediaPath);
        var session = await Read(await Send(HttpMethod.Post, $"{venue}/assets/uploads",
            JsonContent.Create(new CreateUploadRequest(Path.GetFileName(mediaPath), bytes.Length), ContractsJsonContext.Default.CreateUploadRequest)),
            ContractsJsonContext.Default.UploadSessionResponse);
        var content = new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } };
        (await Send(HttpMethod.Put, session.UploadUrl, content)).EnsureSuccessStatusCode();
        (await Send(HttpMethod.Post, $"{venue}/assets/uploads/{session.UploadId}/complete")).EnsureSuccessStatusCode();
        while (true)
        {
            var asset = await Read(await Send(HttpMethod.Get, $"{venue}/assets/{session.AssetId}"), ContractsJsonContext.Default.AssetResponse);
            if (asset.Status == "READY") break;
            if (asset.Status == "FAILED") throw new InvalidOperationException($"The media file was refused: {asset.FailureReason}");
            await Task.Delay(200);
        }
        var created = await Send(HttpMethod.Post, $"{venue}/playlists", JsonContent.Create(new CreatePlaylistRequest("Fleet"), ContractsJsonContext.Default.CreatePlaylistRequest));
        var playlist = (await Read(created, ContractsJsonContext.Default.PlaylistResponse)).PlaylistId;
        var items = await Send(HttpMethod.Put, $"{venue}/playlists/{playlist}/items",
            JsonContent.Create(new SetPlaylistItemsRequest([new PlaylistItemRequest(session.AssetId, 10_000)]), ContractsJsonContext.Default.SetPlaylistItemsRequest),
            created.Headers.ETag!.Tag);
        items.EnsureSuccessStatusCode();
        (await Send(HttpMethod.Post, $"{venue}/playlists/{playlist}/publish", ifMatch: items.Headers.ETag!.Tag)).EnsureSuccessStatusCode();
        await UpdateVenueAsync(v => new UpdateVenueRequest(v.Name, v.Timezone, v.OpeningHours, playlist));
    }

    public async Task ClaimAsync(string code, string name) =>
        (await Send(HttpMethod.Post, $"/v1/venues/{VenueId}/devices/pairing/claim",
            JsonContent.Create(new PairingClaimRequest(code, name), ContractsJsonContext.Default.PairingClaimRequest))).EnsureSuccessStatusCode();

    /// <summary>A change every screen's manifest reflects: the venue's time zone flips between two zones of the same offset.</summary>
    public Task ChangeVenueAsync() =>
        UpdateVenueAsync(v => new UpdateVenueRequest(v.Name, v.Timezone == "Europe/London" ? "Europe/Dublin" : "Europe/London", v.OpeningHours, v.FallbackPlaylistId));

    private async Task UpdateVenueAsync(Func<VenueResponse, UpdateVenueRequest> change)
    {
        var current = await Send(HttpMethod.Get, $"/v1/venues/{VenueId}");
        var venue = await Read(current, ContractsJsonContext.Default.VenueResponse);
        (await Send(HttpMethod.Put, $"/v1/venues/{VenueId}", JsonContent.Create(change(venue), ContractsJsonContext.Default.UpdateVenueRequest),
            current.Headers.ETag!.Tag)).EnsureSuccessStatusCode();
    }

    private Task<HttpResponseMessage> Send(HttpMethod method, string path, HttpContent? content = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return http.SendAsync(request);
    }

    private static async Task<T> Read<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Accepted))
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync(type))!;
    }
}
