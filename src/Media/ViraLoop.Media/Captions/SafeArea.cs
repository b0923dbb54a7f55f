namespace ViraLoop.Media.Captions;

/// <summary>
/// Where text may go on a 1080×1920 frame so no platform's UI covers it (TikTok, Reels and Shorts):
/// the centre 80 % of the width and the middle ~60 % of the height. Configuration, not a constant.
/// </summary>
public sealed record SafeArea(int Left = 140, int Right = 170, int Top = 384, int Bottom = 384)
{
    public static SafeArea Default { get; } = new();

    /// <summary>Bottom edge of the caption band (captions sit just above it).</summary>
    public int CaptionBaseline => 1920 - Bottom - 86;
}
