namespace Signage.Media.Tests;

/// <summary>The thumbnailer's rules that need no ffmpeg (moved here with it from the appliance's asset tests).</summary>
public class ThumbnailerTests
{
    [Theory]
    [InlineData(null, "ffmpeg")]
    [InlineData("", "ffmpeg")]
    [InlineData("none", null)]
    [InlineData("NONE", null)]
    [InlineData("/opt/ffmpeg/bin/ffmpeg", "/opt/ffmpeg/bin/ffmpeg")]
    public void Ffmpeg_comes_from_SIGNAGE_FFMPEG_and_none_turns_it_off(string? setting, string? expected) =>
        Assert.Equal(expected, Thumbnailer.PathFrom(name => name == "SIGNAGE_FFMPEG" ? setting : null));

    [Theory]
    [InlineData(10.0, "1")]
    [InlineData(1.0, "0.5")]
    [InlineData(0.04, "0.02")]
    public void A_video_thumbnail_is_taken_at_one_second_or_halfway_through_a_shorter_video(double seconds, string at)
    {
        var media = new MediaInfo(MediaType.Video, "video/mp4", 1920, 1080, TimeSpan.FromSeconds(seconds), 25, 1_000_000, "avc1", null);
        var arguments = Thumbnailer.Arguments("in.part", media, "out.tmp");
        Assert.Equal(at, arguments[arguments.ToList().IndexOf("-ss") + 1]);
        Assert.Equal("mov", arguments[arguments.ToList().IndexOf("-f") + 1]); // the demuxer is named, never guessed
    }
}
