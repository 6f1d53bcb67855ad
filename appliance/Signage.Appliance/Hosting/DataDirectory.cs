namespace Signage.Appliance.Hosting;

/// <summary>The data directory: created if missing, proven writable before anything else uses it.</summary>
public static class DataDirectory
{
    public const string DatabaseFileName = "appliance.db";
    public const string LogsFolderName = "logs";

    /// <summary>Creates (owner-only) or checks the directory; throws <see cref="StartupException"/> with the reason.</summary>
    public static void Prepare(string path)
    {
        if (File.Exists(path))
        {
            throw new StartupException($"Data directory '{path}' is a file, not a directory. Pass --data-dir a folder path.");
        }
        try
        {
            if (!Directory.Exists(path))
            {
                if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
                else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            Directory.CreateDirectory(Path.Combine(path, LogsFolderName));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Data directory '{path}' cannot be created: {e.Message}", e);
        }

        // Prove we can write and sync a file there now, rather than fail on the first upload.
        var probe = Path.Combine(path, $".write-probe-{Environment.ProcessId}");
        try
        {
            using (var stream = new FileStream(probe, FileMode.Create, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
            {
                stream.WriteByte(1);
                stream.Flush(flushToDisk: true);
            }
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"Data directory '{path}' is not writable: {e.Message}", e);
        }
    }
}
