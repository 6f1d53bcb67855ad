using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Identity;

namespace Signage.CloudHub.Auth;

/// <summary>Ids, random secrets and the hashes the hub stores instead of them.</summary>
public static class Secrets
{
    // ASP.NET Core Identity's hasher, as on the appliance, so hashes sync to venues unchanged.
    public static readonly PasswordHasher<string> Passwords = new();

    // Verified when the email is unknown, so a wrong email costs as long as a wrong password.
    public static readonly string DecoyHash = Passwords.HashPassword("", "decoy-password-never-matches");

    public const int MinPasswordLength = 8;

    /// <summary>A prefixed random id, e.g. <c>ten_3f9c…</c>.</summary>
    public static string NewId(string prefix) => $"{prefix}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10))}";

    /// <summary>256 random bits, URL-safe.</summary>
    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Tokens, credentials and codes are random enough that one unsalted SHA-256 makes the stored value useless.</summary>
    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));
}
