namespace Signage.CloudHub.Hosting;

/// <summary>
/// Where the hub listens, its database and its blob directory. Each comes from the command line,
/// else its environment variable: <c>--urls</c> / <c>SIGNAGE_HUB_URLS</c> (default
/// <c>http://0.0.0.0:5090</c>), <c>--db</c> / <c>SIGNAGE_HUB_DB</c> (an Npgsql connection string,
/// required) and <c>--data-dir</c> / <c>SIGNAGE_HUB_DATA_DIR</c> (content-addressed blobs; share it
/// between replicas, e.g. a network volume).
/// </summary>
public sealed record HubSettings(string Urls, string ConnectionString, string DataDirectory)
{
    public const string DefaultUrls = "http://0.0.0.0:5090";

    public const string Usage = """
        signage-hub: the multi-tenant cloud hub.

        Options:
          --urls <urls>        Addresses to listen on, ';'-separated. Env: SIGNAGE_HUB_URLS.
                               Default: http://0.0.0.0:5090
          --db <connection>    Npgsql connection string, e.g.
                               "Host=db;Database=signage;Username=hub;Password=...". Env: SIGNAGE_HUB_DB.
          --data-dir <path>    Shared-library blobs. Env: SIGNAGE_HUB_DATA_DIR. Default: ./hub-data
          --help               Show this help.
        First platform admin (only when none exists): SIGNAGE_HUB_ADMIN_EMAIL, SIGNAGE_HUB_ADMIN_PASSWORD.
        """;

    public static HubSettings From(IConfiguration commandLine, Func<string, string?> environment)
    {
        var db = FirstNonBlank(commandLine["db"], environment("SIGNAGE_HUB_DB"))
            ?? throw new StartupException("No database: pass --db \"<Npgsql connection string>\" or set SIGNAGE_HUB_DB.");
        return new HubSettings(
            Urls: FirstNonBlank(commandLine["urls"], environment("SIGNAGE_HUB_URLS")) ?? DefaultUrls,
            ConnectionString: db,
            DataDirectory: Path.GetFullPath(FirstNonBlank(commandLine["data-dir"], environment("SIGNAGE_HUB_DATA_DIR")) ?? "hub-data"));
    }

    private static string? FirstNonBlank(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}

/// <summary>A setting or resource the hub cannot start without; reported as one line, exit code 2.</summary>
public sealed class StartupException(string message) : Exception(message);
