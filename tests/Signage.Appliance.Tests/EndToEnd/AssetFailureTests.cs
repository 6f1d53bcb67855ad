using System.IO.Compression;
using System.Text;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.Media.Tests;
using Signage.Media.Tests.Builders;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>
/// Files that must not become READY: each ends FAILED with the reason of spec 13.2 and a sentence a
/// person can act on, and leaves no file behind. One appliance serves the whole class (each case is
/// its own asset).
/// </summary>
public sealed class AssetFailureTests(AssetFailureTests.SharedAppliance appliance) : IClassFixture<AssetFailureTests.SharedAppliance>
{
    public sealed class SharedAppliance : IAsyncLifetime
    {
        private readonly TempDirectory _temp = new();

        public ApplianceApi Api { get; private set; } = null!;

        public AssetFolders Folders => new(_temp.Combine("data"));

        public string TempFile(string name) => _temp.Combine(name);

        public async Task InitializeAsync() => Api = await ApplianceApi.StartAsync(_temp.Combine("data"));

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            _temp.Dispose();
        }
    }

    private readonly AssetClient _assets = new(appliance.Api);

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "text-as.jpg", "INVALID_FORMAT", "not a JPEG, PNG or MP4" },
        { "zip-as.mp4", "INVALID_FORMAT", "ZIP archive" },
        { "truncated.mp4", "FILE_CORRUPT", "cut off" },
        { "hevc.mp4", "INVALID_CODEC", "Only H.264 is supported" },
        { "4k.mp4", "RESOLUTION_EXCEEDED", "3840×2160; the maximum is 1920×1080" },
        { "150s.mp4", "DURATION_EXCEEDED", "the maximum is 120 s" },
        { "20mbps.mp4", "BITRATE_EXCEEDED", "20 Mbps; the maximum is 10 Mbps" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Invalid_files_fail_with_the_spec_reason_and_a_readable_detail_and_leave_no_file(string name, string reason, string detail)
    {
        var asset = await _assets.UploadAsync(name, Build(name));

        AssertFailed(asset, reason, detail);
    }

    [Fact]
    public async Task An_image_over_20_MB_fails_FILE_SIZE_EXCEEDED()
    {
        // A PNG header followed by 21 MiB of zeros, written sparsely: the size rule needs nothing more.
        var path = appliance.TempFile("huge.png");
        await using (var file = File.Create(path))
        {
            file.Write(PngBuilder.Build(16, 16));
            file.SetLength(21 * 1024 * 1024);
        }

        var asset = await _assets.UploadFileAsync("huge.png", path);

        AssertFailed(asset, "FILE_SIZE_EXCEEDED", "the maximum is 20 MiB");
    }

    [Fact]
    public async Task A_declared_sha256_that_differs_from_the_bytes_fails_CHECKSUM_MISMATCH()
    {
        var bytes = Fixture.Read(Fixture.Jpeg);
        var declared = AssetClient.Sha256([.. bytes, 0]);

        var asset = await _assets.UploadAsync("poster.jpg", bytes, declared.ToUpperInvariant());

        AssertFailed(asset, "CHECKSUM_MISMATCH", declared);
        Assert.Equal(AssetClient.Sha256(bytes), asset.Sha256); // what actually arrived, for the record
    }

    [Fact]
    public async Task A_failed_asset_stays_listed_for_the_record_with_its_reason()
    {
        var asset = await _assets.UploadAsync("notes.jpg", Encoding.UTF8.GetBytes("not a picture"));

        var failed = await _assets.ListAsync("?status=FAILED");
        Assert.Contains(failed.Items, a => a.AssetId == asset.AssetId && a.FailureReason == "INVALID_FORMAT");
    }

    private void AssertFailed(AssetResponse asset, string reason, string detail)
    {
        Assert.Equal(AssetStatuses.Failed, asset.Status);
        Assert.Equal(reason, asset.FailureReason);
        Assert.Contains(detail, asset.FailureDetail, StringComparison.Ordinal);
        Assert.NotNull(asset.FailedAtUtc);
        Assert.Null(asset.ReadyAtUtc);
        Assert.Null(asset.ThumbnailUrl);
        var folders = appliance.Folders;
        Assert.Empty(folders.Files(folders.Uploads));
        Assert.Empty(folders.Files(folders.Blobs));
        Assert.Empty(folders.Files(folders.Thumbnails));
    }

    private static byte[] Build(string name) => name switch
    {
        "text-as.jpg" => Encoding.UTF8.GetBytes("Tonight: live music from 9pm\n"),
        "zip-as.mp4" => Zip(),
        "truncated.mp4" => Bytes.FirstHalf(Fixture.Read(Fixture.H264Aac)),
        "hevc.mp4" => Fixture.Read(Fixture.Hevc),
        "4k.mp4" => Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Width = 3840, Height = 2160 } }),
        "150s.mp4" => Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 150, 100) }),
        "20mbps.mp4" => Mp4Builder.Build(new Mp4Spec { Video = VideoTrackSpec.At(25, 1, 100_000) }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static byte[] Zip()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("menu.txt").Open());
            writer.Write("Happy hour 5–7pm");
        }
        return buffer.ToArray();
    }
}
