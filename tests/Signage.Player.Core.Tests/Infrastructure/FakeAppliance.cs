using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Signage.Contracts;

namespace Signage.Player.Core.Tests.Infrastructure;

/// <summary>The appliance's device plane as an HttpMessageHandler, answering the way spec 27.7/27.8 says:
/// pairing, ETag/304 manifests, bearer auth, Range media, event batches, commands. Tests change its state
/// and can put a function in front of it (<see cref="Intercept"/>) to fail requests.</summary>
public sealed class FakeAppliance : HttpMessageHandler
{
    public static readonly Uri BaseAddress = new("http://appliance.test:5080/");

    private static readonly ContractsJsonContext Json = ContractsJsonContext.Default;
    private readonly ConcurrentDictionary<string, byte[]> _assets = new(StringComparer.Ordinal);

    public string ValidToken { get; set; } = "device-token-1";

    public ManifestResponse? Manifest { get; set; }

    public string PairingStatus { get; set; } = PlayerProtocol.PairingStatus.Pending;

    public int PairingsStarted;

    public List<PlayerCommand> Commands { get; } = [];

    public ConcurrentQueue<PlayerEvent> Events { get; } = new();

    public ConcurrentQueue<HeartbeatRequest> Heartbeats { get; } = new();

    public ConcurrentQueue<(string CommandId, CommandResultRequest Result)> CommandResults { get; } = new();

    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    /// <summary>Answers a request before the fake does; return null to let it through.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Intercept { get; set; }

    public void AddAsset(TestAsset asset) => _assets[asset.Sha256] = asset.Bytes;

    public void AddAssets(params TestAsset[] assets) => Array.ForEach(assets, AddAsset);

    public HttpClient Client() => new(this, disposeHandler: false) { BaseAddress = BaseAddress };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        if (Intercept?.Invoke(request) is { } intercepted)
        {
            return intercepted;
        }

        var path = request.RequestUri!.AbsolutePath;
        if (path.StartsWith("/v1/devices/pairing/", StringComparison.Ordinal))
        {
            return await PairingAsync(request, path, cancellationToken);
        }

        if (request.Headers.Authorization is not { Scheme: "Bearer" } auth || auth.Parameter != ValidToken)
        {
            return new HttpResponseMessage(HttpStatusCode.Unauthorized);
        }

        return path switch
        {
            "/v1/player/manifest" => ManifestAnswer(request),
            "/v1/player/events" => await EventsAsync(request, cancellationToken),
            "/v1/player/heartbeat" => await HeartbeatAsync(request, cancellationToken),
            "/v1/player/commands" => JsonAnswer(new PlayerCommandsResponse([.. Commands]), Json.PlayerCommandsResponse),
            _ when path.StartsWith("/v1/player/commands/", StringComparison.Ordinal) => await CommandResultAsync(request, path, cancellationToken),
            _ when path.StartsWith("/v1/assets/", StringComparison.Ordinal) => AssetAnswer(request, path["/v1/assets/".Length..]),
            _ => new HttpResponseMessage(HttpStatusCode.NotFound),
        };
    }

    public static HttpResponseMessage JsonAnswer<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = JsonContent.Create(value, type) };

    private async Task<HttpResponseMessage> PairingAsync(HttpRequestMessage request, string path, CancellationToken cancellationToken)
    {
        if (path.EndsWith("/start", StringComparison.Ordinal))
        {
            var body = await request.Content!.ReadFromJsonAsync(Json.PairingStartRequest, cancellationToken);
            ArgumentException.ThrowIfNullOrEmpty(body?.DeviceHardwareId);
            var n = Interlocked.Increment(ref PairingsStarted);
            return JsonAnswer(new PairingStartResponse($"pair-{n}", $"CODE{n}", TestManifests.Utc(TestManifests.Start.AddMinutes(10)), 5,
                $"http://appliance.test/pair?code=CODE{n}", $"secret-{n}"), Json.PairingStartResponse);
        }

        var id = request.RequestUri!.Query.Split('=')[1];
        if (!request.Headers.TryGetValues(PlayerProtocol.PairingSecretHeader, out var secrets) || secrets.Single() != "secret-" + id.Split('-')[1])
        {
            return new HttpResponseMessage(HttpStatusCode.Forbidden);
        }

        var completed = PairingStatus == PlayerProtocol.PairingStatus.Completed;
        return JsonAnswer(new PairingStatusResponse(id, PairingStatus, TestManifests.Utc(TestManifests.Start.AddMinutes(10)), completed ? "dev_1" : null,
            completed ? "ven_1" : null, completed ? ValidToken : null), Json.PairingStatusResponse);
    }

    private HttpResponseMessage ManifestAnswer(HttpRequestMessage request)
    {
        if (Manifest is not { } manifest)
        {
            return new HttpResponseMessage(HttpStatusCode.ServiceUnavailable);
        }

        var etag = $"\"{manifest.ManifestEtag}\"";
        if (request.Headers.TryGetValues("If-None-Match", out var sent) && sent.Contains(etag))
        {
            var notModified = new HttpResponseMessage(HttpStatusCode.NotModified);
            notModified.Headers.ETag = new EntityTagHeaderValue(etag);
            return notModified;
        }

        var response = JsonAnswer(manifest, Json.ManifestResponse);
        response.Headers.ETag = new EntityTagHeaderValue(etag);
        return response;
    }

    private async Task<HttpResponseMessage> EventsAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var batch = await request.Content!.ReadFromJsonAsync(Json.EventBatchRequest, cancellationToken);
        var duplicates = 0;
        foreach (var e in batch!.Events)
        {
            if (Events.Any(x => x.EventId == e.EventId))
            {
                duplicates++;
            }
            else
            {
                Events.Enqueue(e);
            }
        }

        return JsonAnswer(new EventBatchResponse(batch.Events.Length - duplicates, duplicates, 0, []), Json.EventBatchResponse);
    }

    private async Task<HttpResponseMessage> HeartbeatAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Heartbeats.Enqueue((await request.Content!.ReadFromJsonAsync(Json.HeartbeatRequest, cancellationToken))!);
        return new HttpResponseMessage(HttpStatusCode.NoContent);
    }

    private async Task<HttpResponseMessage> CommandResultAsync(HttpRequestMessage request, string path, CancellationToken cancellationToken)
    {
        var id = path.Split('/')[4];
        CommandResults.Enqueue((id, (await request.Content!.ReadFromJsonAsync(Json.CommandResultRequest, cancellationToken))!));
        Commands.RemoveAll(c => c.CommandId == id);
        return new HttpResponseMessage(HttpStatusCode.NoContent);
    }

    private HttpResponseMessage AssetAnswer(HttpRequestMessage request, string sha)
    {
        if (!_assets.TryGetValue(sha, out var bytes))
        {
            return new HttpResponseMessage(HttpStatusCode.NotFound);
        }

        if (request.Headers.Range?.Ranges.SingleOrDefault() is { From: { } from })
        {
            if (from >= bytes.Length)
            {
                return new HttpResponseMessage(HttpStatusCode.RequestedRangeNotSatisfiable);
            }

            var partial = new HttpResponseMessage(HttpStatusCode.PartialContent) { Content = new ByteArrayContent(bytes, (int)from, bytes.Length - (int)from) };
            partial.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, bytes.Length - 1, bytes.Length);
            return partial;
        }

        return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) };
    }
}
