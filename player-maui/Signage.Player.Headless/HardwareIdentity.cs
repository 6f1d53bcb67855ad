using Signage.Player.Core.Storage;

namespace Signage.Player.Headless;

/// <summary>A Linux box has no Fire OS serial: the first start makes an id and keeps it in the data directory.</summary>
internal static class HardwareIdentity
{
    public static string LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, "hardware-id");
        if (File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } existing)
        {
            return existing;
        }

        var created = "headless-" + Guid.NewGuid().ToString("N");
        AtomicFile.WriteAllBytes(path, System.Text.Encoding.UTF8.GetBytes(created));
        return created;
    }
}
