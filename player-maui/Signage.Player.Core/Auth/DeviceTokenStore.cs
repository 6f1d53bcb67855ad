using System.Text.Json;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Auth;

/// <summary>What pairing left behind. The token is a secret: the file is owner-only (0600).</summary>
public sealed record StoredDeviceToken(string DeviceToken, string? DeviceId, string? VenueId, string PairedAtUtc);

/// <summary>The device token file in the data directory, written atomically.</summary>
public sealed class DeviceTokenStore(PlayerPaths paths)
{
    public StoredDeviceToken? Load()
    {
        try
        {
            var stored = JsonSerializer.Deserialize(File.ReadAllBytes(paths.DeviceToken), PlayerJsonContext.Default.StoredDeviceToken);
            return string.IsNullOrWhiteSpace(stored?.DeviceToken) ? null : stored;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (JsonException)
        {
            // A torn or hand-edited file is as good as none: the device pairs again.
            return null;
        }
    }

    public void Save(StoredDeviceToken token) =>
        AtomicFile.WriteAllBytes(paths.DeviceToken, JsonSerializer.SerializeToUtf8Bytes(token, PlayerJsonContext.Default.StoredDeviceToken), ownerOnly: true);

    public void Delete() => AtomicFile.TryDelete(paths.DeviceToken);
}
