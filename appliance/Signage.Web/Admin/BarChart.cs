namespace Signage.Web.Admin;

/// <summary>A bar chart drawn as inline SVG on the server (no chart library, nothing to download).</summary>
public sealed record BarChart(string Title, IReadOnlyList<(string Label, long Value)> Bars)
{
    public long Max => Bars.Count == 0 ? 0 : Bars.Max(b => b.Value);
    public long Total => Bars.Sum(b => b.Value);
}
