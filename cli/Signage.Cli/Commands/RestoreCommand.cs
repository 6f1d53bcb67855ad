using System.CommandLine;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Signage.Cli.Commands;

/// <summary>
/// `signage restore FILE.tar`: puts a backup back, verifying it before anything is replaced.
/// <list type="number">
/// <item>Takes the data directory's lock: refused (75) while an appliance runs on it.</item>
/// <item>Unpacks into &lt;data-dir&gt;/.restore-staging (same file system, so the final moves are renames).</item>
/// <item>Verifies: the manifest lists exactly the unpacked files with matching sizes and SHA-256,
/// each blob's content hashes to its name, and <c>PRAGMA integrity_check</c> says ok. Any failure
/// removes the staging folder and leaves the data directory untouched (exit 65).</item>
/// <item>Moves the current database, keys and media into &lt;data-dir&gt;/pre-restore-&lt;time&gt;
/// (kept, so a restore can be undone by hand), then moves the staged ones into place.</item>
/// </list>
/// </summary>
public static class RestoreCommand
{
    private const string StagingName = ".restore-staging";

    public static Command Create()
    {
        var dataDir = ApplianceData.DirectoryOption();
        var archive = new Argument<string>("archive") { Description = "A backup made by `signage backup`." };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = SignageCommand.WithExamples("restore", 
            "Verify a backup, then make it the appliance's data. Stop the appliance first; the data it replaces is kept in pre-restore-<time>.",
            "sudo systemctl stop signage && sudo -u signage signage restore /mnt/usb/crown-2026-11-23.tar && sudo systemctl start signage",
            "signage restore backup.tar --data-dir /var/lib/signage --json");
        command.Arguments.Add(archive);
        command.Options.Add(dataDir);
        command.Options.Add(json);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            var result = await RunAsync(Path.GetFullPath(parse.GetValue(archive)!), ApplianceData.Full(parse, dataDir), cancellationToken);
            if (parse.GetValue(json)) Terminal.Json(result, CliJsonContext.Default.RestoreResult);
            else Terminal.Line($"Restored {result.Files} files (schema {result.SchemaVersion}) into {result.DataDirectory}." +
                (result.PreviousDataKeptIn is { } kept ? $" The data it replaced is in {kept}; delete it once the appliance runs well." : ""));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task<RestoreResult> RunAsync(string archive, string directory, CancellationToken cancellationToken)
    {
        if (!File.Exists(archive)) throw new CliException(ExitCodes.Usage, $"{archive} does not exist.");
        Directory.CreateDirectory(directory);
        using var held = ApplianceData.Lock(directory);
        var staging = Path.Combine(directory, StagingName);
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        Directory.CreateDirectory(staging);
        try
        {
            var manifest = await UnpackAsync(archive, staging, cancellationToken);
            var schema = Verify(staging, manifest);
            var kept = Swap(directory, staging);
            ApplianceData.HandToOwner(directory);
            return new RestoreResult(directory, manifest.Files.Length, schema, kept);
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static async Task<BackupManifest> UnpackAsync(string archive, string staging, CancellationToken cancellationToken)
    {
        var progress = new ProgressBar("Unpacking", new FileInfo(archive).Length);
        BackupManifest? manifest = null;
        try
        {
            await using var stream = File.OpenRead(archive);
            await using var tar = new TarReader(stream);
            while (await tar.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null)
                    throw Invalid($"it holds '{entry.Name}', which is not a plain file.");
                if (entry.Name == BackupCommand.ManifestName)
                {
                    manifest = await JsonSerializer.DeserializeAsync(entry.DataStream, CliJsonContext.Default.BackupManifest, cancellationToken);
                    continue;
                }
                var target = Path.GetFullPath(Path.Combine(staging, entry.Name));
                if (!target.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw Invalid($"the entry '{entry.Name}' points outside the data directory.");
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                await using (var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write))
                {
                    await entry.DataStream.CopyToAsync(file, cancellationToken);
                    file.Flush(flushToDisk: true);
                }
                progress.Advance(entry.Length);
            }
        }
        catch (Exception e) when (e is InvalidDataException or JsonException or EndOfStreamException or FormatException)
        {
            throw Invalid($"it is not a readable signage backup ({e.Message}).");
        }
        progress.Finish();
        if (manifest is null) throw Invalid("it has no manifest.json (the backup did not finish, or this is not a signage backup).");
        if (manifest.Format != BackupCommand.Format) throw Invalid($"it is in format {manifest.Format}; this signage reads format {BackupCommand.Format}.");
        return manifest;
    }

    private static int Verify(string staging, BackupManifest manifest)
    {
        var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var present = Directory.EnumerateFiles(staging, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(staging, f).Replace('\\', '/')).ToHashSet(StringComparer.Ordinal);
        if (listed.Keys.FirstOrDefault(p => !present.Contains(p)) is { } missing) throw Invalid($"{missing} is listed in its manifest but missing.");
        if (present.FirstOrDefault(p => !listed.ContainsKey(p)) is { } extra) throw Invalid($"{extra} is in it but not in its manifest.");
        if (!listed.ContainsKey(ApplianceData.DatabaseFileName)) throw Invalid($"it has no {ApplianceData.DatabaseFileName}.");
        var progress = new ProgressBar("Verifying", manifest.Files.Sum(f => f.Bytes));
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(staging, file.Path);
            string hash;
            using (var stream = File.OpenRead(path))
            {
                if (stream.Length != file.Bytes) throw Invalid($"{file.Path} has {stream.Length} bytes; its manifest says {file.Bytes}.");
                hash = Convert.ToHexStringLower(SHA256.HashData(stream));
            }
            if (!string.Equals(hash, file.Sha256, StringComparison.OrdinalIgnoreCase)) throw Invalid($"{file.Path} is damaged: its SHA-256 differs from the manifest's.");
            // Media blobs are named by the SHA-256 of their content.
            if (file.Path.StartsWith("blobs/", StringComparison.Ordinal) && !string.Equals(Path.GetFileName(file.Path), hash, StringComparison.OrdinalIgnoreCase))
                throw Invalid($"{file.Path} does not hold the content its name says.");
            progress.Advance(file.Bytes);
        }
        progress.Finish();

        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(staging, ApplianceData.DatabaseFileName),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check;";
            var verdict = command.ExecuteScalar() as string;
            if (verdict != "ok") throw Invalid($"its database fails SQLite's integrity check: {verdict}");
            return ApplianceData.SchemaVersion(connection);
        }
        catch (SqliteException e)
        {
            throw Invalid($"its database cannot be read: {e.Message}");
        }
    }

    /// <summary>Moves what is there aside (kept), then the verified files in. Returns where the old data went.</summary>
    private static string? Swap(string directory, string staging)
    {
        string[] replaced = [ApplianceData.DatabaseFileName, $"{ApplianceData.DatabaseFileName}-wal", $"{ApplianceData.DatabaseFileName}-shm", "uploads", .. ApplianceData.BackedUpFolders];
        var previous = Path.Combine(directory, $"pre-restore-{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}");
        var movedAny = false;
        foreach (var name in replaced)
        {
            var current = Path.Combine(directory, name);
            if (!File.Exists(current) && !Directory.Exists(current)) continue;
            Directory.CreateDirectory(previous);
            if (File.Exists(current)) File.Move(current, Path.Combine(previous, name));
            else Directory.Move(current, Path.Combine(previous, name));
            movedAny = true;
        }
        foreach (var entry in Directory.EnumerateFileSystemEntries(staging))
        {
            var target = Path.Combine(directory, Path.GetFileName(entry));
            if (File.Exists(entry)) File.Move(entry, target);
            else Directory.Move(entry, target);
        }
        return movedAny ? previous : null;
    }

    private static CliException Invalid(string reason) =>
        new(ExitCodes.DataError, $"The backup fails verification, nothing was replaced: {reason}");
}
