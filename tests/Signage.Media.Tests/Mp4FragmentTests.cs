using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

/// <summary>Fragmented MP4 built box by box: samples in moof/traf/trun count like samples in moov, with the
/// tfhd and trex defaults, and a fragment that contradicts the movie is FILE_CORRUPT.</summary>
public class Mp4FragmentTests
{
    // The moov's 25 frames of 1 000 bytes at 25 fps (1 s) and an mdat big enough for the fragments' samples too.
    private static byte[] WithFragments(params byte[][] moofs)
    {
        byte[] plain = Mp4Builder.Build(new Mp4Spec());
        byte[] mdat = Mp4Builder.Box("mdat", w => w.Zeros(100_000));
        return [.. plain, .. moofs.SelectMany(m => m), .. mdat];
    }

    private static byte[] Trex(uint trackId, uint duration, uint size) =>
        Mp4Builder.Box("trex", w => w.U32(0).U32(trackId).U32(1).U32(duration).U32(size).U32(0));

    private static byte[] Moof(params byte[][] trafs) =>
        Mp4Builder.Box("moof", [Mp4Builder.Box("mfhd", w => w.U32(0).U32(1)), .. trafs]);

    private static byte[] Tfhd(uint trackId, uint? duration = null, uint? size = null) => Mp4Builder.Box("tfhd", w =>
    {
        w.U32(0x02_0000 | (duration is null ? 0u : 0x8) | (size is null ? 0u : 0x10)).U32(trackId); // default-base-is-moof
        if (duration is uint d) w.U32(d);
        if (size is uint s) w.U32(s);
    });

    /// <summary>A trun of <paramref name="count"/> samples, each with the duration and/or size given.</summary>
    private static byte[] Trun(int count, uint? duration, uint? size) => Mp4Builder.Box("trun", w =>
    {
        w.U32(0x1 | (duration is null ? 0u : 0x100) | (size is null ? 0u : 0x200)).U32((uint)count).U32(0);
        for (int i = 0; i < count; i++)
        {
            if (duration is uint d) w.U32(d);
            if (size is uint s) w.U32(s);
        }
    });

    [Fact]
    public void Samples_in_fragments_add_to_the_frames_duration_and_bitrate()
    {
        // 25 more frames of 3 600 ticks (90 kHz) and 2 000 bytes: 2 s in all, 25 000 + 50 000 bytes.
        MediaCheck check = Bytes.Inspect(WithFragments(Moof(Mp4Builder.Box("traf", Tfhd(1), Trun(25, 3_600, 2_000)))));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(2, check.Info!.Duration!.Value.TotalSeconds, precision: 3);
        Assert.Equal(25, check.Info.FramesPerSecond!.Value, precision: 3);
        Assert.Equal(300_000L, check.Info.BitsPerSecond);
    }

    [Fact]
    public void A_fragment_without_per_sample_values_uses_the_tfhd_defaults()
    {
        // 25 more frames of 7 200 ticks and 500 bytes: 3 s, 50 frames, 25 000 + 12 500 bytes.
        MediaCheck check = Bytes.Inspect(WithFragments(Moof(Mp4Builder.Box("traf", Tfhd(1, duration: 7_200, size: 500), Trun(25, null, null)))));

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(3, check.Info!.Duration!.Value.TotalSeconds, precision: 3);
        Assert.Equal(50 / 3.0, check.Info.FramesPerSecond!.Value, precision: 3);
        Assert.Equal(100_000L, check.Info.BitsPerSecond);
    }

    [Fact]
    public void A_fragment_without_tfhd_defaults_uses_the_trex_defaults()
    {
        byte[] plain = Mp4Builder.Build(new Mp4Spec());
        int moovEnd = Bytes.BoxOffset(plain, "mdat");
        byte[] mvex = Mp4Builder.Box("mvex", Trex(1, 3_600, 1_000));

        // mvex goes inside moov: grow moov's size by mvex's length.
        int moovAt = Bytes.BoxOffset(plain, "moov");
        byte[] file = [.. plain[..moovEnd], .. mvex, .. plain[moovEnd..], .. Moof(Mp4Builder.Box("traf", Tfhd(1), Trun(25, null, null))), .. Mp4Builder.Box("mdat", w => w.Zeros(30_000))];
        file = Bytes.WithUInt32(file, moovAt, (uint)(moovEnd - moovAt + mvex.Length));

        MediaCheck check = Bytes.Inspect(file);

        Assert.True(check.IsValid, check.Detail);
        Assert.Equal(2, check.Info!.Duration!.Value.TotalSeconds, precision: 3);
        Assert.Equal(25, check.Info.FramesPerSecond!.Value, precision: 3);
        Assert.Equal(200_000L, check.Info.BitsPerSecond);
    }

    [Fact]
    public void A_fragment_for_a_track_the_movie_does_not_have_is_corrupt()
    {
        MediaCheck check = Bytes.Inspect(WithFragments(Moof(Mp4Builder.Box("traf", Tfhd(7), Trun(1, 3_600, 10)))));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal("The MP4 file is damaged: a fragment describes track 7, which the movie does not have.", check.Detail);
    }

    [Fact]
    public void A_sample_run_before_its_track_header_is_corrupt()
    {
        MediaCheck check = Bytes.Inspect(WithFragments(Moof(Mp4Builder.Box("traf", Trun(1, 3_600, 10)))));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Contains("before its track header (tfhd)", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sample_run_claiming_more_samples_than_its_box_holds_is_corrupt()
    {
        byte[] file = WithFragments(Moof(Mp4Builder.Box("traf", Tfhd(1), Trun(2, 3_600, 10))));
        int trun = Bytes.BoxOffset(file, "trun");

        MediaCheck check = Bytes.Inspect(Bytes.WithUInt32(file, trun + 12, 1_000_000));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Contains("lists more samples than its box holds", check.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Fragments_describing_more_bytes_than_the_file_holds_are_corrupt()
    {
        MediaCheck check = Bytes.Inspect(WithFragments(Moof(Mp4Builder.Box("traf", Tfhd(1), Trun(2, 3_600, 4_000_000_000)))));

        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Equal("The MP4 file is damaged: its sample tables describe more data than the file holds.", check.Detail);
    }
}
