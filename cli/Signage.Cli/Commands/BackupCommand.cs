using System.CommandLine;
using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Signage.Cli.Commands;

/// <summary>
/// `signage backup -o FILE.tar`: a consistent copy of a data directory, taken while the appliance
/// runs. The database is copied with SQLite's online backup API (a snapshot at one instant,
/// appliance writes carry on meanwhile); then the keys, media blobs and thumbnails. Blobs are
/// content-addressed and never rewritten, so every blob the snapshot refers to is there unless it
/// was deleted in between (which the snapshot would then also not need once restored and cleaned).
/// The archive ends with manifest.json: every entry's size and SHA-256, which `restore` checks.
/// It is written as FILE.tar.partial and renamed when complete.
/// </summary>
public static class BackupCommand
{
    public const string ManifestName = "manifest.json";
    public const int Format = 1;

    public static Command Create()
    {
        var dataDir = ApplianceData.DirectoryOption();
        var output = new Option<string>("--output", "-o") { Description = "The archive to write (a .tar file).", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = SignageCommand.WithExamples("backup", 
            "Copy the database (online, consistent), keys and media into one archive. Safe while the appliance runs.",
            "sudo -u signage signage backup -o /mnt/usb/crown-$(date +%F).tar",
            "signage backup --data-dir /var/lib/signage -o backup.tar --json");
        command.Options.Add(dataDir);
        command.Options.Add(output);
        command.Options.Add(json);
        command.SetHandler(async (parse, cancellationToken) =>
        {
            var directory = ApplianceData.Full(parse, dataDir);
            var archive = Path.GetFullPath(parse.GetValue(output)!);
            var result = await RunAsync(directory, archive, cancellationToken);
            if (parse.GetValue(json)) Terminal.Json(result, CliJsonContext.Default.BackupResult);
            else Terminal.Line($"Backed up {directory} to {archive}: {result.Files} files, {Terminal.Bytes(result.Bytes)}, schema {result.SchemaVersion}. SHA-256 {result.Sha256}");
            return ExitCodes.Ok;
        });
        return command;
    }

    public static async Task<BackupResult> RunAsync(string directory, string archive, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(Path.GetDirectoryName(archive)))
            throw new CliException(ExitCodes.Usage, $"The folder of {archive} does not exist.");
        var partial = archive + ".partial";
        var snapshot = archive + ".db.tmp";
        try
        {
            var schema = Snapshot(directory, snapshot);
            var files = new List<(string Source, string Entry)> { (snapshot, ApplianceData.DatabaseFileName) };
            foreach (var folder in ApplianceData.BackedUpFolders)
            {
                var root = Path.Combine(directory, folder);
                if (!Directory.Exists(root)) continue;
                files.AddRange(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories)
                    .Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal)
                    .Select(f => (f, Path.GetRelativePath(directory, f).Replace('\\', '/'))));
            }
            var total = files.Sum(f => SizeOrZero(f.Source));
            var progress = new ProgressBar("Backing up", total);
            var manifest = new List<BackupFile>();
            await using (var stream = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await using (var tar = new TarWriter(stream, TarEntryFormat.Pax, leaveOpen: true))
                {
                    foreach (var (source, entry) in files)
                    {
                        FileStream file;
                        try
                        {
                            file = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, FileOptions.Asynchronous);
                        }
                        catch (FileNotFoundException)
                        {
                            continue; // deleted by the appliance since the listing (an unreferenced blob or thumbnail)
                        }
                        await using (file)
                        {
                            using var hashing = new HashingStream(file, progress);
                            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, entry) { DataStream = hashing }, cancellationToken);
                            manifest.Add(new BackupFile(entry, file.Length, hashing.HexHash()));
                        }
                    }
                    var document = new BackupManifest(Format, DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture), directory, schema, [.. manifest]);
                    using var manifestStream = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(document, CliJsonContext.Default.BackupManifest));
                    await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, ManifestName) { DataStream = manifestStream }, cancellationToken);
                }
                await stream.FlushAsync(cancellationToken);
                stream.Flush(flushToDisk: true);
            }
            progress.Finish();
            File.Move(partial, archive, overwrite: true);
            return new BackupResult(archive, new FileInfo(archive).Length, manifest.Count, schema, await FileSha256Async(archive, cancellationToken));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException(ExitCodes.Failure, $"Backup failed, nothing written to {archive}: {e.Message}");
        }
        finally
        {
            if (File.Exists(partial)) File.Delete(partial);
            if (File.Exists(snapshot)) File.Delete(snapshot);
        }
    }

    /// <summary>SQLite's online backup of the live database into <paramref name="destination"/>; returns its schema version.</summary>
    private static int Snapshot(string directory, string destination)
    {
        using var source = ApplianceData.OpenDatabase(directory);
        using (var copy = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = destination, Pooling = false }.ToString()))
        {
            copy.Open();
            source.BackupDatabase(copy);
            using var command = copy.CreateCommand();
            // One self-contained file: no -wal beside it to forget.
            command.CommandText = "PRAGMA journal_mode = DELETE;";
            command.ExecuteNonQuery();
        }
        return ApplianceData.SchemaVersion(source);
    }

    private static long SizeOrZero(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;

    public static async Task<string> FileSha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }

    /// <summary>Reads through to the file, hashing and reporting progress, so each file is read once.</summary>
    private sealed class HashingStream(FileStream inner, ProgressBar progress) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public string HexHash() => Convert.ToHexStringLower(_hash.GetHashAndReset());

        public override bool CanRead => true;
        public override bool CanSeek => true; // the tar writer asks for the length up front; it only reads forward
        public override bool CanWrite => false;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = inner.Read(buffer);
            _hash.AppendData(buffer[..read]);
            progress.Advance(read);
            return read;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _hash.AppendData(buffer.Span[..read]);
            progress.Advance(read);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}
