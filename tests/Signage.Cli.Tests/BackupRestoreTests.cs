using System.Collections.Concurrent;
using System.Formats.Tar;
using System.Net.Http.Json;
using System.Text.Json;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.Cli.Tests;

/// <summary>backup while the appliance runs and a screen posts events; restore verifies before it replaces.</summary>
public sealed class BackupRestoreTests : IDisposable
{
    private static readonly Dictionary<string, string> NoRateLimits = new() { ["RateLimits__Enabled"] = "false" };
    private readonly TempDirectory _temp = new();

    private string DataDirectory => _temp.Combine("data");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_backup_taken_while_a_screen_posts_events_restores_every_event_acknowledged_before_it()
    {
        var archive = _temp.Combine("backup.tar");
        var acknowledged = new ConcurrentQueue<(DateTime At, string EventId)>();
        HashSet<string> acknowledgedBeforeBackup;
        await using (var appliance = await ApplianceApi.StartAsync(DataDirectory, NoRateLimits))
        {
            var (_, token) = await appliance.PairScreenAsync("Bar left");
            using var stop = new CancellationTokenSource();
            var sequence = 0L;
            var screen = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var events = Enumerable.Range(0, 20).Select(_ => new PlayerEvent(Guid.NewGuid().ToString(), ++sequence, "APP_STARTED", DateTime.UtcNow.ToString("O"))).ToArray();
                    using var request = ApplianceApi.Request(HttpMethod.Post, "/v1/player/events", token,
                        JsonContent.Create(new EventBatchRequest(events), ContractsJsonContext.Default.EventBatchRequest));
                    var response = await appliance.Process.Client.SendAsync(request);
                    response.EnsureSuccessStatusCode(); // 2xx: durably committed
                    foreach (var e in events) acknowledged.Enqueue((DateTime.UtcNow, e.EventId));
                }
            });
            while (acknowledged.Count < 200) await Task.Delay(20);

            acknowledgedBeforeBackup = [.. acknowledged.Select(a => a.EventId)];
            var backup = await NativeCli.RunAsync(["backup", "--data-dir", DataDirectory, "-o", archive, "--json"]);
            while (acknowledged.Count < acknowledgedBeforeBackup.Count + 200) await Task.Delay(20); // posting went on after the snapshot
            await stop.CancelAsync();
            await screen;

            Assert.True(backup.ExitCode == 0, backup.All);
            var result = JsonSerializer.Deserialize(backup.Output, CliJsonContext.Default.BackupResult)!;
            Assert.Equal(archive, result.Archive);
            Assert.False(File.Exists(archive + ".partial"));
            Assert.Equal(0, await appliance.Process.StopAsync());
        }
        var totalAcknowledged = acknowledged.Count;
        Assert.Equal(totalAcknowledged, LocalCommandTests.Scalar(DataDirectory, "SELECT COUNT(*) FROM device_event WHERE event_type = 'APP_STARTED';"));

        var restore = await NativeCli.RunAsync(["restore", archive, "--data-dir", DataDirectory, "--json"]);

        Assert.True(restore.ExitCode == 0, restore.All);
        var restored = JsonSerializer.Deserialize(restore.Output, CliJsonContext.Default.RestoreResult)!;
        Assert.NotNull(restored.PreviousDataKeptIn);
        var ids = EventIds(DataDirectory);
        Assert.Subset(ids, acknowledgedBeforeBackup);               // nothing acknowledged before the backup is lost
        Assert.InRange(ids.Count, acknowledgedBeforeBackup.Count, totalAcknowledged - 1); // a snapshot: later events are not in it
        Assert.Equal(totalAcknowledged, EventIds(restored.PreviousDataKeptIn!).Count); // the replaced data is kept whole

        // The restored directory is a working appliance: same keys, so the admin's password and venue are there.
        await using var again = await ApplianceApi.StartAsync(DataDirectory);
        Assert.Equal(ids.Count, LocalCommandTests.Scalar(DataDirectory, "SELECT COUNT(*) FROM device_event WHERE event_type = 'APP_STARTED';"));
    }

    [Fact]
    public async Task Backup_includes_media_blobs_and_restore_brings_them_back_byte_for_byte()
    {
        await using (await ApplianceApi.StartAsync(DataDirectory)) { }
        var blob = PlantBlob(DataDirectory, "not really a video"u8.ToArray());
        var archive = _temp.Combine("media.tar");

        Assert.Equal(0, (await NativeCli.RunAsync(["backup", "--data-dir", DataDirectory, "-o", archive])).ExitCode);
        File.Delete(blob);
        var restore = await NativeCli.RunAsync(["restore", archive, "--data-dir", DataDirectory]);

        Assert.Equal(0, restore.ExitCode);
        Assert.Equal("not really a video"u8.ToArray(), await File.ReadAllBytesAsync(blob));
    }

    [Fact]
    public async Task Restore_is_refused_while_the_appliance_runs()
    {
        var archive = _temp.Combine("backup.tar");
        await using var appliance = await ApplianceApi.StartAsync(DataDirectory);
        Assert.Equal(0, (await NativeCli.RunAsync(["backup", "--data-dir", DataDirectory, "-o", archive])).ExitCode);

        var restore = await NativeCli.RunAsync(["restore", archive, "--data-dir", DataDirectory]);

        Assert.Equal(75, restore.ExitCode);
        Assert.Contains("in use by a running appliance", restore.Errors);
        Assert.Empty(Directory.GetDirectories(DataDirectory, "pre-restore-*"));
    }

    [Fact]
    public async Task A_damaged_backup_fails_verification_and_replaces_nothing()
    {
        await using (await ApplianceApi.StartAsync(DataDirectory)) { }
        PlantBlob(DataDirectory, "the real content"u8.ToArray());
        var archive = _temp.Combine("backup.tar");
        Assert.Equal(0, (await NativeCli.RunAsync(["backup", "--data-dir", DataDirectory, "-o", archive])).ExitCode);
        var damaged = _temp.Combine("damaged.tar");
        await RewriteAsync(archive, damaged, entry => entry.StartsWith("blobs/", StringComparison.Ordinal) ? "the fake content"u8.ToArray() : null);
        var databaseBefore = await File.ReadAllBytesAsync(Path.Combine(DataDirectory, "appliance.db"));

        var restore = await NativeCli.RunAsync(["restore", damaged, "--data-dir", DataDirectory]);

        Assert.Equal(65, restore.ExitCode);
        Assert.Contains("fails verification, nothing was replaced", restore.Errors);
        Assert.Contains("is damaged", restore.Errors);
        Assert.Equal(databaseBefore, await File.ReadAllBytesAsync(Path.Combine(DataDirectory, "appliance.db")));
        Assert.Empty(Directory.GetDirectories(DataDirectory, "pre-restore-*"));
        Assert.False(Directory.Exists(Path.Combine(DataDirectory, ".restore-staging")));
    }

    [Fact]
    public async Task An_archive_without_its_manifest_or_not_a_backup_at_all_is_refused()
    {
        await using (await ApplianceApi.StartAsync(DataDirectory)) { }
        var archive = _temp.Combine("backup.tar");
        Assert.Equal(0, (await NativeCli.RunAsync(["backup", "--data-dir", DataDirectory, "-o", archive])).ExitCode);
        var truncated = _temp.Combine("truncated.tar");
        await RewriteAsync(archive, truncated, _ => null, skip: "manifest.json");
        var garbage = _temp.Combine("garbage.tar");
        await File.WriteAllTextAsync(garbage, "this is not a tar file at all, not even close to one; it is long enough to have a header block of text".PadRight(1024, '!'));

        var noManifest = await NativeCli.RunAsync(["restore", truncated, "--data-dir", DataDirectory]);
        var notTar = await NativeCli.RunAsync(["restore", garbage, "--data-dir", DataDirectory]);

        Assert.Equal(65, noManifest.ExitCode);
        Assert.Contains("no manifest.json", noManifest.Errors);
        Assert.Equal(65, notTar.ExitCode);
        Assert.Contains("not a readable signage backup", notTar.Errors);
    }

    [Fact]
    public async Task Backup_of_a_directory_without_a_database_exits_78()
    {
        Directory.CreateDirectory(DataDirectory);

        var result = await NativeCli.RunAsync(["backup", "--data-dir", DataDirectory, "-o", _temp.Combine("x.tar")]);

        Assert.Equal(78, result.ExitCode);
        Assert.False(File.Exists(_temp.Combine("x.tar")));
    }

    private static HashSet<string> EventIds(string dataDirectory)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(dataDirectory, "appliance.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id FROM device_event WHERE event_type = 'APP_STARTED';";
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>();
        while (reader.Read()) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>A media blob where the appliance keeps them: blobs/&lt;2 hex&gt;/&lt;sha256&gt;.</summary>
    private static string PlantBlob(string dataDirectory, byte[] content)
    {
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        var path = Path.Combine(dataDirectory, "blobs", sha[..2], sha);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Copies a tar archive, replacing some entries' content or leaving one out.</summary>
    private static async Task RewriteAsync(string source, string destination, Func<string, byte[]?> replace, string? skip = null)
    {
        await using var input = File.OpenRead(source);
        await using var reader = new TarReader(input);
        await using var output = File.Create(destination);
        await using var writer = new TarWriter(output, TarEntryFormat.Pax);
        while (await reader.GetNextEntryAsync(copyData: true) is { } entry)
        {
            if (entry.Name == skip) continue;
            if (replace(entry.Name) is { } bytes) entry.DataStream = new MemoryStream(bytes);
            await writer.WriteEntryAsync(entry);
        }
    }
}
