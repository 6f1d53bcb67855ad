using System.Security.Cryptography;
using System.Text;

namespace Signage.Appliance.Pairing;

/// <summary>
/// Pairing codes a person reads off a TV and types on a phone. RFC 8628 §6.1's alphabet: 20
/// consonants, no vowels (no words) and no look-alikes (0/O, 1/I). Eight of them are 20^8 ≈ 2.6e10
/// codes (34.6 bits). Claims are limited to 10 a minute per person, so in a code's 10-minute life
/// one person gets 100 guesses: with even 100 codes pending at once the chance of hitting one is
/// 100 × 100 / 2.6e10 ≈ 4e-7 — far under RFC 8628 §5.1's "a handful of guesses" bar.
/// </summary>
public static class PairingCodes
{
    public const string Alphabet = "BCDFGHJKLMNPQRSTVWXZ";
    public const int Length = 8;

    /// <summary>A new code, shown as XXXX-XXXX.</summary>
    public static string New()
    {
        Span<char> code = stackalloc char[Length];
        for (var i = 0; i < Length; i++) code[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
        return $"{code[..4]}-{code[4..]}";
    }

    /// <summary>What a person typed, in the stored form: upper case, dash after four, anything else dropped.</summary>
    public static string? Normalize(string? typed)
    {
        if (typed is null) return null;
        var letters = new StringBuilder(Length);
        foreach (var c in typed.ToUpperInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c)) letters.Append(c);
        }
        return letters.Length == Length && letters.ToString().All(Alphabet.Contains) ? $"{letters.ToString(0, 4)}-{letters.ToString(4, 4)}" : null;
    }

    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool SecretMatches(string? presented, string storedHash) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(presented)), Encoding.ASCII.GetBytes(storedHash));
}
