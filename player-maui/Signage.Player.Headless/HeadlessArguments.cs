namespace Signage.Player.Headless;

/// <summary>(--appliance URL | --discover [--interface NAME]) --data-dir DIR [--hardware-id ID]</summary>
/// <param name="Appliance">Null: find the appliance by mDNS.</param>
internal sealed record HeadlessArguments(Uri? Appliance, string DataDirectory, string? HardwareId, string? Interface = null)
{
    public const string Usage = """
        Usage: signage-player-headless [--appliance URL | --discover [--interface NAME]] --data-dir DIR [--hardware-id ID]

          --appliance URL     the venue appliance, e.g. http://192.168.1.10:5080
          --discover          find the appliance on the LAN by mDNS (_signage-appliance._tcp); the default
                              when --appliance is not given. Follows the appliance when its address changes.
          --interface NAME    with --discover: the network interface to use (default: every suitable one)
          --data-dir DIR      where the player keeps its token, manifests, media, queue,
                              status.json (rewritten atomically) and frames.jsonl (one line per item shown)
          --hardware-id ID    this screen's identity for pairing (default: made once, kept in DIR/hardware-id)

        Exit codes: 0 stopped (SIGTERM/Ctrl+C), 64 bad arguments, 75 restart requested (REBOOT_APP), 1 failure.
        """;

    /// <summary>Null with <paramref name="error"/> set when the arguments are unusable.</summary>
    public static HeadlessArguments? Parse(string[] args, out string? error)
    {
        string? appliance = null, dataDirectory = null, hardwareId = null, nic = null;
        var discover = false;
        error = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--appliance" when value is not null:
                    appliance = value;
                    i++;
                    break;
                case "--data-dir" when value is not null:
                    dataDirectory = value;
                    i++;
                    break;
                case "--hardware-id" when value is not null:
                    hardwareId = value;
                    i++;
                    break;
                case "--discover":
                    discover = true;
                    break;
                case "--interface" when value is not null:
                    nic = value;
                    i++;
                    break;
                default:
                    error = $"unknown or incomplete argument '{args[i]}'";
                    return null;
            }
        }

        if (dataDirectory is null)
        {
            error = "--data-dir is required";
            return null;
        }

        if (appliance is not null && discover)
        {
            error = "--appliance and --discover exclude each other";
            return null;
        }

        if (nic is not null && appliance is not null)
        {
            error = "--interface goes with --discover, not --appliance";
            return null;
        }

        if (appliance is null) return new HeadlessArguments(null, dataDirectory, hardwareId, nic);

        if (!Uri.TryCreate(appliance, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            error = $"--appliance '{appliance}' is not an http(s) URL";
            return null;
        }

        return new HeadlessArguments(uri, dataDirectory, hardwareId);
    }
}
