using System.Text;

namespace Signage.Discovery.Dns;

/// <summary>
/// Domain names as text: labels joined by '.', without the trailing dot. A DNS-SD instance label may
/// itself contain dots and backslashes ("Joe's Bar v2.0"), so those are escaped as "\." and "\\"
/// (the convention of RFC 6763 section 4.3). Names compare case-insensitively.
/// </summary>
public static class DnsName
{
    public const int MaxLabelBytes = 63;
    public const int MaxNameBytes = 255;

    public static bool Equal(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    public static string Escape(string label) => label.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(".", "\\.", StringComparison.Ordinal);

    /// <summary>One label (escaped) in front of a name: <c>Prepend("Bar 1.5", "_x._tcp.local")</c> = <c>Bar 1\.5._x._tcp.local</c>.</summary>
    public static string Prepend(string label, string name) => Escape(label) + "." + name;

    public static string Join(IEnumerable<string> labels) => string.Join('.', labels.Select(Escape));

    /// <summary>The unescaped labels of a name; an empty name has none.</summary>
    public static List<string> Split(string name)
    {
        var labels = new List<string>();
        if (name.Length == 0) return labels;
        var current = new StringBuilder();
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c == '\\' && i + 1 < name.Length)
            {
                current.Append(name[++i]);
            }
            else if (c == '.')
            {
                labels.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        labels.Add(current.ToString());
        return labels;
    }

    /// <summary>
    /// Cuts a label to at most 63 UTF-8 bytes without splitting a character, keeping room for
    /// <paramref name="reserveBytes"/> (a " (2)" suffix added later).
    /// </summary>
    public static string TruncateLabel(string label, int reserveBytes = 0)
    {
        var limit = MaxLabelBytes - reserveBytes;
        if (Encoding.UTF8.GetByteCount(label) <= limit) return label;
        var end = label.Length;
        while (end > 0 && Encoding.UTF8.GetByteCount(label.AsSpan(0, end)) > limit) end--;
        if (end > 0 && char.IsHighSurrogate(label[end - 1])) end--;
        return label[..end].TrimEnd();
    }
}
