using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Signage.Cli;

/// <summary>
/// Password hashes in exactly the format the appliance verifies (ASP.NET Core Identity's
/// PasswordHasher, version 3): 0x01, PRF = HMAC-SHA512, 100,000 iterations, a 128-bit salt and a
/// 256-bit PBKDF2 subkey, big-endian header fields, base64. The CLI writes it offline
/// (`admin create`, `admin reset-password`) without the ASP.NET Core framework in its binary;
/// the end-to-end tests sign in to a real appliance with a password set this way.
/// </summary>
public static class PasswordHash
{
    private const int Prf = 2; // KeyDerivationPrf.HMACSHA512
    private const int Iterations = 100_000;
    private const int SaltBytes = 16;
    private const int SubkeyBytes = 32;

    public static string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var subkey = Rfc2898DeriveBytes.Pbkdf2(password, salt, Iterations, HashAlgorithmName.SHA512, SubkeyBytes);
        var output = new byte[13 + SaltBytes + SubkeyBytes];
        output[0] = 0x01;
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(1), Prf);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(5), Iterations);
        BinaryPrimitives.WriteUInt32BigEndian(output.AsSpan(9), SaltBytes);
        salt.CopyTo(output, 13);
        subkey.CopyTo(output, 13 + SaltBytes);
        return Convert.ToBase64String(output);
    }
}
