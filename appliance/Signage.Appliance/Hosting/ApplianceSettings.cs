namespace Signage.Appliance.Hosting;

/// <summary>
/// Where the appliance listens and keeps its data. Each setting comes from the command line,
/// else its environment variable, else a default:
/// <c>--urls</c> / <c>SIGNAGE_URLS</c> (default <c>http://0.0.0.0:5080</c>, so screens on the LAN
/// can reach it) and <c>--data-dir</c> / <c>SIGNAGE_DATA_DIR</c> (default: a per-OS folder).
/// </summary>
public sealed record ApplianceSettings(string Urls, string DataDirectory)
{
    public const string DefaultUrls = "http://0.0.0.0:5080";

    public const string Usage = """
        signage-appliance: the venue's signage server.

        Options:
          --urls <urls>          Addresses to listen on, ';'-separated. Env: SIGNAGE_URLS.
                                 Default: http://0.0.0.0:5080
          --data-dir <path>      Database, media, keys and logs. Env: SIGNAGE_DATA_DIR.
                                 Default: ~/.local/share/signage-appliance (Linux),
                                 %ProgramData%\SignageAppliance (Windows).
          --init                 Prepare the data directory (schema, keys, and the first
                                 admin from SIGNAGE_ADMIN_EMAIL/PASSWORD), then exit.
                                 `signage provision` runs this.
          --create-admin --email <email> [--name <name>]
                                 Create a tenant admin; the password is the first line
                                 of stdin. Safe while the appliance runs.
          --reset-password --email <email>
                                 Set a new password (first line of stdin) and sign the
                                 account out everywhere. Safe while the appliance runs.
                                 The verbs print one JSON result line on stdout and exit
                                 0, 64 (bad input), 65 (email taken, no such account)
                                 or 78 (data directory unusable); `signage admin` runs them.
          --routes               Print every route (method, pattern, access rule), then exit.
          --help                 Show this help.
          --version              Show the version.
        """;

    public static ApplianceSettings From(IConfiguration commandLine, Func<string, string?> environment) => new(
        Urls: FirstNonBlank(commandLine["urls"], environment("SIGNAGE_URLS")) ?? DefaultUrls,
        DataDirectory: Path.GetFullPath(FirstNonBlank(commandLine["data-dir"], environment("SIGNAGE_DATA_DIR")) ?? DefaultDataDirectory()));

    /// <summary>Per OS: the machine-wide data folder on Windows (the appliance runs as a service),
    /// the user's XDG data folder elsewhere (the installer passes /var/lib/signage explicitly).</summary>
    public static string DefaultDataDirectory() => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "SignageAppliance")
        : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "signage-appliance");

    private static string? FirstNonBlank(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}
