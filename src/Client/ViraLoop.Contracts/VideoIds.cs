using System.Security.Cryptography;

namespace ViraLoop.Contracts;

/// <summary>Video ids: <c>v</c> + 20 characters of lower-case base32 (100 random bits). Anything else is not a video.</summary>
public static class VideoIds
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[20];
        RandomNumberGenerator.Fill(bytes);
        Span<char> id = stackalloc char[21];
        id[0] = 'v';
        for (var i = 0; i < 20; i++) id[i + 1] = Alphabet[bytes[i] & 31];
        return new string(id);
    }

    public static bool IsValid(string? id) =>
        id is { Length: 21 } && id[0] == 'v' && id.Skip(1).All(c => char.IsAsciiLetterLower(c) || c is >= '2' and <= '7');
}
