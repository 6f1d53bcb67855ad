using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Signage.Contracts;
using Signage.Player.Core.Auth;

namespace Signage.Player.Core.Api;

/// <summary>The appliance's device-plane endpoints (spec 27.7, 27.8) as typed calls. It keeps the
/// bookkeeping every call shares in one place: the bearer token, counting 401s, online/offline, Retry-After, and
/// spec 27.1's per-device rate limits (<see cref="RequestPacer"/>).</summary>
public sealed class ApplianceApi(HttpClient http, IApplianceLocator locator, DeviceCredentials credentials, Connectivity connectivity,
    TimeProvider clock, RequestPacer? pacer = null)
{
    private readonly RequestPacer _pacer = pacer ?? new(clock);

    /// <summary>For everything but a held manifest request and media bodies.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    /// <summary>RFC 7240's answer to Prefer: the appliance sends <c>Preference-Applied: wait=N</c> when it held the request.</summary>
    private const string PreferenceAppliedHeader = "Preference-Applied";

    private static readonly ContractsJsonContext Json = ContractsJsonContext.Default;

    public Task<ApiResult<PairingStartResponse>> StartPairingAsync(PairingStartRequest request, CancellationToken cancellationToken) =>
        SendJsonAsync(baseUri => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "v1/devices/pairing/start"))
        {
            Content = JsonContent.Create(request, Json.PairingStartRequest),
        }, deviceAuth: false, RequestTimeout, Json.PairingStartResponse, cancellationToken);

    public Task<ApiResult<PairingStatusResponse>> GetPairingStatusAsync(string pairingId, string pairingSecret, CancellationToken cancellationToken) =>
        SendJsonAsync(baseUri =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get,
                new Uri(baseUri, "v1/devices/pairing/status?pairingId=" + Uri.EscapeDataString(pairingId)));
            request.Headers.TryAddWithoutValidation(PlayerProtocol.PairingSecretHeader, pairingSecret);
            return request;
        }, deviceAuth: false, RequestTimeout, Json.PairingStatusResponse, cancellationToken);

    /// <summary>Conditional GET. With <paramref name="wait"/> the appliance may hold the request until the
    /// manifest changes (RFC 7240), so the timeout is the wait plus a margin.</summary>
    public Task<ApiResult<ManifestResponse>> GetManifestAsync(string? etag, TimeSpan? wait, CancellationToken cancellationToken) =>
        SendJsonAsync(baseUri =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "v1/player/manifest"));
            if (etag is not null)
            {
                request.Headers.TryAddWithoutValidation("If-None-Match", Quote(etag));
                if (wait is { } w)
                {
                    request.Headers.TryAddWithoutValidation(PlayerProtocol.PreferWaitHeader,
                        "wait=" + ((int)w.TotalSeconds).ToString(CultureInfo.InvariantCulture));
                }
            }

            return request;
        }, deviceAuth: true, (wait ?? TimeSpan.Zero) + RequestTimeout, Json.ManifestResponse, cancellationToken, PacedEndpoint.Manifest);

    /// <summary>Ok with a null value is a 2xx without a body (spec 27.8.3 says 204): everything accepted.</summary>
    public Task<ApiResult<EventBatchResponse>> PostEventsAsync(EventBatchRequest batch, CancellationToken cancellationToken) =>
        SendJsonAsync(baseUri => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "v1/player/events"))
        {
            Content = JsonContent.Create(batch, Json.EventBatchRequest),
        }, deviceAuth: true, RequestTimeout, Json.EventBatchResponse, cancellationToken, PacedEndpoint.Events);

    /// <summary><paramref name="snapshot"/> is taken when the request goes out, after any wait for the rate limit.</summary>
    public Task<ApiResult<bool>> PostHeartbeatAsync(Func<HeartbeatRequest> snapshot, CancellationToken cancellationToken) =>
        SendAsync(baseUri => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, "v1/player/heartbeat"))
        {
            Content = JsonContent.Create(snapshot(), Json.HeartbeatRequest),
        }, deviceAuth: true, RequestTimeout, NoBody, cancellationToken, paced: PacedEndpoint.Heartbeat);

    public Task<ApiResult<PlayerCommandsResponse>> GetCommandsAsync(CancellationToken cancellationToken) =>
        SendJsonAsync(baseUri => new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, "v1/player/commands")),
            deviceAuth: true, RequestTimeout, Json.PlayerCommandsResponse, cancellationToken, PacedEndpoint.Commands);

    public Task<ApiResult<bool>> PostCommandResultAsync(string commandId, CommandResultRequest result, CancellationToken cancellationToken) =>
        SendAsync(baseUri => new HttpRequestMessage(HttpMethod.Post, new Uri(baseUri, $"v1/player/commands/{Uri.EscapeDataString(commandId)}/result"))
        {
            Content = JsonContent.Create(result, Json.CommandResultRequest),
        }, deviceAuth: true, RequestTimeout, NoBody, cancellationToken);

    /// <summary>Starts a media download (GET item.url, bearer token, optional Range). On Ok the caller owns
    /// the response and reads the body; 206 and 416 count as Ok so the caller can resume.</summary>
    public Task<ApiResult<HttpResponseMessage>> GetAssetAsync(string url, long? resumeFrom, CancellationToken cancellationToken) =>
        SendAsync(baseUri =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUri, url));
            if (resumeFrom is > 0)
            {
                request.Headers.Range = new RangeHeaderValue(resumeFrom, null);
            }

            return request;
        }, deviceAuth: true, timeout: null, (response, _) => Task.FromResult<HttpResponseMessage?>(response), cancellationToken,
            keepResponse: true);

    private Task<ApiResult<T>> SendJsonAsync<T>(Func<Uri, HttpRequestMessage> build, bool deviceAuth, TimeSpan timeout, JsonTypeInfo<T> typeInfo,
        CancellationToken cancellationToken, PacedEndpoint? paced = null) =>
        SendAsync(build, deviceAuth, timeout, async (response, ct) =>
            response.StatusCode == HttpStatusCode.NoContent || response.Content.Headers.ContentLength == 0
                ? default
                : await response.Content.ReadFromJsonAsync(typeInfo, ct).ConfigureAwait(false), cancellationToken, paced: paced);

    private static Task<bool> NoBody(HttpResponseMessage response, CancellationToken cancellationToken) => Task.FromResult(true);

    private async Task<ApiResult<T>> SendAsync<T>(Func<Uri, HttpRequestMessage> build, bool deviceAuth, TimeSpan? timeout,
        Func<HttpResponseMessage, CancellationToken, Task<T?>> readBody, CancellationToken cancellationToken, bool keepResponse = false,
        PacedEndpoint? paced = null)
    {
        var baseUri = await locator.LocateAsync(cancellationToken).ConfigureAwait(false);
        if (baseUri is null)
        {
            return ApiResult<T>.Unreachable("no appliance address known");
        }

        if (deviceAuth && credentials.Token is null)
        {
            // Not paired: nothing to ask, and nothing to count against a token.
            return new ApiResult<T>(ApiOutcome.Unauthorized, Error: "not paired");
        }

        var slot = paced is { } endpoint ? await _pacer.WaitTurnAsync(endpoint, cancellationToken).ConfigureAwait(false) : default;
        var result = await SendNowAsync(baseUri, build, deviceAuth, timeout, readBody, cancellationToken, keepResponse).ConfigureAwait(false);
        if (paced is { } sent)
        {
            if (result.Status == HttpStatusCode.TooManyRequests)
            {
                // Refused requests are not counted by the appliance; it says when to come back.
                _pacer.Refund(sent, slot);
                _pacer.Throttled(sent, result.RetryAfter);
            }
            else if (result.NeverSent || result.Status == HttpStatusCode.Unauthorized || (result.WaitApplied && result.IsOk))
            {
                // Never reached the appliance, refused before its limit is looked at (the device is authenticated
                // first), or a held manifest request that ended with news (the appliance refunds those).
                _pacer.Refund(sent, slot);
            }
        }

        return result;
    }

    private async Task<ApiResult<T>> SendNowAsync<T>(Uri baseUri, Func<Uri, HttpRequestMessage> build, bool deviceAuth, TimeSpan? timeout,
        Func<HttpResponseMessage, CancellationToken, Task<T?>> readBody, CancellationToken cancellationToken, bool keepResponse)
    {
        var token = credentials.Token;
        if (deviceAuth && token is null)
        {
            return new ApiResult<T>(ApiOutcome.Unauthorized, Error: "not paired", NeverSent: true);
        }

        baseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        using var request = build(baseUri);
        if (deviceAuth)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var deadline = timeout is { } t ? new CancellationTokenSource(t, clock) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        HttpResponseMessage? response = null;
        try
        {
            response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            connectivity.Reachable();
            var result = await InterpretAsync(response, deviceAuth, token, readBody, linked.Token).ConfigureAwait(false);
            if (keepResponse && result.IsOk)
            {
                response = null;
            }

            return result;
        }
        catch (HttpRequestException ex)
        {
            connectivity.Unreachable();
            return ApiResult<T>.Unreachable(ex.Message) with { NeverSent = ex.HttpRequestError == HttpRequestError.ConnectionError };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            connectivity.Unreachable();
            return ApiResult<T>.Unreachable("timed out");
        }
        catch (IOException ex)
        {
            connectivity.Unreachable();
            return ApiResult<T>.Unreachable(ex.Message);
        }
        finally
        {
            response?.Dispose();
        }
    }

    private async Task<ApiResult<T>> InterpretAsync<T>(HttpResponseMessage response, bool deviceAuth, string? token,
        Func<HttpResponseMessage, CancellationToken, Task<T?>> readBody, CancellationToken cancellationToken)
    {
        var status = response.StatusCode;
        if (status == HttpStatusCode.Unauthorized)
        {
            if (deviceAuth && token is not null)
            {
                credentials.Unauthorized(token);
            }

            return new ApiResult<T>(ApiOutcome.Unauthorized, Status: status);
        }

        if (deviceAuth)
        {
            credentials.Authorized();
        }

        var etag = response.Headers.ETag?.Tag.Trim('"');
        var waitApplied = response.Headers.Contains(PreferenceAppliedHeader);
        if (status == HttpStatusCode.NotModified)
        {
            return new ApiResult<T>(ApiOutcome.NotModified, Status: status, ETag: etag, WaitApplied: waitApplied);
        }

        if (status is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)
        {
            return new ApiResult<T>(ApiOutcome.Throttled, Status: status, RetryAfter: RetryAfter(response), Error: response.ReasonPhrase);
        }

        if (!response.IsSuccessStatusCode && status != HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return new ApiResult<T>(ApiOutcome.HttpError, Status: status, Error: response.ReasonPhrase,
                Problem: await ProblemAsync(response, cancellationToken).ConfigureAwait(false));
        }

        try
        {
            return new ApiResult<T>(ApiOutcome.Ok, await readBody(response, cancellationToken).ConfigureAwait(false), status, ETag: etag,
                WaitApplied: waitApplied);
        }
        catch (JsonException ex)
        {
            return new ApiResult<T>(ApiOutcome.InvalidBody, Status: status, Error: ex.Message);
        }
        catch (NotSupportedException ex)
        {
            // ReadFromJsonAsync's answer to a non-JSON content type.
            return new ApiResult<T>(ApiOutcome.InvalidBody, Status: status, Error: ex.Message);
        }
    }

    /// <summary>A 4xx's problem+json body, so a caller can tell why (a body that is not one is ignored).</summary>
    private static async Task<JsonElement?> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || (int)response.StatusCode >= 500)
        {
            return null;
        }

        try
        {
            return await response.Content.ReadFromJsonAsync(Json.JsonElement, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - clock.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static string Quote(string etag) => etag.StartsWith('"') ? etag : $"\"{etag}\"";
}
