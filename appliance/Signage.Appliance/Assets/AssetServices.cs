using Signage.Appliance.Hosting;
using Signage.Media;

namespace Signage.Appliance.Assets;

public static class AssetServices
{
    /// <summary>The media library's services: file storage under the data directory, the upload gate,
    /// the processing worker and the hourly cleanup job. ffmpeg comes from <c>SIGNAGE_FFMPEG</c>.</summary>
    public static IServiceCollection AddAssets(this IServiceCollection services, string dataDirectory, Func<string, string?> environment)
    {
        services.AddSingleton(new AssetStorage(dataDirectory));
        services.AddSingleton<UploadGate>();
        services.AddSingleton<AssetProcessingSignal>();
        services.AddSingleton(provider => new Thumbnailer(Thumbnailer.PathFrom(environment), provider.GetRequiredService<ILogger<Thumbnailer>>()));
        services.AddSingleton<AssetPipeline>();
        services.AddSingleton<AssetCleanup>();
        // Both start once Kestrel listens (Hosting/AfterListen.cs): no request waits for them.
        services.AddHostedServiceAfterListen<AssetProcessor>();
        services.AddHostedServiceAfterListen<AssetCleanupService>();
        return services;
    }
}
