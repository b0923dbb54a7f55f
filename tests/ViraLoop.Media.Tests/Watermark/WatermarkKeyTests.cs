using ViraLoop.Media.Watermark;

namespace ViraLoop.Media.Tests.Watermark;

public sealed class WatermarkKeyTests
{
    [Fact]
    public void Parse_HexKey_RoundTripsAndHidesItself()
    {
        const string hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        var key = WatermarkKey.Parse(hex);
        Assert.Equal(key, WatermarkKey.Parse(hex.ToUpperInvariant()));
        Assert.Matches("^[0-9a-f]{16}$", key.Fingerprint);
        Assert.DoesNotContain("00112233", key.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("00112233", key.Fingerprint, StringComparison.Ordinal);
        Assert.NotEqual(WatermarkKey.Development.Fingerprint, key.Fingerprint);
    }

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("00112233445566778899aabbccddeeff")]
    public void Parse_NotAKey_Throws(string text) => Assert.Throws<FormatException>(() => WatermarkKey.Parse(text));

    [Fact]
    public void FromSecret_SameSecret_SameKey()
    {
        Assert.Equal(WatermarkKey.FromSecret("a"), WatermarkKey.FromSecret("a"));
        Assert.NotEqual(WatermarkKey.FromSecret("a"), WatermarkKey.FromSecret("b"));
    }

    [Fact]
    public void Payload_ForJob_StableAndDistinct()
    {
        Assert.Equal(WatermarkPayload.ForJob("acme", "j1"), WatermarkPayload.ForJob("acme", "j1"));
        Assert.NotEqual(WatermarkPayload.ForJob("acme", "j1"), WatermarkPayload.ForJob("acme", "j2"));
        Assert.NotEqual(WatermarkPayload.ForJob("acme", "j1"), WatermarkPayload.ForJob("other", "j1"));
        var p = WatermarkPayload.ForVideo(Guid.NewGuid());
        Assert.Equal(p, WatermarkPayload.Parse(WatermarkPayload.Format(p)));
        Assert.Equal(16, WatermarkPayload.Format(1).Length);
    }
}
