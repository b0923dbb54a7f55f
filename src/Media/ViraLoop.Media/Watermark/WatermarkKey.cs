using System.Security.Cryptography;
using System.Text;

namespace ViraLoop.Media.Watermark;

/// <summary>
/// The secret that decides where the watermark's sync and data cells lie and their signs: only a holder of the key can
/// embed or read a payload. 32 bytes. <see cref="ToString"/> and <see cref="Fingerprint"/> never reveal the key itself.
/// </summary>
public sealed class WatermarkKey : IEquatable<WatermarkKey>
{
    /// <summary>The environment variable that holds the production key: 64 hex digits, or any passphrase (hashed to a key).</summary>
    public const string EnvironmentVariable = "VIRALOOP_WATERMARK_KEY";

    private readonly byte[] _bytes;

    private WatermarkKey(byte[] bytes) => _bytes = bytes;

    /// <summary>The development key: public, so anything marked with it proves nothing. Used when no key is configured.</summary>
    public static WatermarkKey Development { get; } = FromSecret("viraloop-development-watermark-key");

    /// <summary>The key in <see cref="EnvironmentVariable"/>, or <see cref="Development"/> when it is not set.</summary>
    public static WatermarkKey Configured()
    {
        var text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text)) return Development;
        return TryParse(text, out var key) ? key : FromSecret(text);
    }

    /// <summary>A key from a passphrase (SHA-256 of its UTF-8 bytes).</summary>
    public static WatermarkKey FromSecret(string secret)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        return new WatermarkKey(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
    }

    /// <summary>A key from its 32 bytes.</summary>
    public static WatermarkKey FromBytes(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 32 ? new WatermarkKey(bytes.ToArray()) : throw new ArgumentException("A watermark key is 32 bytes.", nameof(bytes));

    /// <summary>A key written as 64 hex digits.</summary>
    public static WatermarkKey Parse(string text) =>
        TryParse(text, out var key) ? key : throw new FormatException("A watermark key is written as 64 hex digits.");

    public static bool TryParse(string? text, out WatermarkKey key)
    {
        key = Development;
        text = text?.Trim();
        if (text is null || text.Length != 64 || !text.All(Uri.IsHexDigit)) return false;
        key = new WatermarkKey(Convert.FromHexString(text));
        return true;
    }

    /// <summary>A fresh random key (the false-positive sweep draws many).</summary>
    public static WatermarkKey Random() => new(RandomNumberGenerator.GetBytes(32));

    /// <summary>16 hex digits that name the key in manifests and logs without revealing it.</summary>
    public string Fingerprint => Convert.ToHexStringLower(SHA256.HashData([.. "viraloop-watermark-fingerprint:"u8, .. _bytes]).AsSpan(0, 8));

    /// <summary>A deterministic stream of pseudo-random numbers for one purpose (<paramref name="label"/>) of this key.</summary>
    internal KeyStream Stream(string label) => new(HMACSHA256.HashData(_bytes, Encoding.UTF8.GetBytes(label)));

    public bool Equals(WatermarkKey? other) => other is not null && CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);
    public override bool Equals(object? obj) => Equals(obj as WatermarkKey);
    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);
    public override string ToString() => $"WatermarkKey({Fingerprint})";
}

/// <summary>xoshiro256** seeded from a key's HMAC: the same key and label give the same numbers on every machine.</summary>
internal sealed class KeyStream
{
    private ulong _s0, _s1, _s2, _s3;

    public KeyStream(ReadOnlySpan<byte> seed)
    {
        _s0 = BitConverter.ToUInt64(seed[..8]);
        _s1 = BitConverter.ToUInt64(seed[8..16]);
        _s2 = BitConverter.ToUInt64(seed[16..24]);
        _s3 = BitConverter.ToUInt64(seed[24..32]) | 1;
    }

    public ulong Next()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9, t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3; _s2 ^= t; _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, n) (n small: the modulo bias is below 2⁻⁵⁰).</summary>
    public int Below(int n) => (int)(Next() % (ulong)n);

    public sbyte Sign() => (Next() >> 63) == 0 ? (sbyte)1 : (sbyte)-1;

    public void Shuffle(int[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = Below(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
