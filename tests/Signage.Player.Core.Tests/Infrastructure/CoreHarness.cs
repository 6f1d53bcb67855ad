using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Signage.Player.Core.Api;
using Signage.Player.Core.Auth;
using Signage.Player.Core.Cache;
using Signage.Player.Core.Configuration;
using Signage.Player.Core.Manifests;
using Signage.Player.Core.Resilience;
using Signage.Player.Core.Storage;
using Signage.Player.Core.Telemetry;

namespace Signage.Player.Core.Tests.Infrastructure;

/// <summary>The core's modules wired as the coordinator wires them, over a temp directory, a fake clock and
/// the fake appliance, for tests of one module at a time.</summary>
public sealed class CoreHarness : IDisposable
{
    private readonly TempDirectory _directory = new();
    private readonly HttpClient _http;

    public CoreHarness(bool paired = true, long budgetBytes = 2L * 1024 * 1024 * 1024)
    {
        Paths = new PlayerPaths(_directory.Path);
        Paths.EnsureCreated();
        Options = new PlayerOptions { DataDirectory = Paths.Root, HardwareId = "hw-test" };
        Database = new PlayerDatabase(Paths.Database);
        Queue = new EventQueue(Database, Clock);
        Events = new EventRecorder(Queue, new TelemetryCounters());
        Connectivity = new Connectivity(Events, Clock);
        TokenStore = new DeviceTokenStore(Paths);
        Credentials = new DeviceCredentials(TokenStore, Options.UnauthorizedLimit);
        if (paired)
        {
            Credentials.Store(new StoredDeviceToken(Appliance.ValidToken, "dev_1", "ven_1", TestManifests.Utc(TestManifests.Start)));
        }

        _http = new HttpClient(Appliance, disposeHandler: false);
        Api = new ApplianceApi(_http, new ConfiguredApplianceLocator(FakeAppliance.BaseAddress), Credentials, Connectivity, Clock);
        Store = new ManifestStore(Paths);
        Cache = new AssetCache(Database, Paths, Events, Clock, budgetBytes) { ProtectedHashes = Store.ProtectedHashes };
    }

    public FakeTimeProvider Clock { get; } = new(TestManifests.Start);

    public FakeAppliance Appliance { get; } = new();

    public PlayerPaths Paths { get; }

    public PlayerOptions Options { get; }

    public PlayerDatabase Database { get; }

    public EventQueue Queue { get; }

    public EventRecorder Events { get; }

    public Connectivity Connectivity { get; }

    public DeviceTokenStore TokenStore { get; }

    public DeviceCredentials Credentials { get; }

    public ApplianceApi Api { get; }

    public ManifestStore Store { get; }

    public AssetCache Cache { get; }

    public Random Random { get; } = new(42);

    public NullLogger Logger => NullLogger.Instance;

    public Backoff NewBackoff() => new(TimeSpan.FromSeconds(2), TimeSpan.FromMinutes(5), Random);

    /// <summary>Puts an asset's file into the cache as a finished download would.</summary>
    public void Cached(TestAsset asset)
    {
        var path = Paths.MediaFile(asset.Sha256);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, asset.Bytes);
        Cache.Add(asset.Sha256, asset.AssetId, asset.Bytes.Length);
    }

    public IReadOnlyList<string> EventTypes() => [.. Queue.Peek(10_000).Select(e => e.EventType)];

    public void Dispose()
    {
        _http.Dispose();
        Database.Dispose();
        Appliance.Dispose();
        _directory.Dispose();
    }
}
