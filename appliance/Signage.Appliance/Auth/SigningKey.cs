using System.Security.Cryptography;

namespace Signage.Appliance.Auth;

/// <summary>
/// The appliance's token-signing key: 256 random bits made on first start and kept in
/// &lt;data-dir&gt;/keys/token-signing.key, readable by the owner only. Written to a temp file and
/// renamed, so a crash never leaves half a key (which would log everyone out for good).
/// </summary>
public sealed class SigningKey
{
    private SigningKey(byte[] bytes) => Bytes = bytes;

    public byte[] Bytes { get; }

    public static SigningKey LoadOrCreate(string dataDirectory)
    {
        var folder = Path.Combine(dataDirectory, "keys");
        var path = Path.Combine(folder, "token-signing.key");
        if (File.Exists(path))
        {
            var existing = Convert.FromBase64String(File.ReadAllText(path).Trim());
            if (existing.Length >= 32) return new SigningKey(existing);
            throw new Hosting.StartupException($"The token-signing key '{path}' is damaged (too short). Delete it to make a new one; everyone will have to sign in again.");
        }

        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(folder);
        else Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var key = RandomNumberGenerator.GetBytes(32);
        var temp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(Convert.ToBase64String(key));
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: false);
        return new SigningKey(key);
    }
}
