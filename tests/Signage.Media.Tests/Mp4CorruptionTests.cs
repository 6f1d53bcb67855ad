using Signage.Media.Tests.Builders;

namespace Signage.Media.Tests;

/// <summary>Truncated or garbled MP4s: every one must be FILE_CORRUPT, never an exception.</summary>
public class Mp4CorruptionTests
{
    private static readonly byte[] Valid = Mp4Builder.Build(new Mp4Spec { Audio = new AudioTrackSpec() });

    private static MediaCheck AssertCorrupt(byte[] file, string? detail = null)
    {
        MediaCheck check = Bytes.Inspect(file);
        Assert.Equal(MediaFailureReason.FileCorrupt, check.Failure);
        Assert.Null(check.Info);
        if (detail is not null)
        {
            Assert.Equal(detail, check.Detail);
        }

        return check;
    }

    [Fact]
    public void The_unmodified_fixture_is_valid() => Assert.True(Bytes.Inspect(Valid).IsValid);

    [Fact]
    public void A_box_whose_size_points_past_the_end_of_the_file_is_corrupt() =>
        AssertCorrupt(Bytes.WithUInt32(Valid, Bytes.BoxOffset(Valid, "moov"), 0x7FFF_0000),
            $"The MP4 file is cut off: its 'moov' box needs {0x7FFF_0000} bytes but only {Valid.Length - Bytes.BoxOffset(Valid, "moov")} remain.");

    [Fact]
    public void A_64_bit_box_size_pointing_past_the_end_is_corrupt()
    {
        byte[] mp4 = Mp4Builder.Build(new Mp4Spec { LargeMdatSize = true });
        int mdat = Bytes.BoxOffset(mp4, "mdat");
        AssertCorrupt(Bytes.WithUInt32(mp4, mdat + 8, 0x7FFF_FFFF)); // high half of largesize
    }

    [Fact]
    public void A_64_bit_box_size_smaller_than_its_header_is_corrupt()
    {
        byte[] mp4 = Mp4Builder.Build(new Mp4Spec { LargeMdatSize = true });
        AssertCorrupt(Bytes.WithUInt32(mp4, Bytes.BoxOffset(mp4, "mdat") + 12, 4));
    }

    [Fact]
    public void A_file_whose_media_data_is_cut_short_is_corrupt() =>
        AssertCorrupt(Valid[..^100], $"The MP4 file is cut off: its 'mdat' box needs {Valid.Length - Bytes.BoxOffset(Valid, "mdat")} bytes but only {Valid.Length - 100 - Bytes.BoxOffset(Valid, "mdat")} remain.");

    [Fact]
    public void A_file_without_a_movie_box_is_corrupt() =>
        AssertCorrupt(Bytes.Replace(Valid, "moov", "free"),
            "The MP4 file is incomplete: it has no movie header (moov box), so it cannot be played.");

    [Fact]
    public void A_file_that_is_only_ftyp_is_corrupt() =>
        AssertCorrupt(Valid[..Bytes.BoxOffset(Valid, "moov")]);

    [Fact]
    public void A_file_with_two_movie_boxes_is_corrupt()
    {
        int moov = Bytes.BoxOffset(Valid, "moov"), mdat = Bytes.BoxOffset(Valid, "mdat");
        AssertCorrupt([.. Valid[..mdat], .. Valid[moov..mdat], .. Valid[mdat..]], "The MP4 file is damaged: it has two movie headers (moov boxes).");
    }

    [Fact]
    public void An_audio_only_file_has_no_video_track_and_is_corrupt() =>
        AssertCorrupt(Mp4Builder.Build(new Mp4Spec { Video = null, Audio = new AudioTrackSpec() }),
            "The MP4 file is damaged: it has no video track.");

    [Fact]
    public void A_file_without_a_movie_header_is_corrupt() =>
        AssertCorrupt(Bytes.Replace(Valid, "mvhd", "free"), "The MP4 file is damaged: its movie header (mvhd) is missing or invalid.");

    [Fact]
    public void A_nested_box_larger_than_its_parent_is_corrupt() =>
        AssertCorrupt(Bytes.WithUInt32(Valid, Bytes.BoxOffset(Valid, "tkhd"), 0x0010_0000),
            "The MP4 file is damaged: its 'tkhd' box is larger than the 'trak' box that contains it.");

    [Fact]
    public void A_box_smaller_than_its_own_header_is_corrupt() =>
        AssertCorrupt(Bytes.WithUInt32(Valid, Bytes.BoxOffset(Valid, "tkhd"), 4));

    [Fact]
    public void A_truncated_track_header_is_corrupt()
    {
        // Shrink tkhd to 16 bytes and pad the gap with a 'free' box, so the tree stays consistent.
        int tkhd = Bytes.BoxOffset(Valid, "tkhd");
        uint size = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(Valid.AsSpan(tkhd));
        byte[] mp4 = Bytes.WithUInt32(Bytes.WithUInt32(Valid, tkhd, 16), tkhd + 16, size - 16);
        "free"u8.CopyTo(mp4.AsSpan(tkhd + 20));

        AssertCorrupt(mp4, "The MP4 file is damaged: its 'tkhd' box is too short.");
    }

    [Fact]
    public void A_sample_size_table_longer_than_its_box_is_corrupt()
    {
        byte[] mp4 = Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { SizeTable = true } });
        AssertCorrupt(Bytes.WithUInt32(mp4, Bytes.BoxOffset(mp4, "stsz") + 16, 0xFFFF_FFFF),
            "The MP4 file is damaged: its sample size table lists more entries than its box holds.");
    }

    [Fact]
    public void A_time_to_sample_table_longer_than_its_box_is_corrupt() =>
        AssertCorrupt(Bytes.WithUInt32(Valid, Bytes.BoxOffset(Valid, "stts") + 12, 0x1000_0000),
            "The MP4 file is damaged: its time-to-sample table lists more entries than its box holds.");

    [Fact]
    public void Sample_sizes_adding_up_to_more_than_the_file_are_corrupt() =>
        AssertCorrupt(Bytes.WithUInt32(Valid, Bytes.BoxOffset(Valid, "stsz") + 12, 0xFFFF_FFFF),
            "The MP4 file is damaged: its sample tables describe more data than the file holds.");

    [Fact]
    public void A_sample_size_table_adding_up_to_more_than_the_file_is_corrupt()
    {
        byte[] mp4 = Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { SizeTable = true } });
        AssertCorrupt(Bytes.WithUInt32(mp4, Bytes.BoxOffset(mp4, "stsz") + 20, 0xFFFF_FFFF),
            "The MP4 file is damaged: its sample tables describe more data than the file holds.");
    }

    [Fact]
    public void Timing_and_size_tables_that_disagree_on_the_frame_count_are_corrupt() =>
        AssertCorrupt(Bytes.WithUInt32(Valid, Bytes.BoxOffset(Valid, "stts") + 16, 24),
            "The MP4 file is damaged: the video track's timing and size tables disagree on the number of samples.");

    [Fact]
    public void A_video_track_with_no_frames_is_corrupt() =>
        AssertCorrupt(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { FrameCount = 0 }, MovieSeconds = 1 }),
            "The MP4 file is damaged: its video track has no frames.");

    [Fact]
    public void A_media_timescale_of_zero_is_corrupt() =>
        AssertCorrupt(Bytes.WithUInt32(Valid, Bytes.BoxOffset(Valid, "mdhd") + 20, 0),
            "The MP4 file is damaged: its video track is missing its media header (mdhd).");

    [Fact]
    public void A_sample_description_with_no_entries_is_corrupt() =>
        AssertCorrupt(Bytes.WithUInt32(Valid, Bytes.BoxOffset(Valid, "stsd") + 12, 0),
            "The MP4 file is damaged: a track has no sample description.");

    [Fact]
    public void Aac_audio_without_its_decoder_configuration_is_corrupt() =>
        AssertCorrupt(Bytes.Replace(Valid, "esds", "xxxx"), "The MP4 file is damaged: its audio track has no decoder configuration (esds).");

    [Fact]
    public void A_video_with_no_picture_size_anywhere_is_corrupt() =>
        AssertCorrupt(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { Width = 0, Height = 0 } }),
            "The MP4 file is damaged: its video track has no picture size.");

    [Fact]
    public void A_video_with_zero_duration_is_corrupt() =>
        AssertCorrupt(Mp4Builder.Build(new Mp4Spec { Video = new VideoTrackSpec { FrameDelta = 0 } }),
            "The MP4 file is damaged: its duration is missing or garbled.");

    [Fact]
    public void Stray_bytes_after_the_last_box_are_corrupt() =>
        AssertCorrupt([.. Valid, 0, 0, 0], "The MP4 file is cut off: it ends in the middle of its data.");

    [Fact]
    public void Millions_of_empty_boxes_are_refused_without_walking_them_all()
    {
        var free = new BigEndianWriter();
        for (int i = 0; i < 150_000; i++)
        {
            free.U32(8).Ascii("free");
        }

        AssertCorrupt([.. Valid, .. free.ToArray()], "The MP4 file is damaged: it has an implausible number of boxes.");
    }
}
