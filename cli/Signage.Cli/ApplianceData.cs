using System.CommandLine;
using Microsoft.Data.Sqlite;

namespace Signage.Cli;

/// <summary>
/// The appliance's data directory as the CLI touches it on this machine: its lock (held by a
/// running appliance, see the appliance's Hosting/DataDirectory.cs), its database and its files.
/// </summary>
public static class ApplianceData
{
    public const string DatabaseFileName = "appliance.db";
    public const string LockFileName = "appliance.lock";

    /// <summary>What a backup holds besides the database: keys (tokens and admin cookies stay valid) and the media.</summary>
    public static readonly string[] BackedUpFolders = ["keys", "blobs", "thumbnails"];

    /// <summary>Where the installer puts it; SIGNAGE_DATA_DIR overrides, --data-dir wins.</summary>
    public static string DefaultDirectory() =>
        Environment.GetEnvironmentVariable("SIGNAGE_DATA_DIR") is { Length: > 0 } fromEnvironment ? fromEnvironment
        : OperatingSystem.IsWindows() ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "SignageAppliance")
        : "/var/lib/signage";

    public static Option<string> DirectoryOption() => new("--data-dir", "-d")
    {
        Description = "The appliance's data directory. Env: SIGNAGE_DATA_DIR. Default: /var/lib/signage (Windows: %ProgramData%\\SignageAppliance).",
        DefaultValueFactory = _ => DefaultDirectory(),
    };

    public static string Full(ParseResult parse, Option<string> option) => Path.GetFullPath(parse.GetValue(option)!);

    /// <summary>Takes the data directory's lock, which a running appliance holds; throws 75 when it is held.</summary>
    public static FileStream Lock(string directory)
    {
        var path = Path.Combine(directory, LockFileName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new CliException(ExitCodes.Config, $"Cannot open {path}: {e.Message} Run as the appliance's user (sudo -u signage signage …) or as root.");
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new CliException(ExitCodes.TryLater,
                $"The data directory {directory} is in use by a running appliance. Stop it first (sudo systemctl stop signage), then run this again.");
        }
    }

    /// <summary>Opens the database of a provisioned data directory, read-write, waiting up to 30 s for
    /// a running appliance's write transactions (SQLite WAL: safe alongside it).</summary>
    public static SqliteConnection OpenDatabase(string directory)
    {
        var path = Path.Combine(directory, DatabaseFileName);
        if (!File.Exists(path))
            throw new CliException(ExitCodes.Config, $"There is no appliance database in {directory} ({DatabaseFileName} is missing). Check --data-dir, or run `signage provision` first.");
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWrite,
            Pooling = false,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA synchronous = FULL; SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
            command.ExecuteScalar();
            return connection;
        }
        catch (SqliteException e)
        {
            connection.Dispose();
            throw new CliException(ExitCodes.Config, $"{path} is not a usable appliance database: {e.Message}");
        }
    }

    public static int SchemaVersion(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations;";
        return Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Run as root (sudo signage …), the files a command just made belong to root; give everything in
    /// the data directory to the directory's owner (the service user the installer made), or the
    /// appliance could not open them. Does nothing for any other user or on Windows.
    /// </summary>
    public static void HandToOwner(string directory)
    {
        if (OperatingSystem.IsWindows() || Environment.UserName != "root") return;
        using var chown = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("chown", ["-R", $"--reference={directory}", directory])
        {
            RedirectStandardError = true,
        });
        chown?.WaitForExit();
        if (chown is null || chown.ExitCode != 0)
            Terminal.Note($"Warning: could not give the files in {directory} to its owner: run sudo chown -R signage:signage {directory}");
    }
}
