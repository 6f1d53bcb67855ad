using System.Security.Cryptography;

namespace Signage.Player.Core.Integrity;

public static class FileHash
{
    /// <summary>Lower-case hex SHA-256 of a file, streamed (media files can be hundreds of MB).</summary>
    public static async Task<string> Sha256HexAsync(string path, CancellationToken cancellationToken)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1 << 16, useAsync: true);
        await using (stream.ConfigureAwait(false))
        {
            var hash = await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false);
            return Convert.ToHexStringLower(hash);
        }
    }

    public static bool IsSha256Hex(string? text) => text is { Length: 64 } && text.All(char.IsAsciiHexDigit);
}
