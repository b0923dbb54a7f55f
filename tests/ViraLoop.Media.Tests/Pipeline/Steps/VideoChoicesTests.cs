using ViraLoop.Media.Pipeline.Steps;

namespace ViraLoop.Media.Tests.Pipeline.Steps;

public sealed class VideoChoicesTests
{
    [Fact]
    public void For_SameRequest_SameChoices_AndSeedFromTopicWhenNoneGiven()
    {
        var request = new VideoRequest { Topic = "Why octopuses are smart" };
        var a = VideoChoices.For(request);
        var b = VideoChoices.For(request with { Topic = "  Why octopuses are smart " });
        Assert.Equal(a.Seed, b.Seed);
        Assert.Equal(a.Palette.Colors, b.Palette.Colors);
        Assert.Equal(a.Music with { Progression = [] }, b.Music with { Progression = [] });
        Assert.Equal(42, VideoChoices.For(request with { Seed = 42 }).Seed);
    }

    [Theory]
    [InlineData("nosuchstyle", null, "upbeat", "style")]
    [InlineData("auto", "nosuchpalette", "upbeat", "palette")]
    [InlineData("auto", null, "grumpy", "mood")]
    public void For_UnknownName_ThrowsMediaInputExceptionNamingIt(string style, string? palette, string mood, string what)
    {
        var e = Assert.Throws<MediaInputException>(() => VideoChoices.For(new VideoRequest { Topic = "Coffee facts", Style = style, Palette = palette, Mood = mood }));
        Assert.Contains(what, e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
