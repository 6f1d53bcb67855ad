using System.Text;
using Signage.Discovery.Dns;

namespace Signage.Discovery;

/// <summary>
/// What a responder advertises: <c>&lt;InstanceName&gt;.&lt;service type&gt;</c> with SRV → <c>&lt;HostName&gt;.local:Port</c>
/// and a TXT record of "key=value" entries.
/// </summary>
public sealed record ServiceAdvertisement(string InstanceName, string HostName, int Port, IReadOnlyList<string> Txt)
{
    /// <summary>TXT keys the appliance publishes (documented in docs/ARCHITECTURE.md, "Discovery").</summary>
    public static class Keys
    {
        /// <summary>API version of the appliance's device plane: "1".</summary>
        public const string ApiVersion = "v";
        /// <summary>The venue this appliance serves (absent before a venue exists).</summary>
        public const string VenueId = "venue";
        /// <summary>SHA-256 of the appliance's TLS certificate, lower-case hex; present only when it serves HTTPS.</summary>
        public const string TlsFingerprint = "tls";
    }

    /// <summary>
    /// A DNS label made from a machine name: letters, digits and hyphens (RFC 952/1123), so the
    /// host name resolves everywhere; anything else becomes '-'.
    /// </summary>
    public static string HostLabel(string machineName)
    {
        var label = new StringBuilder();
        foreach (var c in machineName.Split('.')[0])
            label.Append(char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-');
        var text = label.ToString().Trim('-');
        return text.Length == 0 ? "signage-appliance" : text[..Math.Min(text.Length, DnsName.MaxLabelBytes)];
    }

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(InstanceName)) throw new ArgumentException("the instance name is empty");
        if (Port is <= 0 or > ushort.MaxValue) throw new ArgumentException($"port {Port} is out of range");
        if (HostLabel(HostName) != HostName) throw new ArgumentException($"host name '{HostName}' is not a plain DNS label");
        foreach (var entry in Txt)
            if (Encoding.UTF8.GetByteCount(entry) > 255) throw new ArgumentException($"TXT entry '{entry}' is longer than 255 bytes");
    }
}
