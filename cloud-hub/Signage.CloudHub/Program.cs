using NodaTime;
using Serilog;
using Signage.CloudHub.Auth;
using Signage.CloudHub.Data;
using Signage.CloudHub.Enrollment;
using Signage.CloudHub.HeadOffice;
using Signage.CloudHub.Hosting;
using Signage.CloudHub.Library;
using Signage.CloudHub.Pages;
using Signage.CloudHub.Sync;
using Signage.CloudHub.Tenancy;
using Signage.Contracts;
using Signage.Media;
using Signage.Web.Problems;

if (args.Contains("--help") || args.Contains("-h")) { Console.WriteLine(HubSettings.Usage); return 0; }

Log.Logger = new LoggerConfiguration().MinimumLevel.Information()
    .MinimumLevel.Override("Microsoft.AspNetCore", Serilog.Events.LogEventLevel.Warning)
    .Enrich.FromLogContext().WriteTo.Console().CreateLogger();
try
{
    var builder = WebApplication.CreateSlimBuilder(args);
    var settings = HubSettings.From(builder.Configuration, Environment.GetEnvironmentVariable);
    Directory.CreateDirectory(settings.DataDirectory);
    var database = HubDatabase.Connect(settings.ConnectionString);
    var applied = await Migrator.MigrateAsync(database);
    await FirstAdmin.CreateFromEnvironmentAsync(database, Environment.GetEnvironmentVariable, SystemClock.Instance);
    var tokens = await HubTokens.LoadAsync(database, SystemClock.Instance);

    builder.WebHost.UseUrls(settings.Urls);
    // JSON bodies are small; sync batches and library uploads raise their own limits.
    builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 1024 * 1024);
    builder.Logging.ClearProviders();
    builder.Services.AddSerilog();
    builder.Services.ConfigureHttpJsonOptions(o =>
    {
        o.SerializerOptions.RespectNullableAnnotations = true;
        o.SerializerOptions.RespectRequiredConstructorParameters = true;
        o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
    });
    builder.Services.AddSingleton<IClock>(SystemClock.Instance);
    builder.Services.AddSingleton(database);
    builder.Services.AddSingleton(tokens);
    builder.Services.AddSingleton<RateLimiter>();
    builder.Services.AddSingleton(await BlobStores.OpenAsync(settings));
    builder.Services.AddSingleton<PlayPartitions>();
    builder.Services.AddProblemResponses(new PostgresFailures());
    builder.Services.AddHubPages();
    builder.Services.AddSingleton(provider => new Thumbnailer(
        Thumbnailer.PathFrom(Environment.GetEnvironmentVariable), provider.GetRequiredService<ILogger<Thumbnailer>>()));

    var app = builder.Build();
    app.UseProblemResponses();
    app.UseDatabaseFailureAnswers();
    app.UseHubSession();
    app.UseBearerAuthentication();
    app.UsePageAntiforgery();
    app.MapGet("/health", async (HubDatabase db, CancellationToken cancellationToken) =>
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await connection.ScalarAsync<int>("SELECT 1;", null);
        return TypedResults.Text("ok");
    });
    app.MapAuth();
    app.MapTenants();
    app.MapHubVenues();
    app.MapHubUsers();
    app.MapEnrollment();
    app.MapSyncUp();
    app.MapSyncDown();
    app.MapLibraryAssets();
    app.MapLibraryPlaylists();
    app.MapHeadOffice();
    app.MapHubPages();
    app.MapHeadOfficePages();
    app.MapTenancyPages();
    app.MapEnrollmentPages();
    app.MapLibraryPages();
    app.MapPlaylistPages();

    await app.StartAsync();
    Log.Information("Signage hub listening on {Urls:l}; blobs in {Blobs:l} (schema {Schema}, {Applied} migrations applied now)",
        string.Join(' ', app.Urls), settings.S3?.ToString() ?? settings.DataDirectory, Migrator.LatestVersion, applied);
    await app.WaitForShutdownAsync();
    return 0;
}
catch (StartupException e)
{
    Log.Fatal("Cannot start: {Reason}", e.Message);
    return 2;
}
catch (Exception e)
{
    Log.Fatal(e, "Signage hub failed");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}
