using System.Net;
using Signage.Appliance.Tests.EndToEnd;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Xunit.Abstractions;

namespace Signage.FaultInjection.Tests;

/// <summary>
/// Uploads of a corpus made from the real fixture files: truncated copies and copies with flipped bits or
/// a run of random bytes (seeded, reproducible). The appliance never crashes or answers 5xx, every upload
/// settles (never stuck in PROCESSING), a file cut to half or less is always FAILED, and every FAILED asset
/// says why. A bit flip inside the picture data can leave a valid file; READY is then the right answer.
/// </summary>
public sealed class MalformedMediaTests(ITestOutputHelper output) : ApplianceApiTests
{
    private const int Seed = 1123;

    protected override IDictionary<string, string>? Environment => new Dictionary<string, string>
    {
        ["RateLimits__Enabled"] = "false",
        ["SIGNAGE_FFMPEG"] = "none",
    };

    [Fact]
    public async Task Truncated_and_mutated_media_always_settle_with_a_reason_and_never_crash_the_appliance()
    {
        var random = new Random(Seed);
        var client = new AssetClient(Api);
        var corpus = new List<(string Name, byte[] Bytes, bool MustFail)>();
        foreach (var fixture in new[] { "real-160x90.jpg", "real-160x90.png", "real-h264-aac-160x90.mp4", "real-h264-aac-160x90-moov-last.mp4", "real-hevc-160x90.mp4" })
        {
            var original = await File.ReadAllBytesAsync(PlayingVenue.Fixture(fixture));
            var extension = Path.GetExtension(fixture);
            foreach (var length in new[] { 1, 8, 64, original.Length / 4, original.Length / 2 })
                corpus.Add(($"cut-{length}-{fixture}", original[..length], true));
            corpus.Add(($"cut-last-byte-{fixture}", original[..^1], false));
            for (var i = 0; i < 6; i++)
            {
                var mutated = (byte[])original.Clone();
                if (i % 2 == 0)
                {
                    for (var flips = 1 << i; flips > 0; flips--) mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
                }
                else
                {
                    var at = random.Next(mutated.Length - 16);
                    random.NextBytes(mutated.AsSpan(at, 16));
                }
                corpus.Add(($"mutated-{i}-{fixture}", mutated, false));
            }
        }

        var failed = 0;
        foreach (var (name, bytes, mustFail) in corpus)
        {
            var session = await client.StartOkAsync(name, bytes.Length);
            Assert.Equal(HttpStatusCode.OK, (await client.PutAsync(session.UploadUrl, bytes)).StatusCode);
            Assert.Equal(HttpStatusCode.Accepted, (await client.CompleteAsync(session.UploadId)).StatusCode);
            var asset = await client.SettledAsync(session.AssetId);
            if (mustFail) Assert.True(asset.Status == AssetStatuses.Failed, $"{name} (seed {Seed}) became {asset.Status}");
            if (asset.Status == AssetStatuses.Failed)
            {
                failed++;
                Assert.False(string.IsNullOrWhiteSpace(asset.FailureReason), $"{name} failed without a reason");
            }
        }
        output.WriteLine($"{corpus.Count} malformed uploads: {failed} FAILED with a reason, {corpus.Count - failed} READY (mutations that left a valid file)");
        Assert.Equal(HttpStatusCode.OK, (await Api.Process.Client.GetAsync("/healthz")).StatusCode);
    }
}
