using System.Net;
using System.Net.Http.Json;
using Signage.Appliance.Tests.EndToEnd;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;

namespace Signage.FaultInjection.Tests;

/// <summary>"Never a bad file on screen": a blob damaged on disk is found by the background scrub (by its
/// SHA-256), quarantined and recorded, and from then on is not served; healthy blobs are left alone.</summary>
public sealed class CorruptBlobTests : ApplianceApiTests
{
    protected override IDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["RateLimits__Enabled"] = "false",
        ["SIGNAGE_FFMPEG"] = "none",
        ["Integrity__ScrubIntervalMinutes"] = "0.01", // a pass every 0.6 s
    };

    [Fact]
    public async Task A_blob_damaged_on_disk_is_quarantined_by_the_scrub_reported_and_never_served_again()
    {
        var assets = new AssetClient(Api);
        var damaged = await assets.UploadAsync("ad.jpg", await File.ReadAllBytesAsync(PlayingVenue.Fixture("real-160x90.jpg")));
        var healthy = await assets.UploadAsync("ad.png", await File.ReadAllBytesAsync(PlayingVenue.Fixture("real-160x90.png")));
        var (_, screen) = await Api.PairScreenAsync("Bar TV");
        Assert.Equal(HttpStatusCode.OK, (await Api.AsAdmin(HttpMethod.Get, $"/v1/assets/{damaged.Sha256}")).StatusCode);

        // One flipped bit in the middle of the stored file.
        var folders = new AssetFolders(Temp.Combine("data"));
        var blob = folders.BlobOf(damaged.Sha256!);
        var bytes = await File.ReadAllBytesAsync(blob);
        bytes[bytes.Length / 2] ^= 0x10;
        await File.WriteAllBytesAsync(blob, bytes);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        HttpStatusCode status;
        while ((status = (await Api.AsAdmin(HttpMethod.Get, $"/v1/assets/{damaged.Sha256}")).StatusCode) == HttpStatusCode.OK && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.SendAsync(HttpMethod.Get, $"/v1/assets/{damaged.Sha256}", screen)).StatusCode);
        Assert.False(File.Exists(blob));
        Assert.Single(Directory.GetFiles(Temp.Combine("data", "quarantine"), $"{damaged.Sha256}.*"));

        var healthyBytes = await (await Api.AsAdmin(HttpMethod.Get, $"/v1/assets/{healthy.Sha256}")).Content.ReadAsByteArrayAsync();
        Assert.Equal(healthy.Sha256, AssetClient.Sha256(healthyBytes));

        var audit = await (await Api.AsAdmin(HttpMethod.Get, $"/v1/venues/{Api.VenueId}/audit")).Content.ReadFromJsonAsync(ContractsJsonContext.Default.ItemsResponseAuditEntry);
        var entry = Assert.Single(audit!.Items, e => e.Action == "BLOB_QUARANTINED");
        Assert.Equal(damaged.Sha256, entry.TargetId);
        Assert.Contains(AssetClient.Sha256(bytes), entry.Details);
    }
}
