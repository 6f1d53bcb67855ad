using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Signage.Contracts;

namespace Signage.Appliance.Sync;

/// <summary>A hub call that did not succeed. Transient ones (network, timeouts, 5xx, 408, 429) are
/// retried with backoff and count towards the circuit breaker; the others (a refused credential, a
/// rejected batch) need a person and are reported as the last error.</summary>
public sealed class HubException(string message, HttpStatusCode? status, bool transient, Exception? inner = null) : Exception(message, inner)
{
    public HttpStatusCode? Status { get; } = status;

    public bool Transient { get; } = transient;
}

/// <summary>The appliance's side of the hub protocol (Signage.Contracts/Sync.cs): plain HTTP calls,
/// bearer credential on every sync call, source-generated JSON.</summary>
public sealed class HubClient(HttpClient http)
{
    public const string JsonMediaType = "application/json";

    public async Task<EnrollResponse> RedeemAsync(Uri hub, EnrollRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, new Uri(hub, "v1/enrollment/redeem"))
        {
            Content = JsonContent.Create(request, ContractsJsonContext.Default.EnrollRequest),
        };
        using var response = await SendAsync(message, cancellationToken);
        return await ReadAsync(response, ContractsJsonContext.Default.EnrollResponse, cancellationToken);
    }

    public async Task<SyncChangesResponse> ChangesAsync(HubLink link, long cursor, CancellationToken cancellationToken)
    {
        using var message = link.Request(HttpMethod.Get, $"v1/sync/changes?cursor={cursor}");
        using var response = await SendAsync(message, cancellationToken);
        return await ReadAsync(response, ContractsJsonContext.Default.SyncChangesResponse, cancellationToken);
    }

    /// <summary>Posts one batch, already serialized as a SyncUpRequest; a 2xx means the hub stored all of it.</summary>
    public async Task<SyncUpResponse> SendBatchAsync(HubLink link, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var message = link.Request(HttpMethod.Post, "v1/sync/up");
        message.Content = new ReadOnlyMemoryContent(body);
        message.Content.Headers.ContentType = new MediaTypeHeaderValue(JsonMediaType);
        using var response = await SendAsync(message, cancellationToken);
        return await ReadAsync(response, ContractsJsonContext.Default.SyncUpResponse, cancellationToken);
    }

    /// <summary>Appends the blob's bytes to <paramref name="partPath"/>, resuming after what is already
    /// there with a Range request (a 200 instead of 206 means the hub sent it whole: start over).</summary>
    public async Task DownloadBlobAsync(HubLink link, string sha256, string partPath, CancellationToken cancellationToken)
    {
        var have = File.Exists(partPath) ? new FileInfo(partPath).Length : 0;
        using var message = link.Request(HttpMethod.Get, $"v1/sync/blobs/{sha256}");
        if (have > 0) message.Headers.Range = new RangeHeaderValue(have, null);
        using var response = await SendAsync(message, cancellationToken, HttpCompletionOption.ResponseHeadersRead,
            allow: have > 0 ? HttpStatusCode.RequestedRangeNotSatisfiable : null);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The part file is already whole (or longer than the blob): the hash check decides.
            return;
        }
        var append = response.StatusCode == HttpStatusCode.PartialContent;
        await using var file = new FileStream(partPath, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using (var body = await response.Content.ReadAsStreamAsync(cancellationToken)) await body.CopyToAsync(file, cancellationToken);
        await file.FlushAsync(cancellationToken);
        file.Flush(flushToDisk: true);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, HttpStatusCode? allow = null)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(message, completion, cancellationToken);
        }
        catch (HttpRequestException e)
        {
            throw new HubException($"The hub at {message.RequestUri?.GetLeftPart(UriPartial.Authority)} cannot be reached: {e.Message}", null, transient: true, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HubException($"The hub did not answer {message.Method} {message.RequestUri?.AbsolutePath} within {http.Timeout.TotalSeconds:0} s.", null, transient: true, e);
        }
        if (response.IsSuccessStatusCode || response.StatusCode == allow) return response;
        using (response)
        {
            var detail = await response.Content.ReadAsStringAsync(cancellationToken);
            if (detail.Length > 500) detail = detail[..500];
            var status = response.StatusCode;
            var transient = (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
            throw new HubException($"The hub answered {(int)status} to {message.Method} {message.RequestUri?.AbsolutePath}: {detail}", status, transient);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new HubException($"The hub answered {(int)response.StatusCode} with an empty body.", response.StatusCode, transient: false);
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new HubException($"The hub's answer is not the expected {typeof(T).Name}: {e.Message}", response.StatusCode, transient: false, e);
        }
    }
}

/// <summary>Where the enrolled hub is and the credential to show it.</summary>
public sealed record HubLink(Uri HubUrl, string Credential)
{
    public HttpRequestMessage Request(HttpMethod method, string relative)
    {
        var message = new HttpRequestMessage(method, new Uri(HubUrl, relative));
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Credential);
        return message;
    }
}
