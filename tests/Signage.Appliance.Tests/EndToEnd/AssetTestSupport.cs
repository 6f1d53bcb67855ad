using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>The upload flow over the real HTTP API, as a client app would drive it.</summary>
public sealed class AssetClient(ApplianceApi api, string? accessToken = null)
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan PollLimit = TimeSpan.FromSeconds(20);

    private string Token => accessToken ?? api.Admin.AccessToken;

    public string AssetsPath => $"/v1/venues/{api.VenueId}/assets";

    public Task<HttpResponseMessage> StartAsync(string fileName, long sizeBytes, string? sha256 = null, string? displayName = null) =>
        api.SendAsync(HttpMethod.Post, $"{AssetsPath}/uploads", Token,
            JsonContent.Create(new CreateUploadRequest(fileName, sizeBytes, sha256, displayName), ContractsJsonContext.Default.CreateUploadRequest));

    public async Task<UploadSessionResponse> StartOkAsync(string fileName, long sizeBytes, string? sha256 = null, string? displayName = null)
    {
        var response = await StartAsync(fileName, sizeBytes, sha256, displayName);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.UploadSessionResponse))!;
    }

    /// <summary>PUTs bytes, with <c>Content-Range: bytes start-(start+length-1)/total</c> when <paramref name="total"/> is given.</summary>
    public Task<HttpResponseMessage> PutAsync(string uploadUrl, byte[] bytes, long? start = null, long? total = null) =>
        PutAsync(uploadUrl, new ByteArrayContent(bytes), bytes.Length, start, total);

    public Task<HttpResponseMessage> PutAsync(string uploadUrl, HttpContent content, long length, long? start = null, long? total = null)
    {
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        if (total is { } all) content.Headers.ContentRange = new ContentRangeHeaderValue(start ?? 0, (start ?? 0) + length - 1, all);
        return api.SendAsync(HttpMethod.Put, uploadUrl, Token, content);
    }

    public Task<HttpResponseMessage> CompleteAsync(string uploadId) =>
        api.SendAsync(HttpMethod.Post, $"{AssetsPath}/uploads/{uploadId}/complete", Token);

    public async Task<UploadStatusResponse> StatusAsync(string uploadId)
    {
        var response = await api.SendAsync(HttpMethod.Get, $"{AssetsPath}/uploads/{uploadId}", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.UploadStatusResponse))!;
    }

    public Task<HttpResponseMessage> GetAsync(string assetId) => api.SendAsync(HttpMethod.Get, $"{AssetsPath}/{assetId}", Token);

    public async Task<AssetResponse> AssetAsync(string assetId)
    {
        var response = await GetAsync(assetId);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.AssetResponse))!;
    }

    public Task<HttpResponseMessage> DeleteAsync(string assetId) => api.SendAsync(HttpMethod.Delete, $"{AssetsPath}/{assetId}", Token);

    public async Task<ItemsResponse<AssetResponse>> ListAsync(string query = "")
    {
        var response = await api.SendAsync(HttpMethod.Get, $"{AssetsPath}{query}", Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseAssetResponse))!;
    }

    /// <summary>Start, PUT all, complete, and poll until READY or FAILED.</summary>
    public async Task<AssetResponse> UploadAsync(string fileName, byte[] bytes, string? sha256 = null, string? displayName = null)
    {
        var session = await StartOkAsync(fileName, bytes.Length, sha256, displayName);
        Assert.Equal(HttpStatusCode.OK, (await PutAsync(session.UploadUrl, bytes)).StatusCode);
        var complete = await CompleteAsync(session.UploadId);
        Assert.Equal(HttpStatusCode.Accepted, complete.StatusCode);
        return await SettledAsync(session.AssetId);
    }

    /// <summary>The same, streaming a file from disk (for files too big to hold in a test's memory).</summary>
    public async Task<AssetResponse> UploadFileAsync(string fileName, string path)
    {
        var length = new FileInfo(path).Length;
        var session = await StartOkAsync(fileName, length);
        await using (var file = File.OpenRead(path))
        {
            Assert.Equal(HttpStatusCode.OK, (await PutAsync(session.UploadUrl, new StreamContent(file), length)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await CompleteAsync(session.UploadId)).StatusCode);
        return await SettledAsync(session.AssetId);
    }

    /// <summary>Polls every 100 ms until the asset is READY or FAILED; fails the test after 20 s.</summary>
    public async Task<AssetResponse> SettledAsync(string assetId)
    {
        var deadline = DateTime.UtcNow + PollLimit;
        while (true)
        {
            var asset = await AssetAsync(assetId);
            if (asset.Status is AssetStatuses.Ready or AssetStatuses.Failed) return asset;
            Assert.True(DateTime.UtcNow < deadline, $"Asset {assetId} is still {asset.Status} after {PollLimit.TotalSeconds} s.");
            await Task.Delay(PollInterval);
        }
    }

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}

/// <summary>Where an appliance keeps asset files, for asserting what is (and is not) left on disk.</summary>
public sealed record AssetFolders(string DataDirectory)
{
    public string Uploads => Path.Combine(DataDirectory, "uploads");

    public string Blobs => Path.Combine(DataDirectory, "blobs");

    public string Thumbnails => Path.Combine(DataDirectory, "thumbnails");

    public string BlobOf(string sha256) => Path.Combine(Blobs, sha256[..2], sha256);

    public string ThumbnailOf(string sha256) => Path.Combine(Thumbnails, sha256 + ".jpg");

    public string[] Files(string folder) => Directory.Exists(folder) ? Directory.GetFiles(folder, "*", SearchOption.AllDirectories) : [];
}
