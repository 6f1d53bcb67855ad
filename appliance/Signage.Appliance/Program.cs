using NodaTime;
using Serilog;
using Signage.Appliance;
using Signage.Appliance.Data;
using Signage.Appliance.Health;
using Signage.Appliance.Hosting;
using Signage.Appliance.Problems;
using Signage.Contracts;

if (args.Contains("--help") || args.Contains("-h")) { Console.WriteLine(ApplianceSettings.Usage); return ExitCodes.Ok; }
if (args.Contains("--version")) { Console.WriteLine(ApplianceInfo.Version); return ExitCodes.Ok; }

Log.Logger = ApplianceLogging.CreateBootstrapLogger();
try
{
    var builder = WebApplication.CreateSlimBuilder(args);
    var settings = ApplianceSettings.From(builder.Configuration, Environment.GetEnvironmentVariable);
    DataDirectory.Prepare(settings.DataDirectory);
    Log.Logger = ApplianceLogging.CreateLogger(settings.DataDirectory);
    var database = new Database(Path.Combine(settings.DataDirectory, DataDirectory.DatabaseFileName));
    var applied = Migrator.Migrate(database);

    builder.WebHost.UseUrls(settings.Urls);
    builder.Logging.ClearProviders();
    builder.Services.AddSerilog();
    builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(10));
    builder.Services.ConfigureHttpJsonOptions(o =>
    {
        o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
        o.SerializerOptions.TypeInfoResolverChain.Insert(1, AppJsonContext.Default);
    });
    builder.Services.AddSingleton<IClock>(SystemClock.Instance);
    builder.Services.AddSingleton(database);
    builder.Services.AddSingleton<ApplianceInfo>();
    builder.Services.AddProblemResponses();

    var app = builder.Build();
    app.UseProblemResponses();
    app.MapHealth();

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
    return ExitCodes.Unusable;
}
catch (Exception e)
{
    Log.Fatal(e, "Signage appliance failed");
    return ExitCodes.Failure;
}
finally
{
    await Log.CloseAndFlushAsync();
}
