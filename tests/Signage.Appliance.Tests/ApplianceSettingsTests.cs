using Microsoft.Extensions.Configuration;
using Signage.Appliance.Hosting;

namespace Signage.Appliance.Tests;

public sealed class ApplianceSettingsTests
{
    private static ApplianceSettings Settings(string[] args, Dictionary<string, string?> environment) =>
        ApplianceSettings.From(new ConfigurationBuilder().AddCommandLine(args).Build(), name => environment.GetValueOrDefault(name));

    [Fact]
    public void Command_line_beats_environment()
    {
        var settings = Settings(["--urls", "http://127.0.0.1:1", "--data-dir", "/srv/a"],
            new() { ["SIGNAGE_URLS"] = "http://127.0.0.1:2", ["SIGNAGE_DATA_DIR"] = "/srv/b" });
        Assert.Equal(new ApplianceSettings("http://127.0.0.1:1", "/srv/a"), settings);
    }

    [Fact]
    public void Environment_beats_defaults()
    {
        var settings = Settings([], new() { ["SIGNAGE_URLS"] = "http://127.0.0.1:2", ["SIGNAGE_DATA_DIR"] = "/srv/b" });
        Assert.Equal(new ApplianceSettings("http://127.0.0.1:2", "/srv/b"), settings);
    }

    [Fact]
    public void Defaults_listen_on_the_lan_and_keep_data_in_the_per_user_folder()
    {
        var settings = Settings([], []);
        Assert.Equal("http://0.0.0.0:5080", settings.Urls);
        Assert.EndsWith("signage-appliance", settings.DataDirectory);
    }

    [Fact]
    public void Relative_data_directory_is_made_absolute()
    {
        Assert.Equal(Path.GetFullPath("./data"), Settings(["--data-dir", "./data"], []).DataDirectory);
    }
}
