using ViraLoop.Media.Visuals;

namespace ViraLoop.Media.Tests.Visuals;

public sealed class VisualMotifsTests
{
    [Theory]
    [InlineData("Octopuses hide in coral reefs.", "en", "water")]
    [InlineData("The nearest star is four light years away.", "en", "space")]
    [InlineData("Every computer runs on tiny switches.", "en", "technology")]
    [InlineData("Ośmiornice mają trzy serca.", "pl", "water")]
    [InlineData("Las oddycha nocą.", "pl", "nature")]
    [InlineData("Kawa smakuje najlepiej rano.", "pl", "food")]
    public void Match_SceneText_PicksTheMotifItTalksAbout(string text, string lang, string motif) =>
        Assert.Equal(motif, VisualMotifs.Match(text, lang)?.Name);

    [Theory]
    [InlineData("Search for the last answer.", "en")]
    [InlineData("First, the basics.", "en")]
    [InlineData("Po pierwsze: podstawy.", "pl")]
    public void Match_UnrelatedText_PicksNothing(string text, string lang) => Assert.Null(VisualMotifs.Match(text, lang));

    [Fact]
    public void ForScene_Auto_FollowsTheMotif_ButTheHookStaysKinetic()
    {
        Assert.Equal(VisualStyle.Particles, VisualStyles.ForScene("auto", 2, 0, "Whales sing across the ocean."));
        Assert.Equal(VisualStyle.Kinetic, VisualStyles.ForScene("auto", 0, 0, "Whales sing across the ocean."));
        Assert.Equal(VisualStyle.Gradient, VisualStyles.ForScene("gradient", 2, 0, "Whales sing across the ocean."));
    }
}
