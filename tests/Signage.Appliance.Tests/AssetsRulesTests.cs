using Signage.Appliance.Assets;

namespace Signage.Appliance.Tests;

/// <summary>The asset feature's rules that need no running appliance.</summary>
public sealed class AssetsRulesTests
{
    [Theory]
    [InlineData("bytes 0-99/100", 0, 99, 100)]
    [InlineData("bytes 100-199/1000", 100, 199, 1000)]
    [InlineData("Bytes  5-5/6", 5, 5, 6)]
    public void Content_range_reads_first_last_and_total(string header, long start, long end, long total)
    {
        Assert.True(ContentRange.TryParse(header, out var range));
        Assert.Equal(new ContentRange(start, end, total), range);
        Assert.Equal(end - start + 1, range.Length);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("bytes 0-99")]
    [InlineData("bytes 0-99/*")]
    [InlineData("bytes */100")]
    [InlineData("bytes 50-10/100")]
    [InlineData("bytes 0-100/100")]
    [InlineData("bytes -1-5/100")]
    [InlineData("bytes 0-5/1e3")]
    [InlineData("bytes 0-5/99999999999999999999")]
    [InlineData("pages 0-5/100")]
    public void Content_range_refuses_every_other_form(string? header) => Assert.False(ContentRange.TryParse(header, out _));

    [Theory]
    [InlineData("menu.jpg", true)]
    [InlineData("Happy hour (5–7pm) café.png", true)]
    [InlineData(".hidden.mp4", true)]
    [InlineData("../menu.jpg", false)]
    [InlineData("a/b.jpg", false)]
    [InlineData("a\\b.jpg", false)]
    [InlineData("..", false)]
    [InlineData("", false)]
    [InlineData(" ", false)]
    [InlineData("tab\there.jpg", false)]
    public void File_names_are_plain_names(string name, bool valid) => Assert.Equal(valid, UploadRules.FileNameProblem(name) is null);
}
