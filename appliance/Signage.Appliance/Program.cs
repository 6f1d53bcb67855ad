using NodaTime;
using Serilog;
using Signage.Appliance;
using Signage.Appliance.Accounts;
using Signage.Appliance.Admin;
using Signage.Appliance.Assets;
using Signage.Appliance.Audit;
using Signage.Appliance.Auth;
using Signage.Appliance.Campaigns;
using Signage.Appliance.Data;
using Signage.Appliance.Devices;
using Signage.Appliance.Discovery;
using Signage.Appliance.Groups;
using Signage.Appliance.Health;
using Signage.Appliance.Playlists;
using Signage.Appliance.Hosting;
using Signage.Appliance.Integrity;
using Signage.Appliance.Media;
using Signage.Appliance.Monitoring;
using Signage.Appliance.Pairing;
using Signage.Appliance.Player;
using Signage.Appliance.Problems;
using Signage.Appliance.ProofOfPlay;
using Signage.Appliance.Schedules;
using Signage.Appliance.Sync;
using Signage.Appliance.Venues;
using Signage.Contracts;
using Signage.Web.Problems;

if (args.Contains("--help") || args.Contains("-h")) { Console.WriteLine(ApplianceSettings.Usage); return ExitCodes.Ok; }
if (args.Contains("--version")) { Console.WriteLine(ApplianceInfo.Version); return ExitCodes.Ok; }
// `signage admin create` / `reset-password` run these, on a data directory a running appliance may hold.
if (AccountVerbs.Requested(args) is { } accountVerb) return AccountVerbs.Run(accountVerb, args, Console.In, SystemClock.Instance);
// A switch without a value: taken out before the configuration reader would pair it with the next argument.
var initOnly = args.Contains(ApplianceVerbs.Init);
var printRoutes = args.Contains("--routes");
args = [.. args.Where(a => a is not (ApplianceVerbs.Init or "--routes"))];

// Under --init, stdout carries only the result line that `signage provision` reads; the log goes to stderr.
Log.Logger = ApplianceLogging.CreateBootstrapLogger(toStandardError: initOnly);
Task? dataDirectorySynced = null;
try
{
    // Content root = the binary's folder, not the working directory: the host watches its content
    // root for appsettings changes, recursively, and under systemd the working directory is "/"
    // (measured: a cwd of /tmp with ~2,000 folders cost ~380 ms of start-up; docs/PERFORMANCE.md).
    var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
    var settings = ApplianceSettings.From(builder.Configuration, Environment.GetEnvironmentVariable);
    dataDirectorySynced = DataDirectory.Prepare(settings.DataDirectory); // its sync is awaited before listen
    using var dataDirectoryLock = DataDirectory.Lock(settings.DataDirectory);
    Log.Logger = ApplianceLogging.CreateLogger(settings.DataDirectory, toStandardError: initOnly);
    var database = new Database(Path.Combine(settings.DataDirectory, DataDirectory.DatabaseFileName));
    // Schema, first admin and token-signing key on the thread pool while this thread builds the host
    // (issue 9): on a fresh data directory this is mostly waiting for fsyncs (~20 ms here), and the
    // host's build, middleware and endpoints need none of it. Awaited before the device directory
    // loads and before anything listens; its StartupExceptions surface there, unchanged.
    var prepared = Task.Run(() =>
    {
        var applied = Migrator.Migrate(database);
        var adminCreated = FirstAdmin.CreateFromEnvironment(database, Environment.GetEnvironmentVariable, SystemClock.Instance);
        return (Applied: applied, AdminCreated: adminCreated, SigningKey: SigningKey.LoadOrCreate(settings.DataDirectory));
    });
    // `signage provision` runs this: data directory, schema, first admin and keys ready, then exit.
    if (initOnly)
    {
        var (_, adminCreated, _) = await prepared;
        await dataDirectorySynced;
        Log.Information("Data directory {DataDirectory} initialised (schema {Schema})", settings.DataDirectory, Migrator.LatestVersion);
        return VerbResult.Write(ExitCodes.Ok, new ApplianceVerbResult(ApplianceVerbs.Ok, Schema: Migrator.LatestVersion, AdminCreated: adminCreated));
    }

    builder.WebHost.UseUrls(settings.Urls);
    // JSON bodies are small; the upload endpoint raises its own limit.
    builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 1024 * 1024);
    builder.Logging.ClearProviders();
    builder.Services.AddSerilog();
    builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
    builder.Services.ConfigureHttpJsonOptions(o =>
    {
        // Strict reading: a missing property or a null where the contract says non-null is a 400,
        // never a half-filled request.
        o.SerializerOptions.RespectNullableAnnotations = true;
        o.SerializerOptions.RespectRequiredConstructorParameters = true;
        o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
        o.SerializerOptions.TypeInfoResolverChain.Insert(1, AppJsonContext.Default);
    });
    builder.Services.AddSingleton<IClock>(SystemClock.Instance);
    builder.Services.AddSingleton(database);
    builder.Services.AddSingleton<ApplianceInfo>();
    builder.Services.AddSingleton(_ => prepared.GetAwaiter().GetResult().SigningKey); // ready before its first use (awaited below)
    builder.Services.AddSingleton<AccessTokens>();
    builder.Services.AddSingleton<RateLimiter>();
    builder.Services.AddProblemResponses(new SqliteFailures());
    builder.Services.AddAssets(settings.DataDirectory, Environment.GetEnvironmentVariable);
    builder.Services.AddSingleton(settings);
    builder.Services.AddSingleton<DeviceDirectory>();
    builder.Services.AddSingleton<ScreenPresence>();
    builder.Services.AddSingleton<ManifestService>();
    builder.Services.AddSingleton<LastManifests>();
    builder.Services.AddSingleton<ManifestEpochs>();
    builder.Services.AddHostedService(services => services.GetRequiredService<ManifestEpochs>());
    builder.Services.AddSingleton<EventIngestion>();
    builder.Services.AddHostedService(services => services.GetRequiredService<EventIngestion>());
    builder.Services.AddSingleton<VenueMonitor>();
    builder.Services.AddHostedServiceAfterListen<MonitoringService>();
    builder.Services.AddSingleton<BlobScrub>();
    builder.Services.AddHostedServiceAfterListen<BlobScrubService>();
    builder.Services.AddHostedServiceAfterListen<EventRetention>();
    builder.Services.AddAdminPages(settings.DataDirectory);
    // Start-up order: only what answering needs runs before Kestrel listens; the background passes
    // above and data protection's key ring load start right after (Hosting/AfterListen.cs).
    builder.Services.DeferDataProtectionWarmUp();
    // mDNS / DNS-SD: screens find the appliance by themselves (setting Discovery:Enabled, default true).
    if (DiscoveryAdvertiser.IsEnabled(builder.Configuration)) builder.Services.AddHostedService<DiscoveryAdvertiser>();
    builder.Services.AddHostedService(services => new SystemdNotifier(Environment.GetEnvironmentVariable, services.GetRequiredService<IHostApplicationLifetime>()));
    builder.Services.AddHubSync(builder.Configuration);

    var app = builder.Build();
    app.UseProblemResponses();
    app.UseHealthAheadOfRouting(); // GET /healthz without waiting for the route table to build (issue 9)
    app.UseAdminSession();
    app.UseBearerAuthentication();
    app.UseAdminAntiforgery();
    app.MapHealth();
    app.MapAuth();
    app.MapUsers();
    app.MapVenues();
    app.MapAudit();
    app.MapAssets();
    app.MapGroups();
    app.MapCampaigns();
    app.MapPlaylists();
    app.MapSchedules();
    app.MapResolvePreview();
    app.MapPairing();
    app.MapDevices();
    app.MapManifest();
    app.MapTelemetry();
    app.MapCommands();
    app.MapMedia();
    app.MapReports();
    app.MapIncidents();
    app.MapHub();
    app.MapDeviceEvents();
    app.MapAdmin();
    // `--routes`: this binary's route table with each route's access rule, then exit without
    // listening; the roles test checks it against docs/ROLES.md (issue 16).
    if (printRoutes) { await prepared; Authentication.WriteRouteTable(app, Console.Out); return ExitCodes.Ok; }

    var (applied, _, _) = await prepared;
    app.Services.GetRequiredService<DeviceDirectory>().LoadAll();

    await dataDirectorySynced; // the data directory proved writable and syncable before anything listens
    await app.StartAsync();
    Log.Information("Signage appliance {Version} listening on {Urls}; data in {DataDirectory} (schema {Schema}, {Applied} migrations applied now)",
        ApplianceInfo.Version, string.Join(' ', app.Urls), settings.DataDirectory, Migrator.LatestVersion, applied);
    await app.WaitForShutdownAsync();
    Log.Information("Signage appliance stopped");
    return ExitCodes.Ok;
}
catch (StartupException e)
{
    Log.Fatal("Cannot start: {Reason}", e.Message);
    return initOnly ? VerbResult.Write(ExitCodes.Unusable, ApplianceVerbResult.Failed(ApplianceVerbs.Unusable, e.Message)) : ExitCodes.Unusable;
}
catch (Exception e)
{
    Log.Fatal(e, "Signage appliance failed");
    return initOnly ? VerbResult.Write(ExitCodes.Failure, ApplianceVerbResult.Failed(ProblemCodes.InternalError, e.Message)) : ExitCodes.Failure;
}
finally
{
    // A start that failed before listen (e.g. the directory's lock is held) still removes its write probe.
    if (dataDirectorySynced is not null) await dataDirectorySynced.ContinueWith(_ => { }, TaskScheduler.Default);
    await Log.CloseAndFlushAsync();
}
