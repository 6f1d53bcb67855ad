using CommunityToolkit.Maui;
using Microsoft.Extensions.Logging;

namespace Signage.Player.Maui;

public static class MauiProgram
{
    public static MauiApp CreateMauiApp()
    {
        var builder = MauiApp.CreateBuilder();
        builder.UseMauiApp<App>().UseMauiCommunityToolkitMediaElement();
        builder.Logging.AddDebug();
        return builder.Build();
    }
}
