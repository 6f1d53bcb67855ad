using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Signage.Appliance.Tests.EndToEnd;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Xunit.Abstractions;

namespace Signage.FaultInjection.Tests;

/// <summary>
/// The appliance's data directory on a small tmpfs that the test fills up: uploads and event ingestion are
/// refused with 507 STORAGE_FULL (problem+json), never 500; what was stored stays intact and counted; and
/// everything works again once space is freed. Mounting needs root (the CI runs as root).
/// </summary>
public sealed class DiskFullTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDirectory _temp = new();
    private string Mount => _temp.Combine("small-disk");
    private string Data => Path.Combine(Mount, "data");
    private string Filler => Path.Combine(Mount, "filler");
    private bool _mounted;
    private long _sequence;

    public async Task InitializeAsync()
    {
        Assert.True(Environment.UserName == "root",
            "DiskFullTests mount a 24 MB tmpfs for the appliance's data directory and must run as root (the CI does); " +
            $"this test run is user '{Environment.UserName}'.");
        Directory.CreateDirectory(Mount);
        await RunAsync("mount", "-t", "tmpfs", "-o", "size=24m,mode=0700", "tmpfs", Mount);
        _mounted = true;
    }

    public async Task DisposeAsync()
    {
        if (_mounted) await RunAsync("umount", Mount);
        _temp.Dispose();
    }

    [Fact]
    public async Task A_full_disk_refuses_uploads_and_plays_with_507_keeps_what_was_stored_and_recovers_when_space_returns()
    {
        await using var api = await ApplianceApi.StartAsync(Data, new Dictionary<string, string> { ["RateLimits__Enabled"] = "false", ["SIGNAGE_FFMPEG"] = "none" });
        var venue = await PlayingVenue.SetUpAsync(api);
        var (_, token) = await api.PairScreenAsync("Bar TV");
        long acknowledged = 0;
        for (var i = 0; i < 5; i++) acknowledged += await PostPlaysAsync(api, token, venue) ?? throw new InvalidOperationException("refused with space left");

        FillDisk();
        // SQLite may still find room in its WAL for a few batches; once it needs more, the answer must be 507.
        var refusals = 0;
        for (var i = 0; i < 300 && refusals == 0; i++)
        {
            if (await PostPlaysAsync(api, token, venue) is { } accepted) acknowledged += accepted;
            else refusals++;
        }
        Assert.Equal(1, refusals);
        Assert.Equal(HttpStatusCode.InsufficientStorage, await UploadStatusWhenFullAsync(api));
        var png = await File.ReadAllBytesAsync(PlayingVenue.Fixture("real-160x90.png"));
        Assert.False(File.Exists(new AssetFolders(Data).BlobOf(AssetClient.Sha256(png))), "a refused upload left a blob behind");

        // Nothing already stored is damaged.
        Assert.Equal("ok", DatabaseFile.IntegrityCheck(Data));
        var today = DateTime.UtcNow;
        string Day(int offset) => today.AddDays(offset).ToString("yyyy-MM-dd");
        Assert.Equal(acknowledged, (await PlayingVenue.ReportTotalAsync(api, Day(-1), Day(1))).Plays);

        // Space returns: service resumes without a restart.
        File.Delete(Filler);
        acknowledged += await PostPlaysAsync(api, token, venue) ?? throw new InvalidOperationException("still refused after space returned");
        var asset = await new AssetClient(api).UploadAsync("after.png", png);
        Assert.Equal(AssetStatuses.Ready, asset.Status);
        Assert.Equal(acknowledged, (await PlayingVenue.ReportTotalAsync(api, Day(-1), Day(1))).Plays);
        Assert.Equal("ok", DatabaseFile.IntegrityCheck(Data));
        output.WriteLine($"{acknowledged} plays counted; ingestion and upload refused with 507 while full, accepted again after");
    }

    /// <summary>The accepted count, or null when refused with 507 STORAGE_FULL (anything else fails the test).</summary>
    private async Task<int?> PostPlaysAsync(ApplianceApi api, string token, PlayingVenue venue)
    {
        var events = Enumerable.Range(0, 100).Select(_ => venue.PlayEnd(++_sequence, DateTimeOffset.UtcNow.AddSeconds(-10))).ToArray();
        using var response = await api.SendAsync(HttpMethod.Post, "/v1/player/events", token, PlayingVenue.Batch(events));
        if (response.StatusCode == HttpStatusCode.OK)
        {
            using var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return answer.RootElement.GetProperty("accepted").GetInt32();
        }
        await AssertStorageFullAsync(response);
        return null;
    }

    /// <summary>An upload while the disk is full: refused at the session or at the bytes, with 507 either way.</summary>
    private async Task<HttpStatusCode> UploadStatusWhenFullAsync(ApplianceApi api)
    {
        var client = new AssetClient(api);
        var png = await File.ReadAllBytesAsync(PlayingVenue.Fixture("real-160x90.png"));
        using var start = await client.StartAsync("full.png", png.Length);
        if (start.StatusCode != HttpStatusCode.Created)
        {
            await AssertStorageFullAsync(start);
            return start.StatusCode;
        }
        var session = (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync(start.Content, ContractsJsonContext.Default.UploadSessionResponse))!;
        using var put = await client.PutAsync(session.UploadUrl, png);
        await AssertStorageFullAsync(put);
        return put.StatusCode;
    }

    private static async Task AssertStorageFullAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.InsufficientStorage, $"expected 507, got {(int)response.StatusCode}: {body}");
        var problem = await ApplianceApi.ProblemAsync(response);
        Assert.Equal(ProblemCodes.StorageFull, problem.GetProperty("code").GetString());
    }

    /// <summary>Writes a file until the file system has no byte left.</summary>
    private void FillDisk()
    {
        using var file = new FileStream(Filler, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        foreach (var size in new[] { 1 << 20, 4096, 1 })
        {
            var chunk = new byte[size];
            try
            {
                while (true) file.Write(chunk);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task RunAsync(string command, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(command, arguments) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}");
    }
}
